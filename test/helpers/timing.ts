/**
 * Timing for tests that must pass on any machine, however slow or busy: never a limit in
 * milliseconds, always the ratio of two timings taken in the same run, on the same machine.
 *
 * What is timed is the CPU time of this process (`process.cpuUsage()`), not the time on the clock:
 * the work done, which other processes do not lengthen. On the clock, a run of a few milliseconds
 * often gets a core to itself while one of a second shares it with whatever else runs, so their
 * ratio would depend on the machine's load.
 */

/** CPU time used by this process so far, in milliseconds. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** The least CPU time of `runs` runs of `run`, in milliseconds, and the first run's value. */
export function bestOf<T>(runs: number, run: () => T): { ms: number; value: T } {
  let ms = Infinity;
  let value: T | undefined;
  for (let i = 0; i < runs; i++) {
    const start = cpuMs();
    const result = run();
    ms = Math.min(ms, cpuMs() - start);
    if (i === 0) value = result;
  }
  return { ms, value: value as T };
}

export interface Ratio<T> {
  /** What the first run of the measured operation returned. */
  value: T;
  /** The measured operation's best CPU time, in milliseconds. */
  ms: number;
  /** The baseline's best CPU time, in milliseconds. */
  baselineMs: number;
  /** `ms / baselineMs`. */
  ratio: number;
  /** The measurement in words, for an assertion's message. */
  text: string;
}

/**
 * Times `run` against `baseline`, both here and now, and gives the ratio of their best times. The
 * baseline runs `baselineRuns` times (the first also warms up the code both share). `run` runs
 * `runs` times, and more (up to `maxRuns`) only while the ratio is `limit` or over: a quiet machine
 * pays for few runs, and one pause of a busy one does not fail the test. The caller asserts
 * `ratio < limit`.
 */
export function timeAgainst<T>(baseline: () => unknown, run: () => T, limit: number,
  { baselineRuns = 3, runs = 1, maxRuns = runs + 2 }: { baselineRuns?: number; runs?: number; maxRuns?: number } = {}): Ratio<T> {
  const baselineMs = bestOf(baselineRuns, baseline).ms;
  // A baseline too quick for the clock counts as one microsecond.
  const over = (ms: number) => ms / Math.max(baselineMs, 0.001) >= limit;
  let { ms, value } = bestOf(runs, run);
  for (let done = runs; done < maxRuns && over(ms); done++) ms = Math.min(ms, bestOf(1, run).ms);
  const ratio = ms / Math.max(baselineMs, 0.001);
  return { value, ms, baselineMs, ratio, text: `${ms.toFixed(1)} ms of CPU time against a baseline of ${baselineMs.toFixed(1)} ms: ${ratio.toFixed(1)}x (at most ${limit}x allowed)` };
}

/**
 * How long to wait for something that should come, before calling it a hang: only so that a hang
 * fails its test, and its `finally` can clean up, instead of hanging the suite. Not a measure of
 * speed, so it is generous.
 */
export const HANG_PROTECTION_MS = 60_000;

/** `promise`, or a failure naming `what` if it has not settled after HANG_PROTECTION_MS. */
export function unlessHung<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Hang protection: ${what} had not happened after ${HANG_PROTECTION_MS / 1000} s`)), HANG_PROTECTION_MS);
  });
  return Promise.race([promise, hung]).finally(() => clearTimeout(timer));
}

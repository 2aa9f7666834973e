/**
 * Runs preview renderings on one worker thread, one job at a time, with a hard wall-clock limit per
 * recipient: the renderer's own limits (time, output size, memory) stop most runaway templates; a
 * rendering that still does not come back is stopped by terminating the worker, and the next job
 * gets a fresh one. The language server's thread only waits on messages, so it keeps answering.
 */
import { Worker } from 'node:worker_threads';
import type { PreviewRecipient } from '../../../../protocol/src/requests';
import type { FromWorker, RenderJob, ToWorker } from './messages';

export interface RenderPoolOptions {
  /** Starts a worker that speaks the FromWorker/ToWorker messages (dist/render-worker.js). */
  spawn: () => Worker;
  /** How long one recipient's rendering may take, from the job's time budget; then the worker is stopped. */
  hardTimeoutMs?: (job: RenderJob) => number;
  /** How long a worker may take to start. */
  startTimeoutMs?: number;
  /** An idle worker is stopped after this long, to give its memory back. */
  idleMs?: number;
  /** A superseded job still running after this long is stopped rather than waited for. */
  supersedeGraceMs?: number;
}

/** Why a job gave no result: a newer job for the same document, or the caller cancelled. */
export class JobCancelled extends Error {
  constructor(readonly reason: 'superseded' | 'cancelled') {
    super(reason === 'superseded' ? 'A newer preview of this document replaced this one.' : 'The preview was cancelled.');
  }
}

export interface CancellationSignal {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): unknown;
}

interface QueuedJob {
  key: string;
  job: RenderJob;
  results: PreviewRecipient[];
  resolve: (results: PreviewRecipient[]) => void;
  reject: (error: Error) => void;
  /** Recipients before this index are rendered (or given up on). */
  next: number;
  startedAt?: number;
  cancelled?: JobCancelled;
}

/** The default hard limit: the renderer's own time budget, plus room to notice it and report. */
export function defaultHardTimeout(job: RenderJob): number {
  return job.limits.timeMs + Math.max(500, job.limits.timeMs / 2);
}

export class RenderPool {
  private worker: Worker | undefined;
  private ready: Promise<Worker> | undefined;
  /** The worker the running job was sent to: losing it fails the recipient it was on. */
  private busyWorker: Worker | undefined;
  private readonly queue: QueuedJob[] = [];
  private running: QueuedJob | undefined;
  private runId = 0;
  private watchdog: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly options: RenderPoolOptions) {}

  /**
   * Renders every recipient of `job`. A newer job with the same `key` (the document) replaces a
   * waiting one, and stops a running one that is not about to finish: both reject with JobCancelled.
   */
  render(key: string, job: RenderJob, token?: CancellationSignal): Promise<PreviewRecipient[]> {
    if (this.disposed) return Promise.reject(new Error('The preview renderer is shut down.'));
    return new Promise((resolve, reject) => {
      const queued: QueuedJob = { key, job, results: [], resolve, reject, next: 0 };
      for (const waiting of this.queue.filter((q) => q.key === key)) this.cancel(waiting, 'superseded');
      if (this.running?.key === key) this.cancel(this.running, 'superseded');
      this.queue.push(queued);
      token?.onCancellationRequested(() => this.cancel(queued, 'cancelled'));
      if (token?.isCancellationRequested) this.cancel(queued, 'cancelled');
      this.pump();
    });
  }

  dispose(): void {
    this.disposed = true;
    for (const waiting of [...this.queue]) this.cancel(waiting, 'cancelled');
    if (this.running) this.cancel(this.running, 'cancelled');
    this.stopWorker();
  }

  private cancel(queued: QueuedJob, reason: 'superseded' | 'cancelled'): void {
    if (queued.cancelled) return;
    const index = this.queue.indexOf(queued);
    if (index >= 0) {
      this.queue.splice(index, 1);
      queued.cancelled = new JobCancelled(reason);
      queued.reject(queued.cancelled);
      return;
    }
    if (this.running !== queued) return; // Already finished.
    queued.cancelled = new JobCancelled(reason);
    queued.reject(queued.cancelled);
    // Most renderings take milliseconds: let this one finish rather than pay for a new worker;
    // one that is still running after the grace period is stopped.
    const elapsed = Date.now() - (queued.startedAt ?? Date.now());
    const grace = this.options.supersedeGraceMs ?? 250;
    const stopIfStillRunning = () => {
      if (this.running !== queued) return;
      this.stopWorker();
      this.finish(queued);
    };
    if (this.disposed || elapsed >= grace) stopIfStillRunning();
    else setTimeout(stopIfStillRunning, grace - elapsed).unref();
  }

  private pump(): void {
    if (this.running || this.disposed) return;
    const next = this.queue.shift();
    if (!next) {
      this.scheduleIdleStop();
      return;
    }
    clearTimeout(this.idleTimer);
    this.running = next;
    next.startedAt = Date.now();
    void this.dispatch(next);
  }

  /** Sends the job, from its next recipient, to a ready worker. */
  private async dispatch(queued: QueuedJob): Promise<void> {
    let worker: Worker;
    try {
      worker = await this.readyWorker();
    } catch (error) {
      if (this.running !== queued) return;
      const message = `The preview renderer could not start: ${error instanceof Error ? error.message : String(error)}`;
      for (let index = queued.next; index < queued.job.recipients.length; index++) queued.results.push(failed(queued.job, index, message));
      this.finish(queued);
      return;
    }
    if (this.running !== queued || this.worker !== worker) return;
    // A busy worker keeps the process alive until it answers; an idle one does not.
    worker.ref();
    this.busyWorker = worker;
    const id = ++this.runId;
    this.armWatchdog(queued);
    const message: ToWorker = { type: 'render', id, job: queued.job, start: queued.next };
    worker.postMessage(message);
  }

  private readyWorker(): Promise<Worker> {
    if (this.ready) return this.ready;
    const worker = this.options.spawn();
    this.worker = worker;
    this.ready = new Promise<Worker>((resolve, reject) => {
      const startTimeout = this.options.startTimeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        reject(new Error(`it did not start within ${formatSeconds(startTimeout)}`));
        if (this.worker === worker) this.stopWorker();
      }, startTimeout);
      const settle = (error?: Error) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(worker);
      };
      worker.once('message', (message: FromWorker) => settle(message.type === 'ready' ? undefined : new Error('it did not say it was ready')));
      worker.once('error', (error) => settle(error));
      worker.once('exit', (code) => settle(new Error(`it exited with code ${code}`)));
    });
    this.ready.catch(() => undefined);
    worker.on('message', (message: FromWorker) => this.onMessage(worker, message));
    worker.on('error', (error) => this.onWorkerLost(worker, describeWorkerError(error)));
    worker.on('exit', (code) => this.onWorkerLost(worker, `The preview renderer stopped unexpectedly (exit code ${code}).`));
    return this.ready;
  }

  private onMessage(worker: Worker, message: FromWorker): void {
    const queued = this.running;
    if (worker !== this.worker || !queued || message.type === 'ready' || message.id !== this.runId) return;
    if (message.type === 'result') {
      queued.results[message.index] = message.result;
      queued.next = message.index + 1;
      this.armWatchdog(queued);
    } else {
      this.finish(queued);
    }
  }

  /** The worker crashed or ran out of memory: the recipient it was on fails, the job goes on with a new worker. */
  private onWorkerLost(worker: Worker, reason: string): void {
    if (worker === this.worker) {
      this.worker = undefined;
      this.ready = undefined;
    }
    // A worker lost while starting is reported by `dispatch`.
    if (worker !== this.busyWorker || !this.running) return;
    this.busyWorker = undefined;
    this.giveUpOnCurrent(this.running, reason);
  }

  /** One recipient's rendering did not come back in time: stop the worker, note it, go on with the rest. */
  private armWatchdog(queued: QueuedJob): void {
    clearTimeout(this.watchdog);
    const limit = (this.options.hardTimeoutMs ?? defaultHardTimeout)(queued.job);
    this.watchdog = setTimeout(() => {
      if (this.running !== queued) return;
      this.stopWorker();
      this.giveUpOnCurrent(queued,
        `Rendering did not finish within ${formatSeconds(limit)} and was stopped: check for a loop that never ends or output that never stops growing.`);
    }, limit);
    this.watchdog.unref();
  }

  private giveUpOnCurrent(queued: QueuedJob, reason: string): void {
    clearTimeout(this.watchdog);
    if (queued.next < queued.job.recipients.length) {
      queued.results[queued.next] = failed(queued.job, queued.next, reason);
      queued.next++;
    }
    if (queued.cancelled || queued.next >= queued.job.recipients.length) this.finish(queued);
    else void this.dispatch(queued);
  }

  private finish(queued: QueuedJob): void {
    clearTimeout(this.watchdog);
    if (this.running === queued) {
      this.running = undefined;
      this.busyWorker = undefined;
    }
    if (!queued.cancelled) queued.resolve(queued.results.filter(Boolean));
    this.pump();
  }

  private stopWorker(): void {
    const worker = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    this.busyWorker = undefined;
    clearTimeout(this.idleTimer);
    if (worker) void worker.terminate();
  }

  private scheduleIdleStop(): void {
    clearTimeout(this.idleTimer);
    if (!this.worker) return;
    this.worker.unref();
    this.idleTimer = setTimeout(() => { if (!this.running) this.stopWorker(); }, this.options.idleMs ?? 5 * 60_000);
    this.idleTimer.unref();
  }
}

function failed(job: RenderJob, index: number, error: string): PreviewRecipient {
  const recipient = job.recipients[index];
  return {
    name: recipient.name,
    file: recipient.file,
    ...(recipient.jurisdiction ? { jurisdiction: recipient.jurisdiction } : {}),
    ...(recipient.picked ? { picked: true } : {}),
    summary: 'not rendered',
    counts: { fallback: 0, blank: 0, stale: 0, raw: 0 },
    error,
    html: '',
  };
}

function describeWorkerError(error: Error): string {
  if ((error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return 'Rendering used too much memory and was stopped: check for a loop over a huge range or output that never stops growing.';
  }
  return `The preview renderer failed: ${error.message}`;
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toLocaleString('en', { maximumFractionDigits: 1 })} s`;
}

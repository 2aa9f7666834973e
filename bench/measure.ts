/** What the whole-process benchmarks share: the median they quote, and the usage bench/peak-rss.cjs leaves behind. */
import { readFileSync } from 'node:fs';

/** The middle value, or the mean of the two middle ones. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A finished child's CPU time and peak RSS, from the file peak-rss.cjs wrote as it exited (MERGEWISE_BENCH_USAGE_FILE). */
export function readUsage(file: string): { cpuMs: number; peakRssMB: number } {
  const usage = JSON.parse(readFileSync(file, 'utf8')) as { maxRssKiB: number; userMs: number; systemMs: number };
  return { cpuMs: usage.userMs + usage.systemMs, peakRssMB: usage.maxRssKiB / 1024 };
}

/** Shared helpers for the benchmark modules (`bench/*.bench.ts`). */
import { performance } from "node:perf_hooks";

/** One printed figure. */
export interface BenchRow {
  /** What was measured, e.g. "authorizer: handler / raw RS256 verify (warm)". */
  readonly name: string;
  /** The figure, formatted with its unit, e.g. "1.21x" or "84.2 KB". */
  readonly value: string;
  /** The target it is held to, formatted, if any. */
  readonly target?: string;
  /** Whether the target was met (undefined when there is no target). */
  readonly ok?: boolean;
}

/** Median of the numbers (NaN for none). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * Median time per call of `fn` in microseconds, over `rounds` rounds of `batch`
 * calls each, after a warm-up round.
 */
export async function medianMicros(
  fn: () => unknown,
  { batch = 1000, rounds = 15 }: { batch?: number; rounds?: number } = {},
): Promise<number> {
  for (let i = 0; i < batch; i++) await fn();
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < batch; i++) await fn();
    samples.push(((performance.now() - start) * 1000) / batch);
  }
  return median(samples);
}

/** Format microseconds for printing. */
export function formatMicros(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(2)} us`;
}

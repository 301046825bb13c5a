/**
 * Latency statistics: pure functions over samples, so the figures a benchmark prints are
 * tested with tables rather than trusted.
 */

/** min/p50/p90/p99/max of a set of samples (same unit as the samples); all 0 when there are none. */
export interface Summary {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * The nearest-rank percentile of already sorted samples: the smallest sample such that at
 * least `p` percent of the samples are at or below it. p in [0, 100].
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  if (p <= 0) return sorted[0];
  const rank = Math.ceil((p / 100) * n);
  return sorted[Math.min(n, Math.max(1, rank)) - 1];
}

/** Summarises samples (in any order; the input is not modified). */
export function summarize(samples: ArrayLike<number>): Summary {
  const n = samples.length;
  if (n === 0) return { count: 0, min: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
  // A Float64Array sorts numerically and without boxing: fine for millions of samples.
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  return {
    count: n,
    min: sorted[0],
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[n - 1],
    mean: sum / n,
  };
}

/** The middle value (lower middle for an even count); 0 for none. Used for wall-time medians. */
export function median(samples: ArrayLike<number>): number {
  return percentile(Float64Array.from(samples).sort(), 50);
}

/** a / b, or null when b is 0 (a ratio to a baseline that did not run or measured nothing). */
export function ratio(a: number, b: number): number | null {
  return b === 0 || !Number.isFinite(a) || !Number.isFinite(b) ? null : a / b;
}

/** Rounds for display and JSON: keeps 3 significant digits below 100, integers above. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  if (Math.abs(value) >= 100) return Math.round(value);
  return Number(value.toPrecision(3));
}

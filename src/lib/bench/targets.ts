/**
 * The performance targets of issue 5, each a ratio of a botz figure to a baseline measured in
 * the same run with the same CPU placement (or an absolute limit where there is no baseline).
 * The suite measures in several rounds, each botz workload beside its baseline; a target is
 * judged on the median of its per-round values, so one noisy round of a shared VM cannot
 * decide a verdict alone, and the spread is reported beside it.
 * Pure: the suite measures, this judges.
 */
import { ratio } from './stats.js';

/** The figures the targets are judged on; a missing one (skipped part) leaves its target unjudged. */
export interface SuiteFigures {
  directThroughput64?: number;
  relayThroughput64?: number;
  rawThroughput64?: number;
  rawCoalescedThroughput64?: number;
  directP50At1?: number;
  rawP50At1?: number;
  /** p50 of the plain ws echo carrying JSON frames (raw-json), 1 in flight. */
  rawJsonP50At1?: number;
  broadcastP50?: number;
  rawFanoutP50?: number;
  rssPerComponentBytes?: number;
  sendOneShotMs?: number;
  nodeStartMs?: number;
  natsThroughput64?: number;
}

export interface TargetVerdict {
  target: string;
  /** The median over the rounds of the ratio (or absolute value, see `unit`). */
  measured: number | null;
  /** Lowest and highest per-round value; null when nothing was measured. */
  range: [number, number] | null;
  /** Rounds that measured it. */
  rounds: number;
  /** The limit it is compared with (a floor or a ceiling, see `atLeast`). */
  limit: number;
  /** 'x' for a ratio, else the unit of an absolute figure. */
  unit: string;
  /** True when the measured value must be at least the limit, false when at most. */
  atLeast: boolean;
  /** 'PASS', 'MISS', or 'SKIP' when a figure is missing. */
  verdict: 'PASS' | 'MISS' | 'SKIP';
}

type Rule = { target: string; value: (f: SuiteFigures) => number | null; limit: number; unit: string; atLeast: boolean };

const r = (a: number | undefined, b: number | undefined): number | null => (a === undefined || b === undefined ? null : ratio(a, b));

const RULES: Rule[] = [
  { target: 'direct, 64 in flight: throughput vs plain ws echo', value: (f) => r(f.directThroughput64, f.rawThroughput64), limit: 1.0, unit: 'x', atLeast: true },
  { target: 'direct, 1 in flight: p50 latency vs plain ws echo', value: (f) => r(f.directP50At1, f.rawP50At1), limit: 1.3, unit: 'x', atLeast: false },
  { target: 'relay, 64 in flight: throughput vs plain ws echo', value: (f) => r(f.relayThroughput64, f.rawThroughput64), limit: 0.5, unit: 'x', atLeast: true },
  { target: 'broadcast to 100: p50 vs raw ws fan-out', value: (f) => r(f.broadcastP50, f.rawFanoutP50), limit: 1.5, unit: 'x', atLeast: false },
  { target: 'server RSS per idle registered component', value: (f) => (f.rssPerComponentBytes === undefined ? null : f.rssPerComponentBytes / 1000), limit: 20, unit: 'KB', atLeast: false },
  { target: 'botz send one-shot vs node -e 0', value: (f) => r(f.sendOneShotMs, f.nodeStartMs), limit: 3, unit: 'x', atLeast: false },
  { target: 'direct 64 in flight vs NATS request/reply', value: (f) => r(f.directThroughput64, f.natsThroughput64), limit: 1.0, unit: 'x', atLeast: true },
];

/** The median (the mean of the two middle values for an even count); null for none. */
export function medianOf(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Judges every target on the median of its per-round values (one SuiteFigures per round);
 * missing figures give SKIP, never a guess.
 */
export function judgeTargets(rounds: SuiteFigures | readonly SuiteFigures[]): TargetVerdict[] {
  const all = Array.isArray(rounds) ? rounds : [rounds as SuiteFigures];
  return RULES.map((rule) => {
    const values = all.map(rule.value).filter((v): v is number => v !== null);
    const measured = medianOf(values);
    const verdict = measured === null ? 'SKIP' : (rule.atLeast ? measured >= rule.limit : measured <= rule.limit) ? 'PASS' : 'MISS';
    const range: [number, number] | null = values.length === 0 ? null : [Math.min(...values), Math.max(...values)];
    return { target: rule.target, measured, range, rounds: values.length, limit: rule.limit, unit: rule.unit, atLeast: rule.atLeast, verdict };
  });
}

/** Ratios that are reported without a verdict (how far botz is from the coalescing ceiling); medians over the rounds. */
export function informationalRatios(rounds: SuiteFigures | readonly SuiteFigures[]): { name: string; ratio: number | null }[] {
  const all = Array.isArray(rounds) ? rounds : [rounds as SuiteFigures];
  const over = (value: (f: SuiteFigures) => number | null) => medianOf(all.map(value).filter((v): v is number => v !== null));
  return [
    { name: 'direct 64 in flight vs write-coalescing ws echo', ratio: over((f) => r(f.directThroughput64, f.rawCoalescedThroughput64)) },
    { name: 'relay 64 in flight vs write-coalescing ws echo', ratio: over((f) => r(f.relayThroughput64, f.rawCoalescedThroughput64)) },
    { name: 'ws echo with JSON frames, 1 in flight: p50 vs plain ws echo', ratio: over((f) => r(f.rawJsonP50At1, f.rawP50At1)) },
    { name: 'direct, 1 in flight: p50 vs ws echo with JSON frames', ratio: over((f) => r(f.directP50At1, f.rawJsonP50At1)) },
  ];
}

/**
 * The performance targets of issue 5, each a ratio of a botz figure to a baseline measured in
 * the same run with the same CPU placement (or an absolute limit where there is no baseline).
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
  broadcastP50?: number;
  rawFanoutP50?: number;
  rssPerComponentBytes?: number;
  sendOneShotMs?: number;
  nodeStartMs?: number;
  natsThroughput64?: number;
}

export interface TargetVerdict {
  target: string;
  /** The measured ratio (or absolute value, see `unit`). */
  measured: number | null;
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

/** Judges every target; missing figures give SKIP, never a guess. */
export function judgeTargets(f: SuiteFigures): TargetVerdict[] {
  return RULES.map((rule) => {
    const measured = rule.value(f);
    const verdict = measured === null ? 'SKIP' : (rule.atLeast ? measured >= rule.limit : measured <= rule.limit) ? 'PASS' : 'MISS';
    return { target: rule.target, measured, limit: rule.limit, unit: rule.unit, atLeast: rule.atLeast, verdict };
  });
}

/** Ratios that are reported without a verdict (how far botz is from the coalescing ceiling). */
export function informationalRatios(f: SuiteFigures): { name: string; ratio: number | null }[] {
  return [
    { name: 'direct 64 in flight vs write-coalescing ws echo', ratio: r(f.directThroughput64, f.rawCoalescedThroughput64) },
    { name: 'relay 64 in flight vs write-coalescing ws echo', ratio: r(f.relayThroughput64, f.rawCoalescedThroughput64) },
  ];
}

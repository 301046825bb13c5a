/**
 * The performance targets of issues 5 and 14, each a ratio of a botz figure to a baseline measured in
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
  // Issue 14. Large bodies: MB/s one way (request bodies per second × their size).
  body64kMBps?: number;
  rawBody64kMBps?: number;
  rawJsonBody64kMBps?: number;
  body1mMBps?: number;
  rawBody1mMBps?: number;
  rawJsonBody1mMBps?: number;
  body8mMBps?: number;
  rawBody8mMBps?: number;
  /** The largest of the probed body sizes (1 and 16 MiB) that went through with default limits, MiB; 0 when none did. */
  largestDefaultBodyMiB?: number;
  /** A 1 MiB Uint8Array value; its baseline is the plain ws echo of 1 MiB (rawBody1mMBps). */
  binary1mMBps?: number;
  // The tail: p99 at 64 in flight and at 1, throughput of the JSON-parsing echo at 64.
  directP50At64?: number;
  directP99At64?: number;
  rawP50At64?: number;
  rawP99At64?: number;
  rawJsonThroughput64?: number;
  directP99At1?: number;
  rawP99At1?: number;
  broadcast1000P50?: number;
  rawFanout1000P50?: number;
  /** Reliable `deliver` and plain `send`, msgs/s at 64 in flight, direct and relayed. */
  deliverDirect?: number;
  sendDirect?: number;
  deliverRelay?: number;
  sendRelay?: number;
  registrationsPerSec?: number;
  /** Server RSS per bare idle ws connection (the baseline for rssPerComponentBytes). */
  rssPerWsConnectionBytes?: number;
  /** Bare ws connections opened per second by the same harness (the ceiling for registrationsPerSec). */
  wsConnectionsPerSec?: number;
  /** Server CPU, µs, per registration and per bare ws connection. */
  serverCpuUsPerRegistration?: number;
  serverCpuUsPerWsConnection?: number;
  moleculerThroughput64?: number;
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
  /** The issue that set the target. */
  issue: number;
  /** 'PASS', 'MISS', or 'SKIP' when a figure is missing. */
  verdict: 'PASS' | 'MISS' | 'SKIP';
}

type Rule = { target: string; value: (f: SuiteFigures) => number | null; limit: number; unit: string; atLeast: boolean; issue: number };

const r = (a: number | undefined, b: number | undefined): number | null => (a === undefined || b === undefined ? null : ratio(a, b));

const RULES: Rule[] = [
  { target: 'direct, 64 in flight: throughput vs plain ws echo', value: (f) => r(f.directThroughput64, f.rawThroughput64), limit: 1.0, unit: 'x', atLeast: true, issue: 5 },
  { target: 'direct, 1 in flight: p50 latency vs plain ws echo', value: (f) => r(f.directP50At1, f.rawP50At1), limit: 1.3, unit: 'x', atLeast: false, issue: 5 },
  { target: 'relay, 64 in flight: throughput vs plain ws echo', value: (f) => r(f.relayThroughput64, f.rawThroughput64), limit: 0.5, unit: 'x', atLeast: true, issue: 5 },
  { target: 'broadcast to 100: p50 vs raw ws fan-out', value: (f) => r(f.broadcastP50, f.rawFanoutP50), limit: 1.5, unit: 'x', atLeast: false, issue: 5 },
  { target: 'server RSS per idle registered component', value: (f) => (f.rssPerComponentBytes === undefined ? null : f.rssPerComponentBytes / 1000), limit: 20, unit: 'KB', atLeast: false, issue: 5 },
  { target: 'botz send one-shot vs node -e 0', value: (f) => r(f.sendOneShotMs, f.nodeStartMs), limit: 3, unit: 'x', atLeast: false, issue: 5 },
  { target: 'direct 64 in flight vs NATS request/reply', value: (f) => r(f.directThroughput64, f.natsThroughput64), limit: 1.0, unit: 'x', atLeast: true, issue: 5 },
  ...[
    { target: '64 KiB bodies, 4 in flight: MB/s vs JSON-parsing ws echo', value: (f: SuiteFigures) => r(f.body64kMBps, f.rawJsonBody64kMBps), limit: 0.5, unit: 'x', atLeast: true },
    { target: '1 MiB bodies: MB/s vs JSON-parsing ws echo', value: (f: SuiteFigures) => r(f.body1mMBps, f.rawJsonBody1mMBps), limit: 0.5, unit: 'x', atLeast: true },
    { target: '8 MiB bodies: MB/s vs plain ws', value: (f: SuiteFigures) => r(f.body8mMBps, f.rawBody8mMBps), limit: 0.25, unit: 'x', atLeast: true },
    { target: '1 MiB binary body: MB/s vs plain ws', value: (f: SuiteFigures) => r(f.binary1mMBps, f.rawBody1mMBps), limit: 0.4, unit: 'x', atLeast: true },
    { target: 'largest body with default limits (1 and 16 MiB probed)', value: (f: SuiteFigures) => f.largestDefaultBodyMiB ?? null, limit: 16, unit: ' MiB', atLeast: true },
    { target: 'direct, 64 in flight: p99 vs plain ws p99', value: (f: SuiteFigures) => r(f.directP99At64, f.rawP99At64), limit: 2, unit: 'x', atLeast: false },
    { target: 'direct, 64 in flight: throughput vs JSON-parsing ws echo', value: (f: SuiteFigures) => r(f.directThroughput64, f.rawJsonThroughput64), limit: 1.0, unit: 'x', atLeast: true },
    { target: 'direct, 1 in flight: p50 vs JSON-parsing ws echo', value: (f: SuiteFigures) => r(f.directP50At1, f.rawJsonP50At1), limit: 1.15, unit: 'x', atLeast: false },
    { target: 'direct, 1 in flight: p99 vs plain ws p99', value: (f: SuiteFigures) => r(f.directP99At1, f.rawP99At1), limit: 1.5, unit: 'x', atLeast: false },
    { target: 'broadcast to 100 (4 processes): p50 vs raw ws fan-out', value: (f: SuiteFigures) => r(f.broadcastP50, f.rawFanoutP50), limit: 2, unit: 'x', atLeast: false },
    { target: 'broadcast to 1,000 (4 processes): p50 vs raw ws fan-out', value: (f: SuiteFigures) => r(f.broadcast1000P50, f.rawFanout1000P50), limit: 2.5, unit: 'x', atLeast: false },
    { target: 'deliver vs send, direct, 64 in flight', value: (f: SuiteFigures) => r(f.deliverDirect, f.sendDirect), limit: 0.8, unit: 'x', atLeast: true },
    { target: 'deliver vs send, relay, 64 in flight', value: (f: SuiteFigures) => r(f.deliverRelay, f.sendRelay), limit: 0.8, unit: 'x', atLeast: true },
    { target: 'registrations per second, 5,000 components', value: (f: SuiteFigures) => f.registrationsPerSec ?? null, limit: 3000, unit: '/s', atLeast: true },
    { target: 'server RSS per idle component vs bare ws connection', value: (f: SuiteFigures) => r(f.rssPerComponentBytes, f.rssPerWsConnectionBytes), limit: 1.3, unit: 'x', atLeast: false },
    { target: 'direct 64 in flight vs Moleculer over TCP', value: (f: SuiteFigures) => r(f.directThroughput64, f.moleculerThroughput64), limit: 1.0, unit: 'x', atLeast: true },
  ].map((rule) => ({ ...rule, issue: 14 })),
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
    return { target: rule.target, measured, range, rounds: values.length, limit: rule.limit, unit: rule.unit, atLeast: rule.atLeast, issue: rule.issue, verdict };
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
    { name: 'registrations/s vs bare ws connections/s (same harness)', ratio: over((f) => r(f.registrationsPerSec, f.wsConnectionsPerSec)) },
    { name: 'server CPU per registration vs per bare ws connection', ratio: over((f) => r(f.serverCpuUsPerRegistration, f.serverCpuUsPerWsConnection)) },
  ];
}

/** A per-round figure's median and its range over the rounds (how steady it was). */
export interface RoundSpread {
  name: string;
  median: number | null;
  range: [number, number] | null;
  /** Highest over lowest; null with fewer than one value or a zero lowest. */
  swing: number | null;
}

const SPREAD_FIGURES: { name: string; key: keyof SuiteFigures }[] = [
  { name: 'direct, 64 in flight, msgs/s', key: 'directThroughput64' },
  { name: 'plain ws echo, 64 in flight, msgs/s', key: 'rawThroughput64' },
  { name: 'JSON-parsing ws echo, 64 in flight, msgs/s', key: 'rawJsonThroughput64' },
  { name: 'direct, 64 in flight, p50 ms', key: 'directP50At64' },
  { name: 'direct, 64 in flight, p99 ms', key: 'directP99At64' },
  { name: 'plain ws echo, 64 in flight, p50 ms', key: 'rawP50At64' },
  { name: 'plain ws echo, 64 in flight, p99 ms', key: 'rawP99At64' },
  { name: 'deliver, direct, 64 in flight, msgs/s', key: 'deliverDirect' },
  { name: 'send, direct, 64 in flight, msgs/s', key: 'sendDirect' },
];

/** How much each round-to-round figure swung (the issue asks for botz's spread to be like the baselines'). */
export function roundSpreads(rounds: readonly SuiteFigures[]): RoundSpread[] {
  return SPREAD_FIGURES.map(({ name, key }) => {
    const values = rounds.map((f) => f[key]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (values.length === 0) return { name, median: null, range: null, swing: null };
    const range: [number, number] = [Math.min(...values), Math.max(...values)];
    return { name, median: medianOf(values), range, swing: range[0] > 0 ? range[1] / range[0] : null };
  });
}

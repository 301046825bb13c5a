/**
 * Broadcast benchmark: one sender, N receivers spread over one or more other processes; each
 * round is timed from the call until every receiver has acknowledged it. botz uses
 * Client.broadcast to a group of components that accept direct links; the baseline sends one
 * raw ws message on each of N connections to as many echo processes and waits for all N echoes.
 */
import { randomBytes } from 'node:crypto';
import { Client } from '../component/client.js';
import { benchBody, benchBytes } from './body.js';
import type { Peer, PeerHost } from './peer-host.js';
import { RawClient } from './raw-ws.js';
import { summarize, type Summary } from './stats.js';

export type BroadcastTarget = 'botz' | 'raw';

export interface BroadcastBenchOptions {
  target: BroadcastTarget;
  receivers: number;
  /** Processes the receivers (or the baseline's echo servers) are spread over, evenly (default 1). */
  processes?: number;
  rounds: number;
  /** Rounds run and discarded first (the first botz round dials every receiver). */
  warmup?: number;
  bodyBytes: number;
  host: PeerHost;
  timeoutMs?: number;
  onProgress?: (round: number) => void;
}

export interface BroadcastBenchResult {
  target: BroadcastTarget;
  receivers: number;
  processes: number;
  rounds: number;
  /** Rounds in which some receiver did not acknowledge. */
  errors: number;
  /** Acknowledgements received over all measured rounds (rounds × receivers when all went well). */
  delivered: number;
  /**
   * Why receivers did not acknowledge, counted over all measured rounds: an error code, or
   * MISSING for a receiver the broadcast did not reach at all (not listed in its group).
   */
  failureCodes: Record<string, number>;
  /** Time until all receivers had it, over the rounds every receiver acknowledged. */
  latencyMs: Summary;
}

/** One round: how many acknowledged, and the codes of those that failed. */
type Round = () => Promise<{ delivered: number; failed: string[] }>;

const codeOf = (reason: unknown): string => {
  const code = (reason as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'ERROR';
};

/** `total` split into `parts` counts that differ by at most one. */
export function spread(total: number, parts: number): number[] {
  const n = Math.max(1, Math.min(parts, total));
  return Array.from({ length: n }, (_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0));
}

async function botzRounds(o: BroadcastBenchOptions, peers: Peer[]): Promise<{ round: Round; close: () => Promise<void> }> {
  const secret = randomBytes(24).toString('base64url');
  const server = await o.host({ role: 'server', secret });
  peers.push(server);
  const address = String(server.info.address);
  const group = `bench-rx-${process.pid}`;
  const counts = spread(o.receivers, o.processes ?? 1);
  peers.push(...(await Promise.all(counts.map((count, p) => o.host({ role: 'receivers', server: address, secret, count, prefix: `${group}-${p}`, group })))));
  const client = await Client.connect({ server: address, secret });
  const body = benchBody(o.bodyBytes);
  const timeout = o.timeoutMs ?? 10_000;
  return {
    round: async () => {
      const result = await client.broadcast(body, { group, timeout });
      const failed = result.failed.map((f) => f.error.code);
      const reached = result.delivered.length + result.ignored.length + failed.length;
      for (let i = reached; i < o.receivers; i++) failed.push('MISSING');
      return { delivered: result.delivered.length, failed };
    },
    close: () => client.close(),
  };
}

async function rawRounds(o: BroadcastBenchOptions, peers: Peer[]): Promise<{ round: Round; close: () => Promise<void> }> {
  const counts = spread(o.receivers, o.processes ?? 1);
  const echoes = await Promise.all(counts.map(() => o.host({ role: 'raw-echo', coalesce: false })));
  peers.push(...echoes);
  const clients: RawClient[] = [];
  for (const [p, count] of counts.entries()) {
    for (let i = 0; i < count; i++) clients.push(await RawClient.connect(String(echoes[p].info.address), { coalesce: false }));
  }
  const bytes = benchBytes(o.bodyBytes);
  return {
    round: async () => {
      const outcomes = await Promise.allSettled(clients.map((c) => c.request(bytes)));
      return { delivered: outcomes.filter((r) => r.status === 'fulfilled').length, failed: outcomes.flatMap((r) => (r.status === 'rejected' ? [codeOf(r.reason)] : [])) };
    },
    close: async () => clients.forEach((c) => c.close()),
  };
}

export async function benchBroadcast(o: BroadcastBenchOptions): Promise<BroadcastBenchResult> {
  const peers: Peer[] = [];
  try {
    const { round, close } = o.target === 'botz' ? await botzRounds(o, peers) : await rawRounds(o, peers);
    try {
      for (let i = 0; i < (o.warmup ?? 20); i++) await round();
      // Only complete rounds are timed: a round that reached nobody would otherwise look fast.
      const times: number[] = [];
      const failureCodes: Record<string, number> = {};
      let errors = 0;
      let delivered = 0;
      for (let i = 0; i < o.rounds; i++) {
        const t0 = performance.now();
        const got = await round();
        const ms = performance.now() - t0;
        delivered += got.delivered;
        if (got.delivered === o.receivers) times.push(ms);
        else errors++;
        for (const code of got.failed) failureCodes[code] = (failureCodes[code] ?? 0) + 1;
        o.onProgress?.(i + 1);
      }
      return { target: o.target, receivers: o.receivers, processes: spread(o.receivers, o.processes ?? 1).length, rounds: o.rounds, errors, delivered, failureCodes, latencyMs: summarize(times) };
    } finally {
      await close();
    }
  } finally {
    for (const p of peers.reverse()) await p.stop();
  }
}

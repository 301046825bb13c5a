/**
 * Reliable vs plain throughput: the same one-way traffic sent as `deliver` (reliable: window,
 * acks, dedupe, end-to-end confirmation) and as `send` (request/response, the handler's reply
 * is null), between two components of one process, over a direct link or the server's relay.
 * Both keep `inFlight` calls outstanding, so the figures differ only by the delivery mode.
 *
 * In one process the server, sender and receiver share one CPU; the ratio between the modes
 * is what this measures, not the best absolute figure (see request-bench for that).
 */
import { randomBytes } from 'node:crypto';
import { Component } from '../component/component.js';
import { Server } from '../registry/server.js';
import { benchBody } from './body.js';

export type ReliableBenchMode = 'deliver' | 'send';

export interface ReliableBenchOptions {
  mode: ReliableBenchMode;
  path: 'direct' | 'relay';
  /** Measured messages (after the warm-up). */
  count: number;
  bodyBytes: number;
  /** Calls outstanding at once (the reliable window is 256 by default). */
  inFlight: number;
  warmup?: number;
}

export interface ReliableBenchResult {
  mode: ReliableBenchMode;
  path: 'direct' | 'relay';
  count: number;
  bodyBytes: number;
  inFlight: number;
  seconds: number;
  messagesPerSecond: number;
}

/**
 * Enough for V8 to optimise either mode's path before it is timed: with 2,000 the first `deliver`
 * run of a process measured its own compilation (0.5x of `send` in round 1, 0.7-0.85x after).
 */
export const DEFAULT_RELIABLE_BENCH_WARMUP = 10_000;

/** Runs one measurement on a private server on 127.0.0.1 (port 0) and stops everything after. */
export async function reliableThroughput(options: ReliableBenchOptions): Promise<ReliableBenchResult> {
  const secret = randomBytes(24).toString('base64url');
  const server = await Server.start({ host: '127.0.0.1', port: 0, secret });
  const started: Component[] = [];
  try {
    let received = 0;
    const receiver = await Component.start({
      server: server.address,
      secret,
      name: 'bench-receiver',
      ...(options.path === 'direct' ? { port: 0 } : {}),
      onMessage: () => {
        received++;
        return undefined;
      },
    });
    started.push(receiver);
    const sender = await Component.start({ server: server.address, secret, name: 'bench-sender' });
    started.push(sender);
    const body = benchBody(options.bodyBytes);
    const call =
      options.mode === 'deliver'
        ? () => sender.deliver('bench-receiver', body, { timeout: 60_000 })
        : () => sender.send('bench-receiver', body, { timeout: 60_000 }).then(() => undefined);
    const run = async (n: number): Promise<void> => {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < n) {
          next++;
          await call();
        }
      };
      await Promise.all(Array.from({ length: Math.min(options.inFlight, n) }, worker));
    };
    await run(options.warmup ?? DEFAULT_RELIABLE_BENCH_WARMUP);
    const before = received;
    const t0 = process.hrtime.bigint();
    await run(options.count);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (received - before < options.count) throw new Error(`only ${received - before} of ${options.count} arrived`);
    return {
      mode: options.mode,
      path: options.path,
      count: options.count,
      bodyBytes: options.bodyBytes,
      inFlight: options.inFlight,
      seconds,
      messagesPerSecond: Math.round(options.count / seconds),
    };
  } finally {
    for (const c of started.reverse()) await c.stop().catch(() => {});
    await server.stop();
  }
}

/**
 * The chaos test of issue 8: alice delivers N messages to bob, whose direct address is a real
 * fault-injecting TCP proxy process (scripts/chaos-proxy.mjs) that resets connections at random
 * and delays chunks. Every message must arrive exactly once and in order; then the same while
 * the server restarts twice (bob's acknowledgements travel through its relay).
 *
 * CI size: 10,000 messages. The full run: `CHAOS_MESSAGES=100000 scripts/chaos.sh`.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Component, Server } from '../../../src/index.js';
import { Network, SECRET } from '../../helpers/network.js';
import { freePort } from '../../helpers/ports.js';

const N = Number(process.env.CHAOS_MESSAGES ?? 10_000);
const SEED = Number(process.env.CHAOS_SEED ?? 7);
/** Per forwarded chunk; a chunk carries a whole packet of up to a few hundred messages. */
const CUT_PROB = Number(process.env.CHAOS_CUT_PROB ?? 0.1);
/** Deliveries awaited together: enough to keep the window (256) full. */
const BATCH = 1_000;
const PROXY = fileURLToPath(new URL('../../../scripts/chaos-proxy.mjs', import.meta.url));
/** A smaller window than the default 256: more, smaller packets, so more chunks the proxy may cut. */
const reliable = { windowSize: 64, rto: { maxRtoMs: 1_000 } };

const net = new Network();
afterEach(() => net.stopAll());

interface Proxy {
  port: number;
  cuts: number;
  connections: number;
  stop(): Promise<void>;
}

async function startProxy(target: number, cutProb: number, delayMaxMs: number): Promise<Proxy> {
  const args = [PROXY, '--target', String(target), '--seed', String(SEED), '--cut-prob', String(cutProb), '--grace-chunks', '3'];
  const child = spawn(process.execPath, [...args, '--delay-max-ms', String(delayMaxMs), '--duration-ms', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const proxy: Proxy = {
    port: 0,
    cuts: 0,
    connections: 0,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  net.add(() => proxy.stop());
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`chaos-proxy exited (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const event = JSON.parse(line) as { event: string; port?: number };
      if (event.event === 'listening') {
        proxy.port = event.port!;
        resolve();
      } else if (event.event === 'cut') proxy.cuts++;
      else if (event.event === 'connection') proxy.connections++;
    });
  });
  return proxy;
}

/** Counts what matters in what bob received: gaps, repeats, and messages out of order. */
function audit(received: number[], n: number) {
  const seen = new Uint8Array(n);
  let duplicated = 0;
  let outOfOrder = 0;
  received.forEach((v, i) => {
    if (seen[v]) duplicated++;
    seen[v] = 1;
    if (v !== i) outOfOrder++;
  });
  return { received: received.length, lost: n - seen.reduce((a, b) => a + b, 0), duplicated, outOfOrder };
}

async function chaosRun(options: { restarts: number }) {
  let server = await Server.start({ host: '127.0.0.1', port: 0, secret: SECRET });
  const serverPort = Number(server.address.split(':')[1]);
  net.add(() => server.stop());
  const bobPort = await freePort();
  const proxy = await startProxy(bobPort, CUT_PROB, 5);
  const bob = await Component.start({
    server: server.address,
    secret: SECRET,
    name: 'bob',
    port: bobPort,
    advertise: `127.0.0.1:${proxy.port}`,
    reliable,
  });
  net.add(() => bob.stop());
  // alice accepts no links: bob's acks go back through the server's relay.
  const alice = await Component.start({ server: server.address, secret: SECRET, name: 'alice', reliable });
  net.add(() => alice.stop());
  let reconnects = 0;
  alice.on('reconnected', () => reconnects++);

  const received: number[] = [];
  const paths: Record<string, number> = { direct: 0, relay: 0 };
  const reading = (async () => {
    for await (const m of bob.messages()) {
      received.push(m.body as number);
      paths[m.path]++;
      if (received.length === N) return;
    }
  })();
  const restartEvery = Math.floor(N / (options.restarts + 1));
  for (let i = 0; i < N; i += BATCH) {
    const batch = Promise.all(
      Array.from({ length: Math.min(BATCH, N - i) }, (_, k) => alice.deliver('bob', i + k, { timeout: 120_000 })),
    );
    if (options.restarts > 0 && i > 0 && Math.floor(i / restartEvery) !== Math.floor((i - BATCH) / restartEvery)) {
      // Restart with this batch in flight.
      await server.stop();
      server = await Server.start({ host: '127.0.0.1', port: serverPort, secret: SECRET });
    }
    await batch;
  }
  await reading;
  return { audit: audit(received, N), proxy, paths, reconnects };
}

describe(`chaos: ${N} messages through a fault-injecting proxy`, () => {
  it('loses none, repeats none and keeps order while connections are cut and chunks delayed', { timeout: 60_000 + N * 3 }, async () => {
    const { audit: result, proxy, paths } = await chaosRun({ restarts: 0 });
    console.log(`chaos: ${N} messages, ${proxy.cuts} cuts, ${proxy.connections} connections, paths ${JSON.stringify(paths)}`);
    expect(result).toEqual({ received: N, lost: 0, duplicated: 0, outOfOrder: 0 });
    expect(proxy.cuts).toBeGreaterThan(0);
    // The stream really crossed the proxy (a failed dial would have moved it to the relay).
    expect(paths.direct).toBeGreaterThan(N / 2);
  });

  it('does the same while the server restarts twice', { timeout: 60_000 + N * 3 }, async () => {
    const { audit: result, proxy, paths, reconnects } = await chaosRun({ restarts: 2 });
    expect(reconnects).toBe(2);
    console.log(`chaos + 2 server restarts: ${N} messages, ${proxy.cuts} cuts, paths ${JSON.stringify(paths)}`);
    expect(result).toEqual({ received: N, lost: 0, duplicated: 0, outOfOrder: 0 });
    expect(proxy.cuts).toBeGreaterThan(0);
  });
});

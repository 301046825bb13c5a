/**
 * Three servers on one Redis, one killed -9 under traffic (issue 16). Real `botz serve`
 * processes on a real redis-server; the components live in this process, spread over the three
 * servers, each given its home server first and the other two after it, except a few that know
 * only A and so go down with it. While a client sends requests to every component and pairs of
 * components exchange reliable messages, A is killed -9:
 * - every component that knows another server re-registers there and keeps its name (a watcher
 *   on C sees no `leave` for any of them: the reclaim beat A's lease);
 * - no reliable message is lost or duplicated (every one is counted at its receiver);
 * - the names of A-only components are released by A's lease running out (no sweep), and can
 *   be taken again;
 * - streams open at the kill (one relayed between two components of A, one from A to B) go on
 *   after both ends moved: every byte echoed once and in order (the opener resends what was not
 *   credited when its server link comes back; the receiver keeps only the seq it expects).
 * 60 components in CI; BOTZ_FAILOVER_COMPONENTS=300 (npm run test:failover-300) for the full size.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Component, type MembershipNotice, type Message, type StreamChannel } from '../../src/index.js';
import { isolatedEnv, runBotz, startBotz, type Running } from './harness.js';
import { RedisProcess } from '../helpers/redis.js';
import { until } from '../helpers/wait.js';

const COUNT = Number(process.env.BOTZ_FAILOVER_COMPONENTS ?? 60);
const LEASE_MS = 3_000;
/** Reliable messages each pair has acknowledged before the kill, and again after the failover. */
const PER_PHASE = 20;
/** Reliable messages a sender sends each time a request completes (the two kinds of traffic keep pace). */
const BURST = 4;
/** Reliable messages a sender keeps in flight at most: some are always unacknowledged when A dies. */
const WINDOW = 8;
/** Bytes each stream carries each way, in chunks of STREAM_CHUNK. */
const STREAM_BYTES = 1024 * 1024;
const STREAM_CHUNK = 16 * 1024;
/** Long enough for any wait of this test on a loaded machine; nothing waits for it to pass. */
const PATIENCE_MS = 60_000;

let redis: RedisProcess;
let configDir: string;
let secret: string;
const servers: { run: Running; address: string }[] = [];
const components: Component[] = [];
const clients: Client[] = [];

async function serve(): Promise<{ run: Running; address: string }> {
  const run = startBotz(['serve', '--port', '0', '--store', redis.url, '--lease', `${LEASE_MS}ms`], isolatedEnv({ BOTZ_CONFIG_DIR: configDir }));
  return { run, address: (await run.waitFor(/^listening on /)).replace('listening on ', '').trim() };
}

beforeAll(async () => {
  redis = await RedisProcess.start();
  configDir = await mkdtemp(join(tmpdir(), 'botz-e2e-three-'));
  // The first creates the network's secret in the config dir; the others read it.
  servers.push(await serve());
  servers.push(...(await Promise.all([serve(), serve()])));
  secret = (await readFile(join(configDir, 'secret'), 'utf8')).trim();
}, PATIENCE_MS);
afterAll(async () => {
  await Promise.all([...components.map((c) => c.stop()), ...clients.map((c) => c.close())]);
  await Promise.all(servers.map((s) => s.run.stop('SIGKILL')));
  await redis?.kill();
}, PATIENCE_MS);

/**
 * Once `start` settles, writes STREAM_BYTES of a known pattern with backpressure; counts and
 * hashes what echoes back, calling `onEcho` with the count after each chunk.
 */
function echoTransfer(ch: StreamChannel, start: Promise<unknown>, onEcho: (echoed: number) => void) {
  const sent = createHash('sha256');
  const back = createHash('sha256');
  const progress = { echoed: 0 };
  const written = (async () => {
    await start;
    for (let offset = 0; offset < STREAM_BYTES; offset += STREAM_CHUNK) {
      const chunk = Buffer.alloc(STREAM_CHUNK, offset / STREAM_CHUNK);
      sent.update(chunk);
      if (!ch.write(chunk)) await new Promise((resolve) => ch.once('drain', resolve));
    }
    ch.end();
  })();
  const read = (async () => {
    for await (const chunk of ch) {
      back.update(chunk as Buffer);
      progress.echoed += (chunk as Buffer).length;
      onEcho(progress.echoed);
    }
  })();
  return { progress, done: Promise.all([written, read]).then(() => ({ sent: sent.digest('hex'), back: back.digest('hex') })) };
}

/** `k-N`'s servers: its home (N mod 3) first, then the others; every 12th of A's knows only A. */
function serversOf(n: number): string {
  const home = n % 3;
  if (home === 0 && n % 12 === 0) return servers[0].address;
  return [0, 1, 2].map((k) => servers[(home + k) % 3].address).join(',');
}

describe('three servers on one Redis, one killed -9 under request and reliable traffic', () => {
  it(`${COUNT} components: A's fail over keeping their names, no reliable message lost or duplicated, A-only names released by its lease`, async () => {
    const [a, b, c] = servers;
    /** What each receiver got, per sender: `n` in arrival order. */
    const got = new Map<string, number[]>();
    const onMessage = (m: Message): unknown => {
      const body = m.body as { n?: number } | null;
      if (m.kind === 'message' && typeof body?.n === 'number') {
        const key = `${m.from}->${body && (body as { to?: string }).to}`;
        got.set(key, [...(got.get(key) ?? []), body.n]);
      }
      return m.body;
    };
    const names = Array.from({ length: COUNT }, (_, n) => `k-${n}`);
    for (let n = 0; n < COUNT; n += 20) {
      const batch = names.slice(n, n + 20);
      components.push(...(await Promise.all(batch.map((name, i) => Component.start({ name, server: serversOf(n + i), secret, timeoutMs: 10_000, onMessage })))));
    }
    const lone = names.filter((_, n) => !serversOf(n).includes(','));
    const movers = names.filter((_, n) => n % 3 === 0 && serversOf(n).includes(','));
    const byName = new Map(components.map((comp, n) => [names[n], comp]));
    for (const comp of components) comp.accept('echo', (ch) => void pipeline(ch, ch).catch(() => {}));

    // Every server lists all of them (page by page past 1,000).
    const listings = await Promise.all(servers.map((s) => runBotz(['components', '--json'], isolatedEnv({ BOTZ_CONFIG_DIR: configDir, BOTZ_SERVER: s.address }))));
    for (const r of listings) expect((JSON.parse(r.stdout) as unknown[]).length).toBe(COUNT);

    const watcher = await Client.connect({ server: `${c.address},${b.address}`, secret, timeoutMs: 10_000 });
    clients.push(watcher);
    const events: MembershipNotice[] = [];
    await watcher.watch((e) => events.push(e));

    // Reliable pairs across the servers: A→A, A→B, B→A, C→A (home = n mod 3).
    const pairs: [string, string][] = [
      ['k-3', 'k-9'],
      ['k-6', 'k-4'],
      ['k-1', 'k-15'],
      ['k-5', 'k-21'],
    ];
    let phase = 'before' as 'before' | 'after' | 'stop';
    // Each completed request lets the senders send a burst: a pace set by events, not by a timer.
    let tick!: () => void;
    let ticked = new Promise<void>((resolve) => (tick = resolve));
    const requestDone = (): void => {
      const done = tick;
      ticked = new Promise<void>((resolve) => (tick = resolve));
      done();
    };
    const acked = new Map(pairs.map(([tx, rx]) => [`${tx}->${rx}`, { before: 0, after: 0, sent: 0 }]));
    const senders = pairs.map(async ([tx, rx]) => {
      const count = acked.get(`${tx}->${rx}`)!;
      const inFlight = new Set<Promise<void>>();
      for (let i = 0; phase !== 'stop'; i++) {
        if (i % BURST === 0) await ticked;
        // The phase changed while we waited (TypeScript narrowed it before the await).
        if ((phase as string) === 'stop') break;
        const n = count.sent++;
        const p = byName
          .get(tx)!
          .deliver(rx, { n, to: rx }, { timeout: PATIENCE_MS })
          .then(() => {
            count[phase === 'before' ? 'before' : 'after']++;
          })
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
        if (inFlight.size >= WINDOW) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    });

    // Requests from a client of B and C to every component but the A-only ones, round robin.
    const requester = await Client.connect({ server: `${b.address},${c.address}`, secret, timeoutMs: 10_000 });
    clients.push(requester);
    const requests = { ok: 0, failed: 0, okAfter: 0 };
    const targets = names.filter((name) => !lone.includes(name));
    const requesting = (async () => {
      for (let i = 0; phase !== 'stop'; i++) {
        try {
          await requester.request(targets[i % targets.length], { ping: i }, { timeout: 3_000 });
          requests.ok++;
          if (phase === 'after') requests.okAfter++;
        } catch {
          requests.failed++;
        }
        requestDone();
      }
      requestDone();
    })();

    // Streams through the kill: relayed within A (k-27 → k-30, both movers of A), and from A to B
    // (k-33 → k-7). They start once the other traffic flows, and A is killed from the first
    // one's reader when a quarter has come back: a window's worth is then in flight through A.
    let startStreams!: () => void;
    const streamsStarted = new Promise<void>((resolve) => (startStreams = resolve));
    let killed!: Promise<unknown>;
    let killedAt = 0;
    let echoedAtKill = '';
    const killA = (): void => {
      if (killedAt) return;
      killedAt = Date.now();
      echoedAtKill = streams.map((t) => `${t.progress.echoed >> 10}`).join('+');
      killed = a.run.stop('SIGKILL'); // at once, from the reader: not a turn later
    };
    let streams: { what: string; progress: { echoed: number }; done: Promise<{ sent: string; back: string }> }[] = [];
    streams = await Promise.all(
      [
        ['k-27', 'k-30'],
        ['k-33', 'k-7'],
      ].map(async ([from, to], i) => ({
        what: `${from}->${to}`,
        ...echoTransfer(await byName.get(from)!.connect(to, 'echo'), streamsStarted, (echoed) => i === 0 && echoed >= STREAM_BYTES / 4 && killA()),
      })),
    );
    await until('traffic flows before the kill', () => requests.ok >= 20 && [...acked.values()].every((c) => c.before >= PER_PHASE), PATIENCE_MS);

    const reconnected = Promise.all(movers.map((name) => new Promise((resolve) => byName.get(name)!.once('reconnected', resolve))));
    startStreams();
    await until('A killed mid-stream', () => killedAt > 0, PATIENCE_MS);
    await killed;
    await reconnected;
    const failoverMs = Date.now() - killedAt;
    phase = 'after';

    await until('the A-only names are released (lease expiry, pushed to the watcher on C)', () => lone.every((name) => events.some((e) => e.type === 'leave' && e.component.name === name)), PATIENCE_MS);
    const releasedMs = Date.now() - killedAt;
    await until('traffic flows after the failover', () => requests.okAfter >= targets.length && [...acked.values()].every((c) => c.after >= PER_PHASE), PATIENCE_MS);
    phase = 'stop';
    await Promise.all([...senders, requesting]);
    console.log(
      `${COUNT} components on 3 servers: ${movers.length} moved off A within ${failoverMs} ms of its kill -9 (lease ${LEASE_MS} ms); ` +
        `${lone.length} A-only names released after ${releasedMs} ms; requests ${requests.ok} answered, ${requests.failed} failed around the kill; ` +
        `reliable ${[...acked.values()].map((c) => c.sent).join('+')} messages; streams ${echoedAtKill} KiB of ${STREAM_BYTES >> 10} echoed at the kill`,
    );

    // The streams went on: every byte echoed once, in order.
    for (const t of streams) {
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`stream ${t.what} stalled: ${t.progress.echoed} of ${STREAM_BYTES} bytes echoed`)), PATIENCE_MS);
      });
      const { sent, back } = await Promise.race([t.done, stalled]).finally(() => clearTimeout(timer));
      expect({ what: t.what, echoed: t.progress.echoed, back }).toEqual({ what: t.what, echoed: STREAM_BYTES, back: sent });
    }
    // Not one reliable message lost or duplicated.
    for (const [key, count] of acked) expect({ key, got: got.get(key) ?? [] }).toEqual({ key, got: Array.from({ length: count.sent }, (_, n) => n) });
    // The movers kept their names: the watcher never saw one leave; they are on B or C now.
    expect(events.filter((e) => e.type === 'leave' && movers.includes(e.component.name))).toEqual([]);
    const listed = await watcher.components();
    expect(listed.length).toBe(COUNT - lone.length);
    for (const name of movers) expect([b.address, c.address]).toContain(listed.find((e) => e.name === name)?.server);
    // An A-only name is free again: a newcomer on B takes it.
    const newcomer = await Component.start({ name: lone[0], server: b.address, secret, timeoutMs: 10_000 });
    components.push(newcomer);
    expect((await watcher.components()).find((e) => e.name === lone[0])?.server).toBe(b.address);
  }, 120_000);
});

#!/usr/bin/env node
/**
 * chaos-proxy: a fault-injecting TCP proxy for the reliable-delivery chaos test. Plain Node,
 * no dependencies. It listens on 127.0.0.1, forwards every connection to a target port on
 * 127.0.0.1, delays chunks (keeping their order, as TCP must), and cuts connections at random
 * with a TCP reset. It only ever binds and dials the loopback address.
 *
 *   node scripts/chaos-proxy.mjs --target 7300 [--listen 0] [--seed 1] [--cut-prob 0.001]
 *        [--delay-max-ms 20] [--duration-ms 60000] [--grace-chunks 0]
 *
 * --cut-prob      probability that a forwarded chunk cuts its connection instead (per chunk)
 * --grace-chunks  the first N chunks of each direction of a connection are never cut, so
 *                 cuts hit established connections rather than handshakes (a failed dial
 *                 sends a botz sender to the server's relay for a while, away from the proxy)
 * --delay-max-ms  each chunk waits a random 0..N ms (never overtaking the chunk before it)
 * --duration-ms   the proxy exits by itself after this long (bounded run time); 0 = never
 * --seed          seeds the random choices, so a run's faults repeat (timing still varies)
 *
 * Stdout carries one JSON object per line: {"event":"listening","port":N} first, then
 * "connection", "cut" and "closed" events, and {"event":"summary",...} when it exits
 * (on --duration-ms, SIGTERM or SIGINT).
 */
import net from 'node:net';
import { parseArgs } from 'node:util';

const HOST = '127.0.0.1';
/** Bytes delayed in one direction before the proxy stops reading that side (bounded memory). */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;

function usage(message) {
  process.stderr.write(`chaos-proxy: ${message}\n`);
  process.exit(2);
}

function number(value, name, min = 0) {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) usage(`--${name} must be a number >= ${min}`);
  return n;
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      target: { type: 'string' },
      listen: { type: 'string', default: '0' },
      seed: { type: 'string', default: '1' },
      'cut-prob': { type: 'string', default: '0' },
      'delay-max-ms': { type: 'string', default: '0' },
      'duration-ms': { type: 'string', default: '60000' },
      'grace-chunks': { type: 'string', default: '0' },
    },
  }).values;
} catch (error) {
  usage(error.message);
}
if (parsed.target === undefined) usage('--target PORT is required');
const options = {
  target: number(parsed.target, 'target', 1),
  listen: number(parsed.listen, 'listen'),
  seed: number(parsed.seed, 'seed'),
  cutProb: number(parsed['cut-prob'], 'cut-prob'),
  delayMaxMs: number(parsed['delay-max-ms'], 'delay-max-ms'),
  durationMs: number(parsed['duration-ms'], 'duration-ms'),
  graceChunks: number(parsed['grace-chunks'], 'grace-chunks'),
};
if (options.cutProb > 1) usage('--cut-prob must be at most 1');

/** mulberry32: small, seeded, good enough to pick faults (the tests share a copy: test/helpers/prng.ts; this script stays dependency-free). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(options.seed);
const stats = { connections: 0, cuts: 0, bytes: 0 };
const live = new Set();

function emit(event) {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function kill(socket) {
  // A reset, not a FIN: the peer sees the connection break, as after a crash or a dead route.
  if (typeof socket.resetAndDestroy === 'function' && socket.connecting === false) socket.resetAndDestroy();
  else socket.destroy();
}

function handle(client) {
  const id = ++stats.connections;
  const upstream = net.connect({ host: HOST, port: options.target });
  const conn = { client, upstream, done: false };
  live.add(conn);
  emit({ event: 'connection', id });

  const end = (event, extra = {}) => {
    if (conn.done) return;
    conn.done = true;
    live.delete(conn);
    if (event === 'cut') stats.cuts++;
    kill(client);
    kill(upstream);
    emit({ event, id, ...extra });
  };

  const forward = (from, to, direction) => {
    let lastAt = 0;
    let pending = 0;
    let chunks = 0;
    // One FIFO per direction, drained by one timer: a chunk can never overtake an earlier one,
    // even when its own delay comes out shorter (as TCP guarantees).
    const queue = [];
    let timer = null;
    const write = (chunk) => {
      pending -= chunk.length;
      if (from.isPaused() && pending <= MAX_PENDING_BYTES / 2) from.resume();
      if (conn.done) return;
      stats.bytes += chunk.length;
      to.write(chunk);
    };
    const drain = () => {
      timer = null;
      const now = Date.now();
      while (queue.length > 0 && queue[0].at <= now) write(queue.shift().chunk);
      if (queue.length > 0) timer = setTimeout(drain, queue[0].at - now);
    };
    from.on('data', (chunk) => {
      if (conn.done) return;
      if (++chunks > options.graceChunks && options.cutProb > 0 && random() < options.cutProb) {
        end('cut', { direction });
        return;
      }
      const now = Date.now();
      const at = Math.max(now + Math.floor(random() * (options.delayMaxMs + 1)), lastAt);
      lastAt = at;
      pending += chunk.length;
      if (pending > MAX_PENDING_BYTES) from.pause();
      if (queue.length === 0 && at <= now) return write(chunk);
      queue.push({ chunk, at });
      if (timer === null) timer = setTimeout(drain, Math.max(0, queue[0].at - now));
    });
    // A clean half-close is passed on once the delayed chunks before it are delivered.
    from.on('end', () => setTimeout(() => conn.done || to.end(), Math.max(0, lastAt - Date.now()) + 1));
  };
  forward(client, upstream, 'up');
  forward(upstream, client, 'down');
  const closed = () => {
    // Wait for the other side's delayed chunks before tearing both down.
    setTimeout(() => end('closed'), options.delayMaxMs + 1);
  };
  client.on('close', closed);
  upstream.on('close', closed);
  client.on('error', () => {});
  upstream.on('error', () => {});
}

const server = net.createServer(handle);
server.on('error', (error) => {
  process.stderr.write(`chaos-proxy: ${error.message}\n`);
  process.exit(1);
});

function shutdown() {
  server.close();
  for (const conn of [...live]) {
    conn.done = true;
    kill(conn.client);
    kill(conn.upstream);
  }
  emit({ event: 'summary', ...stats });
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

server.listen(options.listen, HOST, () => {
  emit({ event: 'listening', port: server.address().port, target: options.target, seed: options.seed });
  if (options.durationMs > 0) setTimeout(shutdown, options.durationMs);
});

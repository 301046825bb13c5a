#!/usr/bin/env node
// Several servers, one network (issue 16): `npm run bench:store` (builds first). For the
// in-memory registry (one server) and Redis (one server, then three), measures registrations/s
// (COMPONENTS components from HOLDERS processes), lookups/s (of names held on another server
// when there are several), the time from a component joining on A to a watcher on the last
// server seeing it (p50 of JOINS joins: from the component's start, handshake included, to the
// watcher's event), and memory per component: each server's RSS and Redis's
// used_memory. BENCH_PER_SERVER components per server (default 10,000: 10,000 on one server, 30,000
// on three), from one holder process per BENCH_PER_HOLDER of them (default 5,000); every server
// lists them all (paged, timed) and a sample of BENCH_REACH of them answers a request through
// the last server. Needs redis-server; `npm run bench:store` raises the open-file limit first.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { Client, Component } = await import(join(ROOT, 'dist', 'index.js'));
const { Redis } = await import('ioredis');
const PER_SERVER = Number(process.env.BENCH_PER_SERVER ?? 10_000);
const PER_HOLDER = Number(process.env.BENCH_PER_HOLDER ?? 5_000);
const REACH = Number(process.env.BENCH_REACH ?? 1_000);
/** Handshakes each holder runs at once; fewer on a machine busy with other work. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
/** Which scenarios to run (comma list of memory1, redis1, redis3; default all). */
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? 'memory1,redis1,redis3').split(',');
const JOINS = 200;
const LOOKUPS = 20_000;
const secret = randomBytes(24).toString('base64url');
const env = { ...process.env, BOTZ_SECRET: secret };
const children = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
const lines = (child) => {
  const rl = createInterface({ input: child.stdout });
  const queue = [];
  const waiting = [];
  rl.on('line', (l) => (waiting.length ? waiting.shift()(l) : queue.push(l)));
  return () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiting.push(r)));
};
const rssOf = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const next = lines(child);
  while (!(await next()).includes('Ready to accept connections'));
  return { url: `redis://127.0.0.1:${port}`, child };
}

async function serve(store) {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'serve', '--port', '0', '--store', store], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(child);
  const address = (await lines(child)()).replace('listening on ', '').trim();
  return { address, child };
}

async function hold(servers, count, prefix) {
  const child = spawn(process.execPath, [join(ROOT, 'bench', 'store-holder.js'), servers.join(','), String(count), prefix, String(CONCURRENCY)], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const next = lines(child);
  // A holder that gives up (handshakes timing out on a busy machine) ends the run, not hangs it.
  const died = new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`holder ${prefix} exited (${code}) before registering its components`))));
  return { child, next, registered: JSON.parse(await Promise.race([next(), died])) };
}

async function scenario(label, store, serverCount) {
  const redis = store === 'redis' ? await startRedis() : undefined;
  const servers = [];
  for (let i = 0; i < serverCount; i++) servers.push(await serve(redis ? redis.url : 'memory'));
  const addresses = servers.map((s) => s.address);
  await sleep(500);
  const rssBefore = servers.map((s) => rssOf(s.child.pid));
  const redisClient = redis ? new Redis(redis.url) : undefined;
  const redisBefore = redisClient ? Number(/used_memory:(\d+)/.exec(await redisClient.info('memory'))[1]) : 0;

  // Registrations: HOLDERS processes at once, each spreading its components over every server.
  const COMPONENTS = PER_SERVER * serverCount;
  const HOLDERS = Math.ceil(COMPONENTS / PER_HOLDER);
  const per = Math.ceil(COMPONENTS / HOLDERS);
  const holders = await Promise.all(Array.from({ length: HOLDERS }, (_, h) => hold(h % 2 === 0 ? addresses : [...addresses].reverse(), per, `h${h}`)));
  const from = Math.min(...holders.map((h) => h.registered.startedAt));
  const to = Math.max(...holders.map((h) => h.registered.finishedAt));
  const registered = holders.reduce((n, h) => n + h.registered.count, 0);
  await sleep(2_500); // a heartbeat or so: the entries settle before memory is read
  const rssAfter = servers.map((s) => rssOf(s.child.pid));
  const redisAfter = redisClient ? Number(/used_memory:(\d+)/.exec(await redisClient.info('memory'))[1]) : 0;

  // Every server lists all of them (page by page), timed.
  const listed = [];
  const listMs = [];
  for (const address of addresses) {
    const c = await Client.connect({ server: address, secret, timeoutMs: 60_000 });
    const t0 = performance.now();
    listed.push((await c.components()).filter((x) => /^h\d+-/.test(x.name)).length);
    listMs.push(Math.round(performance.now() - t0));
    await c.close();
  }

  // Reachable: a sample spread over every holder answers a request sent through the last server.
  const caller = await Client.connect({ server: addresses.at(-1), secret, timeoutMs: 60_000 });
  let reached = 0;
  const sample = Array.from({ length: Math.min(REACH, registered) }, (_, i) => `h${i % HOLDERS}-${Math.floor((i * per) / REACH) % per}`);
  for (let i = 0; i < sample.length; i += 32) {
    const answers = await Promise.allSettled(sample.slice(i, i + 32).map((name) => caller.request(name, { ping: 1 }, { timeout: 30_000 })));
    reached += answers.filter((a) => a.status === 'fulfilled').length;
  }
  await caller.close();

  // Lookups: holder 0 asks its first server about holder 1's names (on other servers when there are several).
  holders[0].child.stdin.write(`lookups h${HOLDERS > 1 ? 1 : 0} ${LOOKUPS}\n`);
  const lookups = JSON.parse(await holders[0].next());

  // Join on the first server → a watcher on the last one sees it.
  const watcher = await Client.connect({ server: addresses.at(-1), secret, timeoutMs: 60_000 });
  const seen = new Map();
  await watcher.watch((e) => e.type === 'join' && seen.get(e.component.name)?.(performance.now()));
  const latencies = [];
  for (let i = 0; i < JOINS; i++) {
    const name = `join-${i}`;
    const watched = new Promise((resolve) => seen.set(name, resolve));
    const t0 = performance.now();
    const c = await Component.start({ name, server: addresses[0], secret, timeoutMs: 60_000, onMessage: () => ({}) });
    latencies.push((await watched) - t0);
    await c.stop();
  }
  await watcher.close();
  const p50 = latencies.sort((a, b) => a - b)[Math.floor(latencies.length / 2)];

  const result = {
    label,
    servers: serverCount,
    components: registered,
    listedOnEachServer: listed,
    listMsOnEachServer: listMs,
    reached: `${reached}/${sample.length}`,
    registrationsPerSec: Math.round((registered / (to - from)) * 1000),
    lookupsPerSec: Math.round((lookups.n / lookups.ms) * 1000),
    joinToWatcherP50Ms: Number(p50.toFixed(2)),
    // Each server holds its share: the holders spread their components over every server.
    serverRssPerComponentBytes: rssAfter.map((a, i) => Math.round((a - rssBefore[i]) / (registered / serverCount))),
    redisBytesPerComponent: redisClient ? Math.round((redisAfter - redisBefore) / registered) : null,
  };
  console.log(JSON.stringify(result));
  for (const h of holders) h.child.kill('SIGKILL');
  for (const s of servers) s.child.kill('SIGTERM');
  await redisClient?.quit();
  redis?.child.kill('SIGKILL');
  await sleep(300);
  return result;
}

const results = [];
if (SCENARIOS.includes('memory1')) results.push(await scenario('memory, 1 server', 'memory', 1));
if (SCENARIOS.includes('redis1')) results.push(await scenario('redis, 1 server', 'redis', 1));
if (SCENARIOS.includes('redis3')) results.push(await scenario('redis, 3 servers', 'redis', 3));
console.table(results.map(({ label, components, listedOnEachServer, listMsOnEachServer, reached, registrationsPerSec, lookupsPerSec, joinToWatcherP50Ms, serverRssPerComponentBytes, redisBytesPerComponent }) => ({
  label, components, listed: listedOnEachServer.join('/'), 'list ms': listMsOnEachServer.join('/'), reached, 'reg/s': registrationsPerSec, 'lookups/s': lookupsPerSec, 'join→watch p50 ms': joinToWatcherP50Ms, 'server RSS B/comp': serverRssPerComponentBytes.join('/'), 'redis B/comp': redisBytesPerComponent,
})));
process.exit(0);

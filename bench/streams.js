#!/usr/bin/env node
// Streams benchmark (issue 15): `npm run bench:streams` (builds first). One transfer of
// STREAM_BENCH_MB (default 1024) through one channel, direct and relayed, beside a plain ws
// one-way transfer of the same bytes in the same run; the memory of both processes while a
// reader takes 1 MB/s; and the open-accept-close round trip (1 in flight, p50) beside a
// request/response round trip. The far end runs in its own process (bench/streams-peer.js).
// Also a transfer over the mesh, three hops (sender — r1 — r2 — sink, mesh-only nodes).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { Server, Component } = await import(join(ROOT, 'dist', 'index.js'));
const MB = Number(process.env.STREAM_BENCH_MB ?? 1024);
const BYTES = MB * 1024 * 1024;
const SECRET = randomBytes(24).toString('hex');
const block = randomBytes(1024 * 1024);

function peer(args) {
  const child = spawn(process.execPath, [join(ROOT, 'bench', 'streams-peer.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const state = { child, rss: 0, first: new Promise((resolve) => lines.once('line', (l) => resolve(JSON.parse(l)))) };
  lines.on('line', (l) => {
    const v = JSON.parse(l);
    if (v.rss) state.rss = Math.max(state.rss, v.rss);
  });
  return state;
}

async function wsBaseline() {
  const p = peer(['ws']);
  const { address } = await p.first;
  const ws = new WebSocket(`ws://${address}`, { perMessageDeflate: false });
  await new Promise((r) => ws.once('open', r));
  const started = process.hrtime.bigint();
  for (let sent = 0; sent < BYTES; sent += block.length) {
    ws.send(block.subarray(0, Math.min(block.length, BYTES - sent)));
    while (ws.bufferedAmount > 4 * 1024 * 1024) await new Promise((r) => setImmediate(r));
  }
  const count = new Promise((r) => ws.once('message', (d) => r(Number(d.toString()))));
  ws.send(Buffer.alloc(0));
  const got = await count;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  ws.close();
  p.child.kill();
  if (got !== BYTES) throw new Error(`ws baseline: ${got} of ${BYTES} bytes`);
  return BYTES / 1024 / 1024 / seconds;
}

async function transfer(server, mode, rate) {
  const p = peer([mode, mode === 'mesh' ? '-' : server.address, SECRET, `sink-${mode}`, ...(rate ? [String(rate)] : [])]);
  const ready = await p.first;
  const streams = { windowBytes: Number(process.env.STREAM_WINDOW ?? 262144) };
  // mesh: a mesh-only sender that links to the peer's first relay: sender — r1 — r2 — sink.
  const sender = mode === 'mesh'
    ? await Component.start({ server: null, secret: SECRET, name: `src-${mode}`, streams, mesh: { dial: [ready.address] } })
    : await Component.start({ server: server.address, secret: SECRET, name: `src-${mode}`, streams });
  while (mode === 'mesh' && !sender.mesh.hasRoute(`sink-${mode}`)) await new Promise((r) => setTimeout(r, 10));
  const ch = await sender.connect(`sink-${mode}`, 'drain');
  const bytes = rate ? rate * 10 : BYTES;
  let senderRss = 0;
  const sampler = setInterval(() => (senderRss = Math.max(senderRss, process.memoryUsage().rss)), 200);
  const started = process.hrtime.bigint();
  const answer = new Promise((resolve, reject) => {
    const parts = [];
    ch.on('data', (d) => parts.push(d));
    ch.on('end', () => resolve(Number(Buffer.concat(parts).toString())));
    ch.on('error', reject);
  });
  for (let sent = 0; sent < bytes; sent += block.length) {
    if (!ch.write(block.subarray(0, Math.min(block.length, bytes - sent)))) await new Promise((r) => ch.once('drain', r));
  }
  ch.end();
  const got = await answer;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  await sender.stop();
  p.child.kill();
  if (got !== bytes) throw new Error(`${mode}: ${got} of ${bytes} bytes`);
  return { mbps: bytes / 1024 / 1024 / seconds, senderRssMb: senderRss / 1024 / 1024, receiverRssMb: p.rss / 1024 / 1024 };
}

async function roundTrips(server) {
  const p = peer(['direct', server.address, SECRET, 'rtt']);
  await p.first;
  const c = await Component.start({ server: server.address, secret: SECRET, name: 'rtt-client' });
  await c.request('rtt', 'warm');
  const time = async (fn) => {
    const samples = [];
    for (let i = 0; i < 500; i++) {
      const t = process.hrtime.bigint();
      await fn();
      samples.push(Number(process.hrtime.bigint() - t) / 1e3);
    }
    samples.sort((a, b) => a - b);
    return samples[samples.length >> 1];
  };
  const request = await time(() => c.request('rtt', 'x'));
  const stream = await time(async () => {
    const ch = await c.connect('rtt', 'drain');
    ch.end();
    ch.resume();
    await new Promise((r) => ch.once('end', r));
  });
  await c.stop();
  p.child.kill();
  return { requestP50us: request, openAcceptCloseP50us: stream };
}

const server = await Server.start({ host: '127.0.0.1', port: 0, secret: SECRET });
const results = {};
results.wsMBps = await wsBaseline();
results.direct = await transfer(server, 'direct');
results.relay = await transfer(server, 'relay');
results.mesh3Hops = await transfer(server, 'mesh');
results.slowReader = await transfer(server, 'direct', 1024 * 1024);
results.roundTrips = await roundTrips(server);
await server.stop();
results.directRatio = results.direct.mbps / results.wsMBps;
console.log(JSON.stringify({ megabytes: MB, ...results }, null, 2));

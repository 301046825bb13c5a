#!/usr/bin/env node
// Holds COUNT idle components for bench/shared-store.js: registered with the servers given (one
// after the other, round robin), CONCURRENCY at a time. Prints one JSON line when all are
// registered, then answers `lookup NAME` lines on stdin with lookups timed through its own link.
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { Component, Client } = await import(join(ROOT, 'dist', 'index.js'));
const [servers, count, prefix, concurrency] = [process.argv[2].split(','), Number(process.argv[3]), process.argv[4], Number(process.argv[5] ?? 16)];
const secret = process.env.BOTZ_SECRET;
const startedAt = Date.now();
let next = 0;
const held = [];
let retries = 0;
async function worker() {
  while (next < count) {
    const i = next++;
    // A machine busy with other work can stretch a handshake past the server's limit: try again.
    for (let attempt = 1; ; attempt++) {
      try {
        held.push(await Component.start({ name: `${prefix}-${i}`, server: servers[i % servers.length], secret, timeoutMs: 60_000, connectTimeoutMs: 30_000, onMessage: (m) => m.body }));
        break;
      } catch (error) {
        retries++;
        if (attempt === 10) throw error;
      }
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const finishedAt = Date.now();
process.stdout.write(JSON.stringify({ type: 'registered', count: held.length, startedAt, finishedAt, retries }) + '\n');

const client = await Client.connect({ server: servers[0], secret, timeoutMs: 60_000 });
for await (const line of createInterface({ input: process.stdin })) {
  const [verb, target, n] = line.split(' ');
  if (verb !== 'lookups') continue;
  // The server's answer to a lookup frame, as the locator asks it (no cache in between).
  const node = client.node;
  const t0 = performance.now();
  for (let i = 0; i < Number(n); i += 64) {
    await Promise.all(Array.from({ length: Math.min(64, Number(n) - i) }, (_, k) => node.ask({ type: 'lookup', name: `${target}-${(i + k) % count}` }, Date.now() + 60_000, 'lookup')));
  }
  process.stdout.write(JSON.stringify({ type: 'lookups', n: Number(n), ms: performance.now() - t0 }) + '\n');
}

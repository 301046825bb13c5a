#!/usr/bin/env node
// Peak memory of one large message (ARCHITECTURE.md, "Large bodies"): one 15 MiB binary body
// sent and answered, sender, server and receiver in this process; prints the peak RSS growth
// as a multiple of the body. `node --expose-gc bench/large-body-memory.mjs [direct|relay] [encrypt]`
// (after `npm run build`).
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { Server } = await import(join(ROOT, 'dist', 'lib', 'registry', 'server.js'));
const { Component } = await import(join(ROOT, 'dist', 'lib', 'component', 'component.js'));
const { Client } = await import(join(ROOT, 'dist', 'lib', 'component', 'client.js'));

const path = process.argv[2] === 'direct' ? 'direct' : 'relay';
const encrypt = process.argv[3] === 'encrypt';
const secret = randomBytes(24).toString('base64url');
const server = await Server.start({ secret, host: '127.0.0.1', port: 0 });
const options = { server: String(server.address), secret, encrypt };
const echo = await Component.start({ ...options, name: 'echo', ...(path === 'direct' ? { port: 0 } : {}), onMessage: (m) => ({ bytes: m.body.byteLength }) });
const client = await Client.connect(options);
await client.send('echo', randomBytes(1000));
const body = randomBytes(15 * 1024 * 1024);
globalThis.gc?.();
const before = Math.max(process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
const reply = await client.send('echo', body);
const peak = process.resourceUsage().maxRSS * 1024;
console.log(`${path}${encrypt ? ', encrypted' : ''}: ${reply.bytes} bytes answered; peak RSS grew by ${((peak - before) / body.length).toFixed(2)}× the body (sender, server and receiver together)`);
await client.close();
await echo.stop();
await server.stop();

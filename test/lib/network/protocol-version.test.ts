/**
 * Peers of different protocol versions get a clear error, not garbage: the packet version byte
 * is the first thing a receiver checks, and a refused hello says which version the node speaks.
 */
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { Client, Server } from '../../../src/index.js';
import { SECRET } from '../../helpers/network.js';
import { rawSocket } from '../../helpers/raw-peer.js';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
});

/** A version-1 hello: 31-byte header with an 8-byte instance, JSON payload, HMAC-SHA256. */
function v1Hello(): Buffer {
  const to = Buffer.from('$server');
  const head = Buffer.alloc(31 + to.length);
  head[0] = 1;
  head[1] = 0;
  createHmac('sha256', SECRET).update('botz key id v1').digest().copy(head, 2, 0, 4);
  head.write('0123456789abcdef', 6, 'hex');
  head.writeBigUInt64BE(1n, 14);
  head.writeBigUInt64BE(BigInt(Date.now()), 22);
  head[30] = to.length;
  to.copy(head, 31);
  const payload = Buffer.from(JSON.stringify([{ v: 1, type: 'hello', id: 'old.1', from: 'old-client', role: 'client', codecs: ['json'], nonce: 'bm9uY2U' }]));
  const body = Buffer.concat([head, payload]);
  return Buffer.concat([body, createHmac('sha256', SECRET).update(body).digest()]);
}

describe('protocol versions', () => {
  it('a version-1 client is refused at once, with a close reason that names both versions', async () => {
    const server = await Server.start({ secret: SECRET, port: 0 });
    stops.push(() => server.stop());
    const old = await rawSocket(server.address);
    const reason = new Promise<string>((resolve) => old.ws.once('close', (_code, why) => resolve(why.toString())));
    old.ws.send(v1Hello());
    expect(await old.closed).toBe(4002);
    expect(await reason).toMatch(/version 1.*protocol 2/);
    expect(server.stats.rejected.BAD_VERSION).toBe(1);
  });

  it('a client of this version facing a server that refuses its version reports BAD_VERSION, not an unreachable server', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wss, 'listening');
    stops.push(() => new Promise((r) => wss.close(r)));
    // What a version-1 server answers a packet it cannot read.
    wss.on('connection', (ws) => ws.once('message', () => ws.close(4002, 'unsupported packet version 2')));
    const { port } = wss.address() as { port: number };
    await expect(Client.connect({ server: `127.0.0.1:${port}`, secret: SECRET, connectTimeoutMs: 2000 })).rejects.toMatchObject({ code: 'BAD_VERSION' });
  });
});

/**
 * Closing a ws listener must not wait on connections that never finished their WebSocket
 * upgrade: Node stops the headers timeout on close, so a client that sent half a GET would
 * otherwise hold `server.close()` (and `botz serve`'s exit) open for as long as it likes.
 */
import { get } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { wsTransport } from '../../../src/lib/transport/ws.js';
import type { Listener } from '../../../src/lib/transport/transport.js';

const sockets: Socket[] = [];
const listeners: Listener[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  // Closing twice is harmless; this ends what a failed test left open.
  await Promise.all(listeners.splice(0).map((l) => l.close()));
});

/** Resolves with the socket once `data` is written; the socket stays open. */
function halfGet(address: string, data: string): Promise<Socket> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => socket.write(data, () => resolve(socket)));
    socket.on('error', reject);
    sockets.push(socket);
  });
}

/** How long `close()` took, or a rejection once `limitMs` passed without it. */
async function timedClose(listener: Listener, limitMs: number): Promise<number> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`listener.close() still pending after ${limitMs} ms`)), limitMs);
  });
  try {
    await Promise.race([listener.close(), limit]);
  } finally {
    clearTimeout(timer);
  }
  return performance.now() - started;
}

describe('ws listener close', () => {
  it('ends promptly while a client holds a half-sent HTTP upgrade request open', async () => {
    const listener = await wsTransport.listen({ host: '127.0.0.1', port: 0, maxMessageBytes: 1 << 20 }, () => {});
    listeners.push(listener);
    const socket = await halfGet(listener.address, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const closedByServer = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const ms = await timedClose(listener, 1_500);
    expect(ms).toBeLessThan(1_500);
    // The half-open connection was cut, not left dangling.
    await closedByServer;
  });

  it('ends promptly while an idle TCP connection (nothing sent) is open', async () => {
    const listener = await wsTransport.listen({ host: '127.0.0.1', port: 0, maxMessageBytes: 1 << 20 }, () => {});
    listeners.push(listener);
    await halfGet(listener.address, '');
    expect(await timedClose(listener, 1_500)).toBeLessThan(1_500);
  });

  it('still closes upgraded links, and a listener closed with nobody connected resolves', async () => {
    const listener = await wsTransport.listen({ host: '127.0.0.1', port: 0, maxMessageBytes: 1 << 20 }, () => {});
    listeners.push(listener);
    const link = await wsTransport.connect(listener.address, { timeoutMs: 2_000, maxMessageBytes: 1 << 20 });
    const closed = new Promise<number>((resolve) => link.attach({ onMessage() {}, onClose: (code) => resolve(code) }));
    expect(await timedClose(listener, 1_500)).toBeLessThan(1_500);
    expect(typeof (await closed)).toBe('number');
    const empty = await wsTransport.listen({ host: '127.0.0.1', port: 0, maxMessageBytes: 1 << 20 }, () => {});
    expect(await timedClose(empty, 1_500)).toBeLessThan(1_500);
  });

  it('answers a plain HTTP request with 426 Upgrade Required, as before', async () => {
    const listener = await wsTransport.listen({ host: '127.0.0.1', port: 0, maxMessageBytes: 1 << 20 }, () => {});
    listeners.push(listener);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      get(`http://${listener.address}/`, { agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      }).on('error', reject);
    });
    expect(status).toBe(426);
    expect(await timedClose(listener, 1_500)).toBeLessThan(1_500);
  });
});

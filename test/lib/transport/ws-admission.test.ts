/**
 * What a ws listener does with connections that never authenticate, on real sockets: those that
 * never finish the WebSocket upgrade (silent, or headers that never end) are closed at the
 * handshake deadline like upgraded ones, and all of them count against the caps meanwhile.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/lib/errors.js';
import { wsTransport } from '../../../src/lib/transport/ws.js';
import { CloseCode, splitAddress, type ConnectionLimits, type Link, type Listener, type Refusal } from '../../../src/lib/transport/transport.js';
import { rawSocket } from '../../helpers/raw-peer.js';
import { until } from '../../helpers/wait.js';

const sockets: Socket[] = [];
const listeners: Listener[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(listeners.splice(0).map((l) => l.close()));
});

async function listen(limits: Partial<ConnectionLimits>, onLink: (link: Link) => void = () => {}) {
  const refusals: Refusal[] = [];
  const listener = await wsTransport.listen(
    { host: '127.0.0.1', port: 0, maxMessageBytes: 1 << 20, limits, onRefused: (r) => refusals.push(r) },
    onLink,
  );
  listeners.push(listener);
  return { listener, refusals };
}

/** A TCP connection that has sent `data` (maybe nothing); `closed` resolves when the other end closes it. */
async function tcp(address: string, data = ''): Promise<{ socket: Socket; closed: Promise<void>; local: string; received: () => string }> {
  const { host, port } = splitAddress(address);
  const socket = connect({ host, port });
  sockets.push(socket);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  // Read what the listener answers (a 426, a 503): a paused socket would never see the end.
  let received = '';
  socket.on('data', (b: Buffer) => (received += b.toString()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => (data ? socket.write(data, () => resolve()) : resolve()));
    socket.once('error', reject);
  });
  return { socket, closed, local: `${socket.localAddress}:${socket.localPort}`, received: () => received };
}

describe('ws listener: connections that never authenticate', () => {
  it.each([
    ['a silent TCP connection', ''],
    ['HTTP headers that never end', 'GET / HTTP/1.1\r\nHost: x\r\n'],
    ['a plain HTTP request on a kept-alive connection (answered 426, then idle)', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'],
  ])('%s is closed at the handshake deadline and reported', async (_name, data) => {
    const { listener, refusals } = await listen({ handshakeTimeoutMs: 150 });
    const conn = await tcp(listener.address, data);
    await until('the listener counts the connection', () => listener.connections.total === 1);
    expect(listener.connections).toEqual({ total: 1, unauthenticated: 1 });
    await conn.closed;
    expect(refusals).toEqual([{ code: ErrorCode.HANDSHAKE_TIMEOUT, remote: conn.local }]);
    await until('the listener forgets the connection', () => listener.connections.total === 0);
  });

  it('an upgraded WebSocket that sends no hello counts as unauthenticated and is closed with 4002 at the deadline', async () => {
    const accepted: Link[] = [];
    const { listener, refusals } = await listen({ handshakeTimeoutMs: 150 }, (link) => accepted.push(link));
    const peer = await rawSocket(listener.address);
    await until('the link is accepted', () => accepted.length === 1);
    expect(listener.connections).toEqual({ total: 1, unauthenticated: 1 });
    expect(await peer.closed).toBe(CloseCode.PROTOCOL_ERROR);
    expect(refusals.map((r) => r.code)).toEqual([ErrorCode.HANDSHAKE_TIMEOUT]);
    expect(accepted[0].closed).toBe(true);
  });

  it('at the per-source cap, the oldest connection that has not upgraded yet is evicted', async () => {
    const { listener, refusals } = await listen({ maxUnauthenticatedPerSource: 3 });
    const conns = [];
    for (let i = 0; i < 4; i++) {
      conns.push(await tcp(listener.address));
      await until(`the listener counts connection ${i}`, () => listener.connections.total + refusals.length === i + 1);
    }
    await conns[0].closed;
    expect(refusals).toEqual([{ code: ErrorCode.TOO_MANY_CONNECTIONS, remote: conns[0].local }]);
    expect(listener.connections).toEqual({ total: 3, unauthenticated: 3 });
    expect(conns.slice(1).map((c) => c.socket.destroyed)).toEqual([false, false, false]);
  });

  it('a client is served while hundreds of silent connections from its own address are open', async () => {
    const { listener, refusals } = await listen({ maxConnections: 64 }, (link) => {
      link.authenticated();
      link.attach({ onMessage: (data) => link.send(data), onClose() {} });
    });
    const silent = await Promise.all(Array.from({ length: 300 }, () => tcp(listener.address)));
    const link = await wsTransport.connect(listener.address, { timeoutMs: 5_000, maxMessageBytes: 1 << 20 });
    const echoed = new Promise<Buffer>((resolve) => link.attach({ onMessage: resolve, onClose() {} }));
    link.send(Buffer.from('ping'));
    expect((await echoed).toString()).toBe('ping');
    expect(silent.filter((c) => !c.socket.destroyed).length).toBeGreaterThan(0);
    expect(refusals.length).toBeGreaterThanOrEqual(300 - 32);
    expect(listener.connections.unauthenticated).toBeLessThanOrEqual(32);
  });

  it('a newcomer turned away because every slot is authenticated gets HTTP 503', async () => {
    const { listener } = await listen({ maxConnections: 1 }, (link) => link.authenticated());
    await wsTransport.connect(listener.address, { timeoutMs: 5_000, maxMessageBytes: 1 << 20 });
    await until('the first link is authenticated', () => listener.connections.unauthenticated === 0 && listener.connections.total === 1);
    const conn = await tcp(listener.address);
    await conn.closed;
    expect(conn.received()).toMatch(/^HTTP\/1\.1 503 /);
  });
});

/**
 * The server's protection from peers that never prove they hold the key: they are closed at the
 * handshake deadline, may not make it buffer more than a hello's worth, and are evicted at the
 * connection caps, while everyone who authenticates is served. Each refusal is a ServerEvent
 * and a count in stats; a flood of them is summed up, not reported one by one.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../../src/index.js';
import { CloseCode, splitAddress } from '../../../src/lib/transport/transport.js';
import { Network } from '../../helpers/network.js';
import { rawSocket } from '../../helpers/raw-peer.js';
import { until } from '../../helpers/wait.js';

const net = new Network();
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await net.stopAll();
});

/** A TCP connection that sends nothing; `closed` resolves when the server closes it. */
async function silent(address: string): Promise<{ socket: Socket; closed: Promise<void>; local: string }> {
  const { host, port } = splitAddress(address);
  const socket = connect({ host, port });
  sockets.push(socket);
  socket.on('error', () => {});
  socket.resume();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, closed, local: `${socket.localAddress}:${socket.localPort}` };
}

const rejected = (events: ServerEvent[]) => events.filter((e): e is Extract<ServerEvent, { type: 'rejected' }> => e.type === 'rejected');

describe('server: connections that never authenticate', () => {
  it('a silent connection is closed at the handshake deadline, reported and counted', async () => {
    const events: ServerEvent[] = [];
    const server = await net.serve({ connectionLimits: { handshakeTimeoutMs: 150 }, onEvent: (e) => events.push(e) });
    const conn = await silent(server.address);
    await until('the server counts the connection', () => server.stats.connections.total === 1);
    expect(server.stats.connections).toEqual({ total: 1, unauthenticated: 1 });
    await conn.closed;
    expect(rejected(events)).toMatchObject([{ code: 'HANDSHAKE_TIMEOUT', remote: conn.local }]);
    expect(server.stats.rejected).toEqual({ HANDSHAKE_TIMEOUT: 1 });
  });

  it('an upgraded link that sends no hello counts as unauthenticated until the deadline closes it with 4002', async () => {
    const server = await net.serve({ connectionLimits: { handshakeTimeoutMs: 150 } });
    const peer = await rawSocket(server.address);
    await until('the server counts the link', () => server.stats.connections.total === 1);
    expect(server.stats.connections).toEqual({ total: 1, unauthenticated: 1 });
    expect(await peer.closed).toBe(CloseCode.PROTOCOL_ERROR);
    expect(server.stats.connections).toEqual({ total: 0, unauthenticated: 0 });
  });

  it('a message larger than a hello could be (64 KiB) before the handshake closes the link with 1009', async () => {
    const server = await net.serve();
    const peer = await rawSocket(server.address);
    peer.ws.send(Buffer.alloc(64 * 1024 + 1));
    expect(await peer.closed).toBe(CloseCode.TOO_BIG);
  });

  it('after the handshake, packets up to maxPacketBytes go through, relayed both ways', async () => {
    const server = await net.serve();
    await net.component({ name: 'echo', onMessage: (m) => m.body });
    const client = await net.client();
    const body = 'x'.repeat(900_000);
    expect(await client.send('echo', body)).toBe(body);
    expect(server.stats.connections).toEqual({ total: 2, unauthenticated: 0 });
  });

  it('a client is served while hundreds of silent connections are open; the evictions are counted and summed up', async () => {
    const events: ServerEvent[] = [];
    const server = await net.serve({ connectionLimits: { maxConnections: 40 }, onEvent: (e) => events.push(e) });
    const flood = await Promise.all(Array.from({ length: 300 }, () => silent(server.address)));
    const client = await net.client();
    expect(await client.components()).toEqual([]);
    expect(flood.filter((c) => !c.socket.destroyed).length).toBeGreaterThan(0);
    // 300 silent, 1 client: at most 10 unauthenticated from one source at once (40 / 2 / 2).
    expect(server.stats.rejected.TOO_MANY_CONNECTIONS).toBeGreaterThanOrEqual(290);
    const reported = () => rejected(events).reduce((n, e) => n + (e.count ?? 1), 0);
    await until('every eviction is reported, one by one or summed up', () => reported() === server.stats.rejected.TOO_MANY_CONNECTIONS, 3_000);
    expect(rejected(events).length).toBeLessThan(10);
    expect(rejected(events).find((e) => e.count !== undefined)).toMatchObject({ code: 'TOO_MANY_CONNECTIONS', remote: '127.0.0.1' });
  });
});

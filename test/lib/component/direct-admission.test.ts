/**
 * A component's direct listener guards itself as the server's does: a connection to its direct
 * port that never authenticates is closed at the handshake deadline, counted and reported.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RejectedPacket } from '../../../src/lib/channel/node-context.js';
import { splitAddress } from '../../../src/lib/transport/transport.js';
import { Network } from '../../helpers/network.js';

const net = new Network();
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await net.stopAll();
});

describe("a component's direct listener", () => {
  it.each([
    ['a silent TCP connection', ''],
    ['HTTP headers that never end', 'GET / HTTP/1.1\r\nHost: x\r\n'],
  ])('closes %s at the handshake deadline and reports it', async (_name, data) => {
    await net.serve();
    const echo = await net.echo('echo', { connectionLimits: { handshakeTimeoutMs: 150 } });
    const rejected: RejectedPacket[] = [];
    echo.on('rejected', (r: RejectedPacket) => rejected.push(r));
    const { host, port } = splitAddress(echo.address!);
    const socket = connect({ host, port });
    sockets.push(socket);
    socket.on('error', () => {});
    socket.resume();
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => (data ? socket.write(data, () => resolve()) : resolve())));
    const local = `${socket.localAddress}:${socket.localPort}`;
    await closed;
    expect(rejected.map((r) => [r.error.code, r.remote])).toEqual([['HANDSHAKE_TIMEOUT', local]]);
    expect(echo.rejected).toEqual({ HANDSHAKE_TIMEOUT: 1 });
    // Direct links that authenticate are served as before.
    const client = await net.client();
    expect(await client.send('echo', 'hi')).toBe('hi');
  });
});

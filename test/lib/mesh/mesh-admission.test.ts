/**
 * A mesh node's listener guards itself as the server's does: a connection that never
 * authenticates is closed at the handshake deadline and counted; neighbours link as before.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MeshNode } from '../../../src/lib/mesh/mesh-node.js';
import { wsTransport } from '../../../src/lib/transport/ws.js';
import { splitAddress } from '../../../src/lib/transport/transport.js';

const SECRET = 'mesh-admission-secret-0123456789';
const nodes: MeshNode[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

describe("a mesh node's listener", () => {
  it('closes a silent connection at the handshake deadline and counts it; a neighbour links as before', async () => {
    const a = new MeshNode({ name: 'a', secret: SECRET, transport: wsTransport, connectionLimits: { handshakeTimeoutMs: 150 } });
    const b = new MeshNode({ name: 'b', secret: SECRET, transport: wsTransport });
    nodes.push(a, b);
    const address = await a.start();
    await b.start();
    const { host, port } = splitAddress(address);
    const socket = connect({ host, port });
    sockets.push(socket);
    socket.on('error', () => {});
    socket.resume();
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    expect(a.counters().refusedConnections).toBe(1);
    expect(await b.dial(address)).toBe('a');
    expect(a.counters()).toMatchObject({ refusedConnections: 1, rejectedPackets: 0 });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { MeshNode } from '../../../src/lib/mesh/mesh-node.js';
import type { MeshMessage } from '../../../src/lib/mesh/mesh-status.js';
import { wsTransport } from '../../../src/lib/transport/ws.js';
import { SECRET, waitFor } from './sim.js';

const nodes: MeshNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

async function node(name: string): Promise<MeshNode> {
  const n = new MeshNode({ name, secret: SECRET, transport: wsTransport, host: '127.0.0.1', port: 0 });
  nodes.push(n);
  await n.start();
  return n;
}

describe('MeshNode over real WebSockets on loopback', () => {
  it('routes across three nodes and reroutes when the middle one stops', async () => {
    const [a, b, c, d] = await Promise.all([node('a'), node('b'), node('c'), node('d')]);
    // a - b - d and a - c - d: two equal paths, the tie goes to b.
    await Promise.all([a.dial(b.address!), b.dial(d.address!), a.dial(c.address!), c.dial(d.address!)]);
    await waitFor(() => [a, b, c, d].every((n) => n.routes().length === 3), 10_000, 'convergence');
    const got: MeshMessage[] = [];
    d.on((e) => e.type === 'message' && got.push(e));
    expect(await a.send(['d'], { k: 'v' })).toEqual({ reached: ['d'], unreachable: [] });
    await b.stop();
    await waitFor(() => a.routes().find((r) => r.destination === 'd')?.nextHop === 'c', 5000, 'reroute');
    expect(await a.send(['d'], { k: 'v2' })).toEqual({ reached: ['d'], unreachable: [] });
    expect(got.map((m) => m.hops)).toEqual([
      ['a', 'b', 'd'],
      ['a', 'c', 'd'],
    ]);
  });
});

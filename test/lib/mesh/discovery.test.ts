import { freeUdpPort } from '../../helpers/ports.js';
import { afterEach, describe, expect, it } from 'vitest';
import { MeshNode } from '../../../src/lib/mesh/mesh-node.js';
import { isMulticast, shouldAnswer } from '../../../src/lib/mesh/discovery.js';
import type { DiscoveryConfig } from '../../../src/lib/mesh/mesh-options.js';
import { wsTransport } from '../../../src/lib/transport/ws.js';
import { SECRET, waitFor } from './sim.js';

const nodes: MeshNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});


async function node(name: string, namespace: string, discovery: DiscoveryConfig, degree = 2): Promise<MeshNode> {
  const n = new MeshNode({ name, secret: SECRET, transport: wsTransport, namespace, degree, discovery });
  nodes.push(n);
  await n.start();
  return n;
}

describe('discovery helpers', () => {
  it.each([
    ['239.1.2.3', true],
    ['224.0.0.1', true],
    ['127.255.255.255', false],
    ['10.0.0.255', false],
  ])('isMulticast(%s) → %s', (address, expected) => {
    expect(isMulticast(address)).toBe(expected);
  });

  it.each([
    [3, 0.99, true],
    [15, 0.99, true],
    [16, 0.99, false],
    [100, 0.1, true],
    [100, 0.2, false],
  ])('a mesh of %i with draw %f answers: %s', (size, draw, expected) => {
    expect(shouldAnswer(size, () => draw)).toBe(expected);
  });
});

describe('discovery on loopback', () => {
  it('nodes of one namespace find each other by broadcast to 127.255.255.255; another namespace is ignored', async () => {
    const config: DiscoveryConfig = { group: '127.255.255.255', port: await freeUdpPort(), intervalMs: 50 };
    const a = await node('a', 'blue', config);
    const b = await node('b', 'blue', config);
    const c = await node('c', 'blue', config);
    const x = await node('x', 'red', config);
    await waitFor(() => [a, b, c].every((n) => n.routes().length === 2), 10_000, 'blue nodes to link');
    expect(x.neighbours()).toEqual([]);
    expect(a.routes().map((r) => r.destination)).toEqual(['b', 'c']);
    expect((await a.broadcast('hi')).reached).toEqual(['b', 'c']);
  });

  it('works with a 239.x multicast group joined on 127.0.0.1', async () => {
    const config: DiscoveryConfig = { group: '239.255.77.1', port: await freeUdpPort(), interfaceAddress: '127.0.0.1', intervalMs: 50 };
    const a = await node('a', 'green', config, 1);
    const b = await node('b', 'green', config, 1);
    await waitFor(() => a.neighbours().length === 1 && b.neighbours().length === 1, 10_000, 'a and b to link');
    expect(a.neighbours()).toEqual(['b']);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { MeshNode } from '../../../src/lib/mesh/mesh-node.js';
import type { MeshEvent } from '../../../src/lib/mesh/mesh-status.js';
import { Sim, SECRET, waitFor } from './sim.js';

let sim: Sim;
afterEach(async () => {
  await sim?.stopAll();
});

async function line(names: string[], options = {}): Promise<Sim> {
  sim = new Sim();
  for (const n of names) await sim.add(n, options);
  for (let i = 1; i < names.length; i++) await sim.link(names[i - 1], names[i]);
  await waitFor(() => sim.converged(), 5000, 'convergence');
  return sim;
}

describe('MeshNode', () => {
  it('rejects bad options with INVALID_ARGUMENT', () => {
    const transport = new Sim().network.transport('x');
    expect(() => new MeshNode({ name: '*', secret: SECRET, transport })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => new MeshNode({ name: 'a', secret: SECRET, transport, msaIntervalMs: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('dial resolves with the peer name, is idempotent, and both ends see one link', async () => {
    sim = new Sim();
    const a = await sim.add('a');
    const b = await sim.add('b');
    const [p1, p2] = await Promise.all([a.dial(b.address!), a.dial(b.address!)]);
    expect([p1, p2]).toEqual(['b', 'b']);
    expect(await a.dial(b.address!)).toBe('b');
    expect(a.neighbours()).toEqual(['b']);
    await waitFor(() => b.neighbours().length === 1);
    expect(sim.network.linkCount).toBe(1);
  });

  it('keeps one link when both ends dial each other at once', async () => {
    sim = new Sim();
    const a = await sim.add('a');
    const b = await sim.add('b');
    const names = await Promise.all([a.dial(b.address!), b.dial(a.address!)]);
    expect(names).toEqual(['b', 'a']);
    await waitFor(() => sim.network.linkCount === 1, 5000, 'one link');
    expect(a.status().links.map((l) => l.peer)).toEqual(['b']);
    expect(b.status().links.map((l) => l.peer)).toEqual(['a']);
    // The surviving link is the one the smaller name dialed, on both ends.
    expect(a.status().links[0].dialed).toBe(true);
    expect(b.status().links[0].dialed).toBe(false);
    // The state each end sent over the link that lost may be gone with it: routes settle by the next announcement at the latest.
    await waitFor(() => a.hasRoute('b'), 5000, 'a route from a to b');
    expect((await a.send(['b'], 'x')).reached).toEqual(['b']);
  });

  it('refuses to dial a node with another secret (AUTH_FAILED)', async () => {
    sim = new Sim();
    const a = await sim.add('a');
    const b = await sim.add('b', { secret: 'some-other-secret-of-enough-length' });
    await expect(a.dial(b.address!)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(a.neighbours()).toEqual([]);
  });

  it('routes a message end to end along a line and reports the hops it took', async () => {
    await line(['a', 'b', 'c', 'd']);
    const got: MeshEvent[] = [];
    sim.node('d').on((e) => e.type === 'message' && got.push(e));
    const result = await sim.node('a').send(['d'], { hello: 'world' });
    expect(result).toEqual({ reached: ['d'], unreachable: [] });
    expect(got).toEqual([{ type: 'message', from: 'a', body: { hello: 'world' }, headers: {}, hops: ['a', 'b', 'c', 'd'], broadcast: false, encrypted: false }]);
    expect(sim.node('a').routes().map((r) => [r.destination, r.nextHop, r.hops])).toEqual([
      ['b', 'b', 1],
      ['c', 'b', 2],
      ['d', 'b', 3],
    ]);
    expect(sim.node('b').status().counters.forwarded).toBe(1);
  });

  it('names every recipient: reached, no route, or unknown', async () => {
    await line(['a', 'b', 'c']);
    const result = await sim.node('a').send(['c', 'a', 'nobody', 'b', 'c'], 'hi');
    expect(result.reached).toEqual(['a', 'b', 'c']);
    expect(result.unreachable).toEqual([{ name: 'nobody', code: 'NO_ROUTE' }]);
  });

  it('broadcast reaches every node once, excluding the sender', async () => {
    await line(['a', 'b', 'c', 'd', 'e']);
    const counts = new Map<string, number>();
    for (const [name, node] of sim.nodes) node.on((e) => e.type === 'message' && counts.set(name, (counts.get(name) ?? 0) + 1));
    const result = await sim.node('c').broadcast({ all: true });
    expect(result).toEqual({ reached: ['a', 'b', 'd', 'e'], unreachable: [] });
    expect(Object.fromEntries(counts)).toEqual({ a: 1, b: 1, d: 1, e: 1 });
  });

  it('enforces the hop limit from the origin', async () => {
    await line(['a', 'b', 'c', 'd'], { hopLimit: 2 });
    const result = await sim.node('a').send(['c', 'd'], 'x');
    expect(result).toEqual({ reached: ['c'], unreachable: [{ name: 'd', code: 'NO_ROUTE' }] });
  });

  it('reports a recipient behind a silent hop as unreachable with TIMEOUT', async () => {
    await line(['a', 'b', 'c'], { ackTimeoutMs: 100 });
    // c's acks towards b are lost: b's timer fires and b answers a in time.
    sim.network.lose((m) => m.from.startsWith('c:') && m.to.startsWith('b:'));
    const result = await sim.node('a').send(['b', 'c'], 'x');
    expect(result).toEqual({ reached: ['b'], unreachable: [{ name: 'c', code: 'TIMEOUT' }] });
  });

  it('refuses a copy whose path already holds it (loop guard)', async () => {
    await line(['a', 'b']);
    const ch = (sim.node('a') as unknown as { links: Map<string, import('../../../src/lib/channel/channel.js').Channel> }).links.get('b')!;
    const ack = await ch.request(
      {
        type: 'meshSend',
        origin: 'x',
        recipients: ['a'],
        path: ['x', 'b', 'a'],
        hopLimit: 9,
        ttl: 1000,
        broadcast: false,
        frames: [{ v: 1, type: 'message', id: 'x.1', from: 'x', body: null }],
      },
      { timeoutMs: 1000 },
    );
    expect(ack).toMatchObject({ type: 'meshAck', reached: [], unreachable: [{ name: 'a', code: 'NO_ROUTE' }] });
  });

  it('hangup drops the link on both ends and the routes with it', async () => {
    await line(['a', 'b', 'c']);
    const down: string[] = [];
    sim.node('b').on((e) => e.type === 'linkDown' && down.push(e.peer));
    expect(sim.node('a').hangup('b')).toBe(true);
    expect(sim.node('a').hangup('b')).toBe(false);
    await waitFor(() => sim.node('c').routes().length === 1, 5000, 'c to forget a');
    expect(down).toEqual(['a']);
    expect(sim.node('a').routes()).toEqual([]);
    expect(await sim.node('a').send(['c'], 'x')).toEqual({ reached: [], unreachable: [{ name: 'c', code: 'NO_ROUTE' }] });
  });

  it('prints its view as graphviz and its status', async () => {
    await line(['a', 'b', 'c']);
    expect(sim.node('b').dot()).toContain('"a" -- "b";\n  "b" -- "c";');
    const s = sim.node('b').status();
    expect(s).toMatchObject({ name: 'b', known: 3, reachable: 2, msaIntervalMs: 2000, degree: 0 });
    expect(s.links.map((l) => l.peer)).toEqual(['a', 'c']);
    expect(s.counters.msaAccepted).toBeGreaterThan(0);
  });
  it("a restarted node is believed (new incarnation), even one whose clock went backwards (a smaller incarnation)", async () => {
    sim = new Sim();
    const a = await sim.add('a', {});
    await sim.add('c');
    await sim.add('b', { incarnation: 5_000_000_000_000 });
    await sim.link('a', 'b');
    await sim.link('b', 'c');
    await waitFor(() => sim.converged(), 5000, 'convergence');
    expect(a.topology.get('b')?.incarnation).toBe(5_000_000_000_000);
    await sim.kill('b');
    // The new b's clock is far behind the old one's: its own state would lose without recovery.
    const b2 = await sim.add('b', { incarnation: 1000 });
    await b2.dial(a.address!);
    // The old run's state (neighbours a and c) is newer by its numbers; the new b outnumbers it.
    await waitFor(() => a.topology.get('b')?.neighbours.join() === 'a', 5000, "a to hold the new b's state");
    expect(a.topology.get('b')).toMatchObject({ incarnation: 5_000_000_000_000, neighbours: ['a'] });
    expect(a.topology.get('b')!.seq).toBeGreaterThan(1);
    expect((await a.send(['b', 'c'], 'x')).reached).toEqual(['b']);
  });
});

describe('topology events', () => {
  it('tells listeners when the link-state database changes, so waiters need not poll', async () => {
    const sim = new Sim();
    try {
      const a = await sim.add('ta');
      await sim.add('tb');
      const seen: string[] = [];
      a.on((e) => seen.push(e.type));
      await sim.link('ta', 'tb');
      await waitFor(() => a.routes().some((r) => r.destination === 'tb'), 5000, 'route to tb');
      expect(seen).toContain('topology');
    } finally {
      await sim.stopAll();
    }
  });
});

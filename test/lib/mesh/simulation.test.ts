/**
 * Whole meshes on the in-memory network: convergence, node loss, partitions, reroutes.
 * Convergence times are printed for the record, never asserted (they depend on the machine).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { reachableFrom, Sim, waitFor } from './sim.js';
import { randomConnectedGraph } from '../../../src/lib/bench/mesh-convergence.js';

let sim: Sim;
afterEach(async () => {
  await sim?.stopAll();
});

/** A seeded generator, so a failing graph can be replayed. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** A random connected graph: a random spanning tree plus `extra` random edges. */
function randomGraph(n: number, extra: number, seed: number): { names: string[]; edges: [string, string][] } {
  return randomConnectedGraph(n, extra, lcg(seed));
}

async function build(names: string[], edges: [string, string][], options = {}): Promise<number> {
  sim = new Sim();
  for (const name of names) await sim.add(name, options);
  const t0 = performance.now();
  await Promise.all(edges.map(([a, b]) => sim.link(a, b)));
  await waitFor(() => sim.converged(), 20_000, 'convergence');
  return performance.now() - t0;
}

function expectedAfter(edges: [string, string][]) {
  return (from: string) => reachableFrom(from, [...sim.nodes.keys()], edges);
}

describe('mesh simulation', () => {
  it('100 nodes on a random connected graph converge: every node routes to every other', async () => {
    const { names, edges } = randomGraph(100, 50, 7);
    // A period far beyond the test: convergence must come from the floods on link changes.
    const ms = await build(names, edges, { msaIntervalMs: 60_000 });
    console.log(`[mesh] 100 nodes, ${edges.length} links: converged ${ms.toFixed(0)} ms after dialing began`);
    for (const node of sim.nodes.values()) expect(node.routes().length).toBe(99);
    const result = await sim.node('n000').broadcast('all');
    expect(result.unreachable).toEqual([]);
    expect(result.reached.length).toBe(99);
  });

  it('after killing nodes, every node routes to exactly what is still reachable', async () => {
    const { names, edges } = randomGraph(40, 20, 11);
    await build(names, edges);
    const dead = ['n005', 'n013', 'n021', 'n030'];
    const t0 = performance.now();
    await Promise.all(dead.map((n) => sim.kill(n)));
    const alive = edges.filter(([a, b]) => !dead.includes(a) && !dead.includes(b));
    await waitFor(() => sim.converged(expectedAfter(alive)), 10_000, 'reroute after kills');
    console.log(`[mesh] 40 nodes, killed ${dead.length}: routes settled in ${(performance.now() - t0).toFixed(0)} ms`);
    const from = sim.node('n000');
    const targets = reachableFrom('n000', [...sim.nodes.keys()], alive);
    const result = await from.send([...targets, ...dead], 'after');
    expect(result.reached).toEqual([...targets].sort());
    expect(result.unreachable.map((m) => m.name)).toEqual(dead);
    for (const m of result.unreachable) expect(['NO_ROUTE', 'UNREACHABLE', 'CLOSED']).toContain(m.code);
  });

  it('a partition splits the routes, and healing restores them (dialed links come back)', async () => {
    const { names, edges } = randomGraph(30, 15, 3);
    await build(names, edges, { redialMs: 20 });
    const left = names.slice(0, 15);
    const right = names.slice(15);
    const t0 = performance.now();
    sim.network.partition(left, right);
    const split = edges.filter(([a, b]) => left.includes(a) === left.includes(b));
    await waitFor(() => sim.converged(expectedAfter(split)), 10_000, 'routes to split');
    console.log(`[mesh] 30 nodes partitioned 15/15: routes settled in ${(performance.now() - t0).toFixed(0)} ms`);
    const across = await sim.node(left[0]).send([right[0]], 'x');
    expect(across).toEqual({ reached: [], unreachable: [{ name: right[0], code: 'NO_ROUTE' }] });
    const t1 = performance.now();
    sim.network.heal();
    await waitFor(() => sim.converged(), 10_000, 'routes after heal');
    console.log(`[mesh] healed: full routes again in ${(performance.now() - t1).toFixed(0)} ms (redial 20 ms)`);
    expect(await sim.node(left[0]).send([right[0]], 'x')).toEqual({ reached: [right[0]], unreachable: [] });
  });

  it('a line of 5 plus a cross link: kill the middle, the next send goes the other way', async () => {
    // The line n1-n2-n3-n4-n5 and the cross link n2-n5. From n1 to n4 there are two
    // shortest paths, n1 n2 n3 n4 and n1 n2 n5 n4; the tie goes to n3, the line's middle.
    const names = ['n1', 'n2', 'n3', 'n4', 'n5'];
    const edges: [string, string][] = [['n1', 'n2'], ['n2', 'n3'], ['n3', 'n4'], ['n4', 'n5'], ['n2', 'n5']];
    await build(names, edges);
    const paths: string[][] = [];
    sim.node('n4').on((e) => e.type === 'message' && paths.push(e.hops));
    expect(await sim.node('n1').send(['n4'], 'before')).toEqual({ reached: ['n4'], unreachable: [] });
    const t0 = performance.now();
    await sim.kill('n3');
    const ms = await waitFor(() => sim.node('n1').routes().find((r) => r.destination === 'n4')?.path.includes('n5') ?? false, 5000, 'reroute');
    console.log(`[mesh] line of 5 + cross link: n1 rerouted around the dead middle in ${(performance.now() - t0).toFixed(1)} ms (wait ${ms.toFixed(1)} ms)`);
    expect(await sim.node('n1').send(['n4'], 'after')).toEqual({ reached: ['n4'], unreachable: [] });
    expect(paths).toEqual([
      ['n1', 'n2', 'n3', 'n4'],
      ['n1', 'n2', 'n5', 'n4'],
    ]);
  });

  it('a send racing a link drop names the recipient unreachable, never skips it', async () => {
    const names = ['a', 'b', 'c'];
    await build(names, [['a', 'b'], ['b', 'c']]);
    // b's copy towards c is lost, then the b-c link is cut: b answers for c at once.
    sim.network.lose((m) => m.from.startsWith('b:') && m.to.startsWith('c:'));
    const sending = sim.node('a').send(['b', 'c'], 'x');
    await waitFor(() => sim.node('b').status().counters.forwarded === 1, 5000, 'b to forward');
    sim.network.cut((local, remote) => local.startsWith('b:') && remote.startsWith('c:'));
    const result = await sending;
    expect(result.reached).toEqual(['b']);
    expect(result.unreachable).toEqual([{ name: 'c', code: 'UNREACHABLE' }]);
  });
});

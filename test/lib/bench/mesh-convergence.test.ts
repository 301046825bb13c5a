import { describe, expect, it } from 'vitest';
import { benchMeshConvergence, randomConnectedGraph, reachableFrom } from '../../../src/lib/bench/mesh-convergence.js';
import { prng } from '../../helpers/prng.js';

describe('randomConnectedGraph', () => {
  it.each([
    [2, 0],
    [10, 5],
    [30, 40],
  ])('%i nodes with %i extra links is connected and has that many links', (n, extra) => {
    const g = randomConnectedGraph(n, extra, prng(n));
    expect(g.names).toHaveLength(n);
    expect(g.edges).toHaveLength(n - 1 + extra);
    expect(reachableFrom(g.names[0], g.names, g.edges).sort()).toEqual(g.names.slice(1));
  });
});

describe('benchMeshConvergence (small)', () => {
  it('converges, kills, and reroutes to exactly what each survivor can still reach', async () => {
    const r = await benchMeshConvergence({ nodes: 12, extraLinks: 6, kills: 2, random: prng(3) });
    expect(r).toMatchObject({ nodes: 12, links: 17, killed: 2 });
    expect(r.convergeMs).toBeGreaterThan(0);
    expect(r.rerouteMs).toBeGreaterThan(0);
  });
});

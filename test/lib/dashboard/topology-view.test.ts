import { describe, expect, it } from 'vitest';
import { toDot } from '../../../src/lib/mesh/dot.js';
import { topologyFromDot } from '../../../src/lib/dashboard/topology-view.js';

describe('topologyFromDot', () => {
  it.each<{ name: string; graph: Record<string, string[]>; edges: string[][] }>([
    { name: 'a line', graph: { n1: ['n2'], n2: ['n1', 'n3'], n3: ['n2'] }, edges: [['n1', 'n2'], ['n2', 'n3']] },
    { name: 'names that need quoting', graph: { 'a "b"': ['c\\d'], 'c\\d': ['a "b"'], lone: [] }, edges: [['a "b"', 'c\\d']] },
  ])('reads back what toDot wrote: $name', ({ graph, edges }) => {
    const g = new Map(Object.entries(graph ));
    const view = topologyFromDot(toDot(g, { self: Object.keys(graph)[0] }), Object.keys(graph)[0]);
    expect(view.nodes.sort()).toEqual(Object.keys(graph).sort());
    expect(view.edges).toEqual(edges);
  });
});

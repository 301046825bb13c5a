import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { shortestPaths, splitByNextHop, type Routes } from '../../../src/lib/mesh/routing.js';
import type { Graph } from '../../../src/lib/mesh/topology.js';

/** Builds an undirected graph from an edge list. */
function graphOf(edges: [string, string][], isolated: string[] = []): Graph {
  const g: Graph = new Map();
  const add = (a: string, b: string) => g.set(a, [...(g.get(a) ?? []), b]);
  for (const n of isolated) g.set(n, []);
  for (const [a, b] of edges) {
    if (a === b) continue;
    add(a, b);
    add(b, a);
  }
  return g;
}

function table(routes: Routes): Record<string, string> {
  return Object.fromEntries([...routes].map(([d, r]) => [d, r.path.join('>')]));
}

/** Distances by repeated relaxation: a different algorithm from the one under test. */
function bruteDistances(graph: Graph, self: string): Map<string, number> {
  const dist = new Map([[self, 0]]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [a, ns] of graph) {
      for (const b of ns) {
        for (const [x, y] of [[a, b], [b, a]]) {
          const dx = dist.get(x);
          if (dx !== undefined && (dist.get(y) ?? Infinity) > dx + 1) {
            dist.set(y, dx + 1);
            changed = true;
          }
        }
      }
    }
  }
  return dist;
}

function adjacent(graph: Graph, a: string, b: string): boolean {
  return (graph.get(a) ?? []).includes(b) || (graph.get(b) ?? []).includes(a);
}

/** Every shortest path from self to dest, by exhaustive search. */
function allShortest(graph: Graph, self: string, dest: string, length: number): string[][] {
  const out: string[][] = [];
  const nodes = [...new Set([...graph.keys(), ...[...graph.values()].flat()])];
  const walk = (path: string[]) => {
    const last = path[path.length - 1];
    if (path.length - 1 === length) {
      if (last === dest) out.push(path);
      return;
    }
    for (const n of nodes) if (!path.includes(n) && adjacent(graph, last, n)) walk([...path, n]);
  };
  walk([self]);
  return out;
}

function lexLess(a: string[], b: string[]): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] < b[i];
  return a.length < b.length;
}

const NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
const arbGraph = fc
  .array(fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(...NAMES)), { maxLength: 16 })
  .map((edges) => graphOf(edges, ['a']));

describe('shortestPaths', () => {
  it.each([
    ['a line', [['a', 'b'], ['b', 'c'], ['c', 'd']], { b: 'a>b', c: 'a>b>c', d: 'a>b>c>d' }],
    ['a square: the tie goes to the smaller name', [['a', 'c'], ['c', 'd'], ['a', 'b'], ['b', 'd']], { b: 'a>b', c: 'a>c', d: 'a>b>d' }],
    ['a shortcut beats the long way', [['a', 'b'], ['b', 'c'], ['c', 'd'], ['a', 'd']], { b: 'a>b', c: 'a>b>c', d: 'a>d' }],
    ['an unreachable island is absent', [['a', 'b'], ['x', 'y']], { b: 'a>b' }],
    ['names compared whole, not as joined text', [['a', 'b'], ['a', 'bb'], ['b', 'z'], ['bb', 'c'], ['z', 'd'], ['c', 'd']], { b: 'a>b', bb: 'a>bb', z: 'a>b>z', c: 'a>bb>c', d: 'a>b>z>d' }],
  ] as [string, [string, string][], Record<string, string>][])('%s', (_, edges, expected) => {
    expect(table(shortestPaths(graphOf(edges), 'a'))).toEqual(expected);
  });

  it('has no route for self and for a node alone', () => {
    expect(shortestPaths(graphOf([], ['a']), 'a').size).toBe(0);
    expect(shortestPaths(new Map(), 'a').size).toBe(0);
  });

  it('property: routes are shortest and exactly the reachable nodes have one', () => {
    fc.assert(
      fc.property(arbGraph, (graph) => {
        const routes = shortestPaths(graph, 'a');
        const dist = bruteDistances(graph, 'a');
        dist.delete('a');
        expect(new Set(routes.keys())).toEqual(new Set(dist.keys()));
        for (const [dest, r] of routes) expect(r.hops).toBe(dist.get(dest));
      }),
    );
  });

  it('property: every path is a loop-free walk of real edges and nextHop is its first step', () => {
    fc.assert(
      fc.property(arbGraph, (graph) => {
        for (const [dest, r] of shortestPaths(graph, 'a')) {
          expect(r.path[0]).toBe('a');
          expect(r.path[r.path.length - 1]).toBe(dest);
          expect(new Set(r.path).size).toBe(r.path.length);
          expect(r.nextHop).toBe(r.path[1]);
          for (let i = 1; i < r.path.length; i++) expect(adjacent(graph, r.path[i - 1], r.path[i])).toBe(true);
        }
      }),
    );
  });

  it('property: the lexicographically smallest shortest path is chosen', () => {
    fc.assert(
      fc.property(arbGraph, (graph) => {
        for (const [dest, r] of shortestPaths(graph, 'a')) {
          for (const other of allShortest(graph, 'a', dest, r.hops)) expect(lexLess(other, r.path)).toBe(false);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('property: routes do not depend on the order of nodes or neighbour lists', () => {
    fc.assert(
      fc.property(arbGraph, fc.func(fc.integer()), (graph, key) => {
        const shuffle = <T,>(xs: T[]) => [...xs].sort((x, y) => key(x) - key(y));
        const reordered: Graph = new Map(shuffle([...graph]).map(([n, ns]) => [n, shuffle(ns)]));
        expect(table(shortestPaths(reordered, 'a'))).toEqual(table(shortestPaths(graph, 'a')));
      }),
    );
  });

  it('property: forwarding hop by hop on each node’s own routes reaches the destination in `hops` steps', () => {
    fc.assert(
      fc.property(arbGraph, (graph) => {
        const cache = new Map<string, Routes>();
        const routesOf = (n: string) => cache.get(n) ?? cache.set(n, shortestPaths(graph, n)).get(n)!;
        for (const [dest, r] of routesOf('a')) {
          let at = 'a';
          const seen = new Set([at]);
          for (let step = 0; step < r.hops; step++) {
            at = routesOf(at).get(dest)!.nextHop;
            expect(seen.has(at)).toBe(false);
            seen.add(at);
          }
          expect(at).toBe(dest);
        }
      }),
    );
  });
});

describe('splitByNextHop', () => {
  const routes = shortestPaths(graphOf([['a', 'b'], ['b', 'c'], ['b', 'd'], ['a', 'e']]), 'a');
  it.each([
    [['c', 'd', 'e'], { b: ['c', 'd'], e: ['e'] }, []],
    [['d', 'c', 'c'], { b: ['c', 'd'] }, []],
    [['x', 'b', 'y'], { b: ['b'] }, ['x', 'y']],
    [[], {}, []],
  ])('%o → %o, unreachable %o', (recipients, groups, unreachable) => {
    const split = splitByNextHop(recipients, routes);
    expect(Object.fromEntries(split.byNextHop)).toEqual(groups);
    expect(split.unreachable).toEqual(unreachable);
  });

  it('property: every recipient lands exactly once, in its next hop’s copy or as unreachable', () => {
    fc.assert(
      fc.property(arbGraph, fc.array(fc.constantFrom(...NAMES, 'zz')), (graph, recipients) => {
        const r = shortestPaths(graph, 'a');
        const split = splitByNextHop(recipients, r);
        const placed = [...[...split.byNextHop.values()].flat(), ...split.unreachable].sort();
        expect(placed).toEqual([...new Set(recipients)].sort());
        for (const [hop, names] of split.byNextHop) for (const n of names) expect(r.get(n)!.nextHop).toBe(hop);
        for (const n of split.unreachable) expect(r.has(n)).toBe(false);
      }),
    );
  });
});

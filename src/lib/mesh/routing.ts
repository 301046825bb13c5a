/**
 * Shortest-path routing over the mesh graph. Pure functions: the mesh node calls them again
 * whenever the topology changes.
 *
 * Every link costs one hop, so a breadth-first search finds shortest paths. Among several
 * shortest paths the lexicographically smallest sequence of names wins (compared name by
 * name), so every node computes the same routes from the same graph, whatever order the
 * announcements arrived in.
 */
import type { Graph } from './topology.js';

export interface Route {
  destination: string;
  /** The neighbour to hand a frame for `destination` to. */
  nextHop: string;
  /** Number of links to cross; 1 for a neighbour. */
  hops: number;
  /** Every node from `self` to `destination`, both included. */
  path: string[];
}

/** Routes by destination name. `self` is never in it. */
export type Routes = Map<string, Route>;

/**
 * Shortest paths from `self` to every node reachable in `graph`. Edges are read as undirected
 * (an edge listed at either end is used both ways); nodes not reachable are simply absent.
 */
export function shortestPaths(graph: Graph, self: string): Routes {
  const adjacency = undirected(graph);
  const routes: Routes = new Map();
  const paths = new Map<string, string[]>([[self, [self]]]);
  // The queue stays sorted by path: each level is discovered parent by parent (themselves in
  // path order) and, per parent, in name order. So the first discovery of a node is by the
  // smallest path, and that is the one kept.
  let level = [self];
  while (level.length > 0) {
    const next: string[] = [];
    for (const node of level) {
      const path = paths.get(node)!;
      for (const n of adjacency.get(node) ?? []) {
        if (paths.has(n)) continue;
        const p = [...path, n];
        paths.set(n, p);
        routes.set(n, { destination: n, nextHop: p[1], hops: p.length - 1, path: p });
        next.push(n);
      }
    }
    level = next;
  }
  return routes;
}

function undirected(graph: Graph): Map<string, string[]> {
  const adjacency = new Map<string, Set<string>>();
  const add = (a: string, b: string) => {
    let set = adjacency.get(a);
    if (!set) adjacency.set(a, (set = new Set()));
    set.add(b);
  };
  for (const [node, neighbours] of graph) {
    for (const n of neighbours) {
      if (n === node) continue;
      add(node, n);
      add(n, node);
    }
  }
  return new Map([...adjacency].map(([k, v]) => [k, [...v].sort()]));
}

export interface Split {
  /** Recipients grouped by the neighbour to send their copy to; names sorted, hops sorted. */
  byNextHop: Map<string, string[]>;
  /** Recipients with no route, sorted. */
  unreachable: string[];
}

/** One copy per next hop: groups `recipients` (duplicates removed) by their route's next hop. */
export function splitByNextHop(recipients: readonly string[], routes: Routes): Split {
  const groups = new Map<string, string[]>();
  const unreachable: string[] = [];
  for (const name of [...new Set(recipients)].sort()) {
    const route = routes.get(name);
    if (!route) {
      unreachable.push(name);
      continue;
    }
    const group = groups.get(route.nextHop);
    if (group) group.push(name);
    else groups.set(route.nextHop, [name]);
  }
  const byNextHop = new Map([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { byNextHop, unreachable };
}

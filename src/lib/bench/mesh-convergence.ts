/**
 * Mesh convergence, measured: N mesh nodes on the in-memory network, linked along a random
 * connected graph, with an announcement period far longer than the run, so every route comes
 * from the floods that link changes trigger. Reports how long until every node routes to every
 * other, then how long until every survivor routes around `kills` nodes stopped at once.
 * (In-memory links: this measures the protocol's convergence, not socket latency.)
 */
import { MeshNode } from '../mesh/mesh-node.js';
import { MemoryNetwork } from '../transport/memory.js';

export interface Graph {
  names: string[];
  edges: [string, string][];
}

/** A random connected graph: a random spanning tree plus `extra` random links. Deterministic per `random`. */
export function randomConnectedGraph(n: number, extra: number, random: () => number): Graph {
  const names = Array.from({ length: n }, (_, i) => `n${String(i).padStart(3, '0')}`);
  const keys = new Set<string>();
  const edges: [string, string][] = [];
  const add = (a: string, b: string) => {
    const key = a < b ? `${a}|${b}` : `${b}|${a}`;
    if (a === b || keys.has(key)) return;
    keys.add(key);
    edges.push([a, b]);
  };
  for (let i = 1; i < n; i++) add(names[i], names[Math.floor(random() * i)]);
  const most = (n * (n - 1)) / 2;
  while (edges.length < Math.min(n - 1 + extra, most)) add(names[Math.floor(random() * n)], names[Math.floor(random() * n)]);
  return { names, edges };
}

/** The nodes reachable from `start` over `edges` among the `alive` ones (plain search: the truth). */
export function reachableFrom(start: string, alive: Iterable<string>, edges: readonly [string, string][]): string[] {
  const live = new Set(alive);
  const seen = new Set([start]);
  const stack = [start];
  while (stack.length > 0) {
    const x = stack.pop()!;
    for (const [a, b] of edges) {
      const y = a === x ? b : b === x ? a : undefined;
      if (y !== undefined && live.has(y) && !seen.has(y)) {
        seen.add(y);
        stack.push(y);
      }
    }
  }
  seen.delete(start);
  return [...seen];
}

export interface ConvergenceResult {
  nodes: number;
  links: number;
  /** From the first dial until every node routes to every other. */
  convergeMs: number;
  killed: number;
  /** From stopping `killed` nodes until every survivor routes to exactly what it can still reach. */
  rerouteMs: number;
}

const SECRET = 'mesh-convergence-bench-secret-0123';

function agrees(nodes: Map<string, MeshNode>, edges: readonly [string, string][]): boolean {
  for (const [name, node] of nodes) {
    const have = node.routes().map((r) => r.destination).sort();
    const want = reachableFrom(name, nodes.keys(), edges).sort();
    if (have.length !== want.length || have.some((d, i) => d !== want[i])) return false;
  }
  return true;
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const t0 = performance.now();
  while (!condition()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`mesh did not converge (${what}) within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 1));
  }
  return performance.now() - t0;
}

export async function benchMeshConvergence(options: { nodes: number; extraLinks: number; kills: number; random: () => number; timeoutMs?: number }): Promise<ConvergenceResult> {
  const graph = randomConnectedGraph(options.nodes, options.extraLinks, options.random);
  const network = new MemoryNetwork();
  const nodes = new Map<string, MeshNode>();
  const timeoutMs = options.timeoutMs ?? 30_000;
  try {
    for (const name of graph.names) {
      const node = new MeshNode({ name, secret: SECRET, transport: network.transport(name), msaIntervalMs: 600_000 });
      await node.start();
      nodes.set(name, node);
    }
    const t0 = performance.now();
    await Promise.all(graph.edges.map(([a, b]) => nodes.get(a)!.dial(nodes.get(b)!.address!)));
    await until(() => agrees(nodes, graph.edges), timeoutMs, 'start');
    const convergeMs = performance.now() - t0;
    const victims = graph.names.filter(() => options.random() < 0.5).slice(0, options.kills);
    const t1 = performance.now();
    await Promise.all(victims.map((v) => nodes.get(v)!.stop()));
    for (const v of victims) nodes.delete(v);
    await until(() => agrees(nodes, graph.edges), timeoutMs, 'after kills');
    return { nodes: options.nodes, links: graph.edges.length, convergeMs, killed: victims.length, rerouteMs: performance.now() - t1 };
  } finally {
    await Promise.all([...nodes.values()].map((n) => n.stop()));
  }
}

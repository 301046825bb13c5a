/**
 * Test harness: mesh nodes on one in-memory network, one host per node (so partitions and
 * cuts can name them), and a condition waiter.
 */
import { MemoryNetwork } from '../../../src/lib/transport/memory.js';
import { MeshNode } from '../../../src/lib/mesh/mesh-node.js';
import type { MeshNodeOptions } from '../../../src/lib/mesh/mesh-options.js';


export const SECRET = 'a-mesh-test-secret-of-enough-length';

export class Sim {
  readonly network = new MemoryNetwork();
  readonly nodes = new Map<string, MeshNode>();

  async add(name: string, options: Partial<MeshNodeOptions> = {}): Promise<MeshNode> {
    const node = new MeshNode({ name, secret: SECRET, transport: this.network.transport(name), ...options });
    await node.start();
    this.nodes.set(name, node);
    return node;
  }

  node(name: string): MeshNode {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  async link(a: string, b: string): Promise<string> {
    return this.node(a).dial(this.node(b).address!);
  }

  async kill(name: string): Promise<void> {
    await this.node(name).stop();
    this.nodes.delete(name);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((n) => n.stop()));
    this.nodes.clear();
  }

  /** True when every live node has a route to every other live node reachable from it in `truth`. */
  converged(expected: (from: string) => string[] = (from) => [...this.nodes.keys()].filter((n) => n !== from)): boolean {
    for (const [name, node] of this.nodes) {
      const have = node.routes().map((r) => r.destination).sort();
      const want = expected(name).sort();
      if (have.length !== want.length || have.some((d, i) => d !== want[i])) return false;
    }
    return true;
  }
}

/** Resolves once `condition()` holds, checking every few ms; rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<number> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
  return performance.now() - start;
}

/** Reachability in an undirected edge list, by plain search (the truth the mesh must match). */
export { reachableFrom } from '../../../src/lib/bench/mesh-convergence.js';

/**
 * Mesh-only components (no server) for tests: one host each on an in-memory network, linked as
 * told, with a handler per name; waits until every route is known.
 */
import { Component, type ComponentOptions, type Message } from '../../src/index.js';
import { MemoryNetwork } from '../../src/lib/transport/memory.js';
import { until } from './wait.js';

export const MESH_SECRET = 'a-mesh-test-secret-of-enough-length';

export interface MeshOfComponents {
  network: MemoryNetwork;
  node(name: string): Component;
  /** Stops one node (a crash, as far as its neighbours can tell). */
  kill(name: string): Promise<void>;
  stopAll(): Promise<void>;
}

/**
 * Starts `names` as mesh-only components and links each pair of `links` (default: a line in
 * the given order). `handler(name)` is what each answers with (default: `{at: name}`).
 */
export async function meshOfComponents(
  names: string[],
  options: {
    links?: [string, string][];
    handler?: (name: string) => ComponentOptions['onMessage'];
    component?: Partial<ComponentOptions>;
  } = {},
): Promise<MeshOfComponents> {
  const network = new MemoryNetwork();
  const nodes = new Map<string, Component>();
  const handler = options.handler ?? ((name: string) => (m: Message) => ((m.body as { hang?: boolean } | null)?.hang ? new Promise<never>(() => {}) : { at: name }));
  const mesh: MeshOfComponents = {
    network,
    node: (name) => {
      const n = nodes.get(name);
      if (!n) throw new Error(`no mesh node ${name}`);
      return n;
    },
    kill: async (name) => {
      await nodes.get(name)?.stop();
      nodes.delete(name);
    },
    stopAll: async () => {
      await Promise.all([...nodes.values()].map((n) => n.stop()));
      nodes.clear();
    },
  };
  try {
    for (const name of names) {
      const c = await Component.start({ name, secret: MESH_SECRET, server: null, transport: network.transport(name), mesh: {}, onMessage: handler(name), ...options.component });
      nodes.set(name, c);
    }
    const links = options.links ?? names.slice(1).map((n, i) => [names[i], n] as [string, string]);
    await Promise.all(links.map(([a, b]) => mesh.node(a).mesh!.node.dial(mesh.node(b).mesh!.address)));
    await until('every mesh node has a route to every other', () => [...nodes.values()].every((c) => c.mesh!.node.routes().length === names.length - 1));
  } catch (error) {
    await mesh.stopAll();
    throw error;
  }
  return mesh;
}

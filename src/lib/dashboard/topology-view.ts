/**
 * A mesh node's topology (the graphviz text of `botz mesh dot`, which quotes every name) as
 * nodes and edges for the page's graph.
 */
import type { TopologyView } from './dashboard-model.js';

const QUOTED = '"((?:[^"\\\\]|\\\\.)*)"';
const EDGE = new RegExp(`^\\s*${QUOTED}\\s*--\\s*${QUOTED}\\s*;`);
const NODE = new RegExp(`^\\s*${QUOTED}\\s*(?:\\[[^\\]]*\\])?\\s*;`);

function unquote(id: string): string {
  return id.replace(/\\n/g, '\n').replace(/\\(.)/g, '$1');
}

/** The nodes and edges of an undirected DOT graph written by toDot (mesh/dot.ts). */
export function topologyFromDot(dot: string, self: string): TopologyView {
  const nodes = new Set<string>();
  const edges: [string, string][] = [];
  for (const line of dot.split('\n')) {
    const edge = EDGE.exec(line);
    if (edge) {
      const [a, b] = [unquote(edge[1]), unquote(edge[2])];
      nodes.add(a).add(b);
      edges.push([a, b]);
      continue;
    }
    const node = NODE.exec(line);
    if (node) nodes.add(unquote(node[1]));
  }
  return { self, nodes: [...nodes], edges };
}

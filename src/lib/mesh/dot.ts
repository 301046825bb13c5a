/**
 * Graphviz output of the mesh topology (`botz mesh dot`). Names are arbitrary strings, so
 * every ID is quoted and escaped — meshage printed them bare, which broke on a `-` or a space.
 */
import type { Graph } from './topology.js';

/** A DOT double-quoted ID for any string. */
export function quoteId(name: string): string {
  const escaped = name.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n|\r/g, '\\n');
  return `"${escaped}"`;
}

export interface DotOptions {
  /** The graph's name. */
  title?: string;
  /** The node whose view this is: drawn filled, so a reader knows where they stand. */
  self?: string;
}

/**
 * An undirected `graph` with every node (isolated ones too) and every edge once, in sorted
 * order so the same topology always prints the same text.
 */
export function toDot(graph: Graph, options: DotOptions = {}): string {
  const nodes = new Set<string>(graph.keys());
  const edges = new Set<string>();
  const pairs: [string, string][] = [];
  for (const [a, neighbours] of graph) {
    for (const b of neighbours) {
      nodes.add(b);
      if (a === b) continue;
      const [x, y] = a < b ? [a, b] : [b, a];
      const key = JSON.stringify([x, y]);
      if (edges.has(key)) continue;
      edges.add(key);
      pairs.push([x, y]);
    }
  }
  const lines = [`graph ${quoteId(options.title ?? 'mesh')} {`];
  for (const n of [...nodes].sort()) {
    lines.push(n === options.self ? `  ${quoteId(n)} [style=filled];` : `  ${quoteId(n)};`);
  }
  pairs.sort(([a1, b1], [a2, b2]) => (a1 !== a2 ? (a1 < a2 ? -1 : 1) : b1 < b2 ? -1 : b1 > b2 ? 1 : 0));
  for (const [a, b] of pairs) lines.push(`  ${quoteId(a)} -- ${quoteId(b)};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}

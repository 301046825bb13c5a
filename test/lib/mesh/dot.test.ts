import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { quoteId, toDot } from '../../../src/lib/mesh/dot.js';
import type { Graph } from '../../../src/lib/mesh/topology.js';

const QUOTED = String.raw`"((?:[^"\\]|\\.)*)"`;
const NODE_LINE = new RegExp(`^  ${QUOTED}( \\[style=filled\\])?;$`);
const EDGE_LINE = new RegExp(`^  ${QUOTED} -- ${QUOTED};$`);

/** Reads back the DOT subset toDot writes, strictly: any other line fails the test. */
function parseDot(text: string): { nodes: string[]; edges: [string, string][]; filled: string[] } {
  const unquote = (s: string) => s.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  const lines = text.trimEnd().split('\n');
  expect(lines[0]).toMatch(new RegExp(`^graph ${QUOTED} \\{$`));
  expect(lines[lines.length - 1]).toBe('}');
  const out = { nodes: [] as string[], edges: [] as [string, string][], filled: [] as string[] };
  for (const line of lines.slice(1, -1)) {
    const e = EDGE_LINE.exec(line);
    const n = NODE_LINE.exec(line);
    if (e) out.edges.push([unquote(e[1]), unquote(e[2])]);
    else if (n) {
      out.nodes.push(unquote(n[1]));
      if (n[2]) out.filled.push(unquote(n[1]));
    } else throw new Error(`not valid in our DOT subset: ${line}`);
  }
  return out;
}

describe('quoteId', () => {
  it.each([
    ['plain', '"plain"'],
    ['with space-and-dash', '"with space-and-dash"'],
    ['say "hi"', String.raw`"say \"hi\""`],
    [String.raw`back\slash`, String.raw`"back\\slash"`],
    ['two\nlines', String.raw`"two\nlines"`],
    ['', '""'],
  ])('%j → %s', (name, expected) => {
    expect(quoteId(name)).toBe(expected);
  });
});

describe('toDot', () => {
  it('prints each undirected edge once and every node, the viewer filled', () => {
    const graph: Graph = new Map([
      ['b', ['a', 'c']],
      ['a', ['b']],
      ['c', ['b']],
      ['lonely one', []],
    ]);
    expect(toDot(graph, { self: 'a', title: 'view of a' })).toBe(
      [
        'graph "view of a" {',
        '  "a" [style=filled];',
        '  "b";',
        '  "c";',
        '  "lonely one";',
        '  "a" -- "b";',
        '  "b" -- "c";',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('property: any names round-trip through valid quoted DOT, edges once each', () => {
    const names = fc.array(fc.string({ unit: 'grapheme' }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(names, fc.array(fc.tuple(fc.nat(5), fc.nat(5)), { maxLength: 10 }), (ns, idx) => {
        const graph: Graph = new Map(ns.map((n) => [n, []]));
        const expected = new Set<string>();
        for (const [i, j] of idx) {
          const a = ns[i % ns.length];
          const b = ns[j % ns.length];
          if (a === b) continue;
          graph.get(a)!.push(b);
          graph.get(b)!.push(a);
          expected.add(JSON.stringify(a < b ? [a, b] : [b, a]));
        }
        const parsed = parseDot(toDot(graph));
        expect(new Set(parsed.nodes)).toEqual(new Set(ns));
        expect(parsed.nodes.length).toBe(new Set(ns).size);
        expect(parsed.edges.length).toBe(expected.size);
        expect(new Set(parsed.edges.map((e) => JSON.stringify(e)))).toEqual(expected);
      }),
    );
  });
});

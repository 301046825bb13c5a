import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isNewer, Topology, type Announcement } from '../../../src/lib/mesh/topology.js';

const msa = (origin: string, neighbours: string[], seq = 1, incarnation = 1000): Announcement => ({
  origin,
  incarnation,
  seq,
  neighbours,
});

describe('isNewer', () => {
  it.each([
    [{ incarnation: 1, seq: 2 }, { incarnation: 1, seq: 1 }, true],
    [{ incarnation: 1, seq: 1 }, { incarnation: 1, seq: 1 }, false],
    [{ incarnation: 1, seq: 1 }, { incarnation: 1, seq: 2 }, false],
    // a restart: new incarnation, seq starts again
    [{ incarnation: 2, seq: 1 }, { incarnation: 1, seq: 99 }, true],
    [{ incarnation: 1, seq: 99 }, { incarnation: 2, seq: 1 }, false],
  ])('%o newer than %o → %s', (a, b, expected) => {
    expect(isNewer(a, b)).toBe(expected);
  });
});

describe('Topology', () => {
  it('accepts only newer announcements of an origin', () => {
    const t = new Topology('a', 10_000);
    expect(t.accept(msa('b', ['a'], 2), 0)).toBe(true);
    expect(t.accept(msa('b', [], 2), 0)).toBe(false);
    expect(t.accept(msa('b', [], 1), 0)).toBe(false);
    expect(t.get('b')?.neighbours).toEqual(['a']);
    expect(t.accept(msa('b', [], 1, 2000), 0)).toBe(true);
    expect(t.get('b')?.neighbours).toEqual([]);
  });

  it('counts an edge only when both ends report it', () => {
    const t = new Topology('a', 10_000);
    t.accept(msa('a', ['b', 'c']), 0);
    t.accept(msa('b', ['a']), 0);
    t.accept(msa('c', []), 0);
    t.accept(msa('d', ['a']), 0);
    expect(Object.fromEntries(t.graph())).toEqual({ a: ['b'], b: ['a'], c: [], d: [] });
  });

  it('ages out state not refreshed within maxAge, but never its own', () => {
    const t = new Topology('a', 1000);
    t.accept(msa('a', ['b']), 0);
    t.accept(msa('b', ['a']), 0);
    t.accept(msa('c', ['b']), 600);
    expect(t.prune(1000)).toEqual([]);
    expect(t.prune(1001)).toEqual(['b']);
    expect(t.nodes()).toEqual(['a', 'c']);
    expect(t.graph().get('a')).toEqual([]);
    t.accept(msa('c', ['b'], 2), 1500);
    expect(t.prune(2000)).toEqual([]);
    expect(t.prune(5000)).toEqual(['c']);
    expect(t.nodes()).toEqual(['a']);
  });

  it('ignores self-loops and duplicate neighbours', () => {
    const t = new Topology('a', 1000);
    t.accept(msa('a', ['a', 'b', 'b']), 0);
    t.accept(msa('b', ['a']), 0);
    expect(t.get('a')?.neighbours).toEqual(['b']);
    expect(t.graph().get('a')).toEqual(['b']);
  });

  it('property: the final state does not depend on the order announcements arrive in', () => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    const announcement = fc.record({
      origin: fc.constantFrom(...names),
      incarnation: fc.integer({ min: 1, max: 3 }),
      seq: fc.integer({ min: 1, max: 4 }),
      neighbours: fc.subarray(names),
    });
    fc.assert(
      fc.property(
        // one announcement per (origin, incarnation, seq): real nodes never reuse a number
        fc.uniqueArray(announcement, { selector: (m) => `${m.origin}/${m.incarnation}/${m.seq}`, maxLength: 20 }),
        fc.func(fc.integer()),
        (list, key) => {
          const t1 = new Topology('a', 1000);
          const t2 = new Topology('a', 1000);
          for (const m of list) t1.accept(m, 0);
          const shuffled = [...list].sort((x, y) => key(x) - key(y));
          for (const m of shuffled) t2.accept(m, 0);
          expect(t2.all()).toEqual(t1.all());
          expect(t2.graph()).toEqual(t1.graph());
        },
      ),
    );
  });

  it('property: every edge of the graph is reported by both ends and listed at both', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...names), fc.subarray(names))), (list) => {
        const t = new Topology('a', 1000);
        list.forEach(([origin, neighbours], i) => t.accept(msa(origin, neighbours, i + 1), 0));
        for (const [node, neighbours] of t.graph()) {
          for (const n of neighbours) {
            expect(t.get(node)!.neighbours).toContain(n);
            expect(t.get(n)!.neighbours).toContain(node);
            expect(t.graph().get(n)).toContain(node);
          }
        }
      }),
    );
  });
});

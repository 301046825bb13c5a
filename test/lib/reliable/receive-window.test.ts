import { describe, expect, it } from 'vitest';
import { ReceiveWindow, type DataOutcome } from '../../../src/lib/reliable/receive-window.js';

function feed(w: ReceiveWindow<string>, seqs: number[]): DataOutcome[] {
  return seqs.map((s) => w.onData(s, `m${s}`));
}

describe('ReceiveWindow', () => {
  it.each([
    // arrivals, outcomes, cumulative, ranges, released in order
    [[1, 2, 3], ['new', 'new', 'new'], 3, [], ['m1', 'm2', 'm3']],
    [[2, 1], ['new', 'new'], 2, [], ['m1', 'm2']],
    [[1, 1, 2, 1], ['new', 'duplicate', 'new', 'duplicate'], 2, [], ['m1', 'm2']],
    [[3, 3, 5], ['new', 'duplicate', 'new'], 0, [[3, 3], [5, 5]], []],
    [[3, 4, 6, 7, 8], ['new', 'new', 'new', 'new', 'new'], 0, [[3, 4], [6, 8]], []],
    [[1, 3, 2, 5, 4], ['new', 'new', 'new', 'new', 'new'], 5, [], ['m1', 'm2', 'm3', 'm4', 'm5']],
    [[9], ['refused'], 0, [], []], // beyond the window of 8
  ])('arrivals %j → %j, cumulative %d, ranges %j', (arrivals, outcomes, cumulative, ranges, released) => {
    const w = new ReceiveWindow<string>({ capacity: 8 });
    expect(feed(w, arrivals)).toEqual(outcomes);
    expect(w.ack()).toMatchObject({ cumulative, ranges });
    expect(w.read()).toEqual(released);
    expect(w.read()).toEqual([]);
  });

  it('reports at most maxSackRanges ranges, lowest first', () => {
    const w = new ReceiveWindow<string>({ capacity: 20, maxSackRanges: 2 });
    feed(w, [3, 5, 7, 9]);
    expect(w.ack().ranges).toEqual([
      [3, 3],
      [5, 5],
    ]);
  });

  it('shrinks the advertised window as the inbox fills and reopens it as the application reads', () => {
    const w = new ReceiveWindow<string>({ capacity: 3 });
    expect(w.window).toBe(3);
    feed(w, [1, 2]);
    expect(w.ack()).toEqual({ cumulative: 2, ranges: [], window: 1 });
    expect(feed(w, [4, 3, 3])).toEqual(['refused', 'new', 'duplicate']);
    expect(w.window).toBe(0);
    expect(w.read(2)).toEqual(['m1', 'm2']);
    expect(w.window).toBe(2);
    expect(w.available).toBe(1);
  });

  it('never holds more than its capacity, whatever arrives', () => {
    const w = new ReceiveWindow<string>({ capacity: 4 });
    for (let s = 20; s >= 1; s--) w.onData(s, `m${s}`);
    expect(w.available + w.buffered).toBeLessThanOrEqual(4);
    expect(w.read()).toEqual(['m1', 'm2', 'm3', 'm4']);
  });

  it('reads one at a time in order across inbox compaction', () => {
    const w = new ReceiveWindow<number>({ capacity: 1000 });
    const got: number[] = [];
    for (let s = 1; s <= 500; s++) {
      w.onData(s, s);
      if (s % 3 === 0) got.push(...w.read(1));
    }
    got.push(...w.read());
    expect(got).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
  });

  it('reset starts a new stream but keeps the unread inbox', () => {
    const w = new ReceiveWindow<string>({ capacity: 8 });
    feed(w, [1, 2, 4]);
    w.reset();
    expect(w.ack()).toEqual({ cumulative: 0, ranges: [], window: 6 });
    expect(w.onData(1, 'n1')).toBe('new');
    expect(w.read()).toEqual(['m1', 'm2', 'n1']);
  });
});

import { describe, expect, it } from 'vitest';
import { ReceiveWindow, type DataOutcome } from '../../../src/lib/reliable/receive-window.js';

function feed(w: ReceiveWindow<string>, seqs: number[]): DataOutcome[] {
  return seqs.map((s) => w.onData(s, `m${s}`));
}

describe('ReceiveWindow', () => {
  it.each([
    // arrivals, outcomes, held, ranges, in order to the application
    [[1, 2, 3], ['new', 'new', 'new'], 3, [], ['m1', 'm2', 'm3']],
    [[2, 1], ['new', 'new'], 2, [], ['m1', 'm2']],
    [[1, 1, 2, 1], ['new', 'duplicate', 'new', 'duplicate'], 2, [], ['m1', 'm2']],
    [[3, 3, 5], ['new', 'duplicate', 'new'], 0, [[3, 3], [5, 5]], []],
    [[3, 4, 6, 7, 8], ['new', 'new', 'new', 'new', 'new'], 0, [[3, 4], [6, 8]], []],
    [[1, 3, 2, 5, 4], ['new', 'new', 'new', 'new', 'new'], 5, [], ['m1', 'm2', 'm3', 'm4', 'm5']],
    [[9], ['refused'], 0, [], []], // beyond the window of 8
  ])('arrivals %j → %j, held %d, ranges %j', (arrivals, outcomes, held, ranges, released) => {
    const w = new ReceiveWindow<string>({ capacity: 8 });
    expect(feed(w, arrivals)).toEqual(outcomes);
    // Arrived is not taken: nothing is confirmed until the application has it.
    expect(w.ack()).toEqual({ cumulative: 0, held, ranges, window: 8 });
    expect(w.read()).toEqual(released);
    expect(w.read()).toEqual([]);
  });

  it.each([
    // arrivals, messages handed to the application, of them confirmed (taken), ack after
    ['arrived only', [1, 2, 3], 0, 0, { cumulative: 0, held: 3, ranges: [] }],
    ['handed out, not settled', [1, 2, 3], 2, 0, { cumulative: 0, held: 3, ranges: [] }],
    ['one settled', [1, 2, 3], 2, 1, { cumulative: 1, held: 3, ranges: [] }],
    ['all taken', [1, 2, 3], 3, 3, { cumulative: 3, held: 3, ranges: [] }],
    ['a hole above what was taken', [1, 3], 1, 1, { cumulative: 1, held: 1, ranges: [[3, 3]] }],
    ['more confirmed than handed out', [1, 2], 1, 5, { cumulative: 1, held: 2, ranges: [] }],
  ])('arrived vs taken vs acked: %s', (_what, arrivals, handed, confirmed, ack) => {
    const w = new ReceiveWindow<string>({ capacity: 8 });
    feed(w, arrivals);
    w.read(handed);
    w.confirm(confirmed);
    expect(w.ack()).toEqual({ ...ack, window: 8 });
    expect(w.cumulative).toBe(ack.cumulative);
    expect(w.held).toBe(ack.held);
  });

  it('reports at most maxSackRanges ranges, lowest first', () => {
    const w = new ReceiveWindow<string>({ capacity: 20, maxSackRanges: 2 });
    feed(w, [3, 5, 7, 9]);
    expect(w.ack().ranges).toEqual([
      [3, 3],
      [5, 5],
    ]);
  });

  it('accepts no more than its capacity beyond what the application took: reading alone frees nothing', () => {
    const w = new ReceiveWindow<string>({ capacity: 3 });
    expect(feed(w, [1, 2, 4, 3])).toEqual(['new', 'new', 'refused', 'new']);
    expect(w.ack()).toEqual({ cumulative: 0, held: 3, ranges: [], window: 3 });
    expect(w.read(2)).toEqual(['m1', 'm2']);
    expect(w.onData(4, 'm4')).toBe('refused'); // handed out but not settled: still ours to hold
    w.confirm(2);
    expect(feed(w, [4, 5, 6])).toEqual(['new', 'new', 'refused']);
    expect(w.ack()).toEqual({ cumulative: 2, held: 5, ranges: [], window: 3 });
    expect(w.available).toBe(3);
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
      if (s % 3 === 0) {
        got.push(...w.read(1));
        w.confirm(1);
      }
    }
    got.push(...w.read());
    w.confirm(Infinity);
    expect(got).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(w.ack()).toMatchObject({ cumulative: 500, held: 500 });
  });

  it('reset starts a new stream; what an earlier stream left (unread or unsettled) is still handed out but never confirms the new one', () => {
    const w = new ReceiveWindow<string>({ capacity: 8 });
    feed(w, [1, 2, 4]);
    expect(w.read(1)).toEqual(['m1']); // in the handler when the sender restarted
    w.reset();
    // m1 (handed out) and m2 (unread) still take room until the application is done with them.
    expect(w.ack()).toEqual({ cumulative: 0, held: 0, ranges: [], window: 6 });
    expect(w.onData(1, 'n1')).toBe('new');
    w.confirm(1); // m1 settles: it belongs to the old stream
    expect(w.ack()).toMatchObject({ cumulative: 0, held: 1, window: 7 });
    expect(w.read()).toEqual(['m2', 'n1']);
    w.confirm(2);
    expect(w.ack()).toEqual({ cumulative: 1, held: 1, ranges: [], window: 8 });
  });
});

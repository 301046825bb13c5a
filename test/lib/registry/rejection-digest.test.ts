import { describe, expect, it } from 'vitest';
import { RejectionDigest } from '../../../src/lib/registry/rejection-digest.js';

const r = (at: number, remote = '10.0.0.1:5000', code = 'TOO_MANY_CONNECTIONS') => ({ code, remote, at });

describe('RejectionDigest', () => {
  it('passes the first rejection of a code and source on at once, and sums up the rest of its second', () => {
    const digest = new RejectionDigest({ windowMs: 1000, burst: 1 });
    expect(digest.add(r(0))).toEqual(r(0));
    expect(digest.add(r(10, '10.0.0.1:5001'))).toBeUndefined();
    expect(digest.add(r(20, '10.0.0.1:5002'))).toBeUndefined();
    expect(digest.nextDueAt).toBe(1000);
    expect(digest.due(999)).toEqual([]);
    expect(digest.due(1000)).toEqual([{ code: 'TOO_MANY_CONNECTIONS', remote: '10.0.0.1', at: 1000, count: 2 }]);
  });

  it('keeps summing up while the flood goes on, one summary per window, then lets the next one through again', () => {
    const digest = new RejectionDigest({ windowMs: 1000, burst: 1 });
    digest.add(r(0));
    const summaries = [];
    for (let t = 1; t < 3000; t += 10) {
      summaries.push(...digest.due(t));
      digest.add(r(t));
    }
    summaries.push(...digest.due(3001));
    expect(summaries.map((s) => [s.at, s.count])).toEqual([[1001, 100], [2001, 100], [3001, 100]]);
    // A window with nothing in it closes without a line; then a rejection passes at once again.
    expect(digest.due(4001)).toEqual([]);
    expect(digest.nextDueAt).toBeUndefined();
    expect(digest.add(r(5000))).toEqual(r(5000));
  });

  it('keeps codes and sources apart; an IPv6 source is its /64', () => {
    const digest = new RejectionDigest({ windowMs: 1000, burst: 1 });
    const passed = [r(0), r(1, '10.0.0.2:1'), r(2, '10.0.0.1:2', 'BAD_MAC'), r(3, '[2001:db8::1]:7'), r(4, '[2001:db8::2]:7')].map((x) => digest.add(x));
    expect(passed.filter((x) => x !== undefined)).toHaveLength(4);
    expect(digest.due(1004)).toEqual([{ code: 'TOO_MANY_CONNECTIONS', remote: '2001:db8:0:0::/64', at: 1004, count: 1 }]);
  });

  it('beyond maxSources distinct sources, the rest share one summary', () => {
    const digest = new RejectionDigest({ windowMs: 1000, burst: 1, maxSources: 2 });
    const passed = [1, 2, 3, 4, 5].map((i) => digest.add(r(i, `10.0.0.${i}:1`)));
    expect(passed.filter((x) => x !== undefined)).toHaveLength(3);
    expect(digest.due(2000)).toEqual([{ code: 'TOO_MANY_CONNECTIONS', remote: 'other sources', at: 2000, count: 2 }]);
  });

  it('flush hands over every open summary, whatever the time', () => {
    const digest = new RejectionDigest({ windowMs: 1000, burst: 1 });
    digest.add(r(0));
    digest.add(r(1));
    expect(digest.flush(500)).toEqual([{ code: 'TOO_MANY_CONNECTIONS', remote: '10.0.0.1', at: 500, count: 1 }]);
    expect(digest.nextDueAt).toBeUndefined();
  });

  it('by default the first five of a window pass one by one, so the usual few rejections stay as they were', () => {
    const digest = new RejectionDigest();
    const passed = Array.from({ length: 8 }, (_, i) => digest.add(r(i, `10.0.0.1:${i}`)));
    expect(passed.filter((x) => x !== undefined).map((x) => x!.remote)).toEqual([0, 1, 2, 3, 4].map((i) => `10.0.0.1:${i}`));
    expect(digest.due(1000)).toEqual([{ code: 'TOO_MANY_CONNECTIONS', remote: '10.0.0.1', at: 1000, count: 3 }]);
    // The flood goes on: from now on, only the summary.
    expect(digest.add(r(1001))).toBeUndefined();
  });

  it('a remote that is not host:port (a mesh peer) is its own source', () => {
    const digest = new RejectionDigest({ windowMs: 1000, burst: 1 });
    digest.add(r(0, 'mesh'));
    digest.add(r(1, 'mesh'));
    expect(digest.due(1000)).toEqual([{ code: 'TOO_MANY_CONNECTIONS', remote: 'mesh', at: 1000, count: 1 }]);
  });
});

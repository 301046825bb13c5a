import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PendingRequests } from '../../../src/lib/channel/pending.js';
import { Closed } from '../../../src/lib/errors.js';
import type { Frame } from '../../../src/lib/wire/frames.js';

const reply = (re: string) => ({ v: 1, type: 'ack', id: `a-${re}`, from: 'x', re }) as Frame;

describe('PendingRequests', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('settles each request by its reply, once', async () => {
    const p = new PendingRequests();
    const a = p.add('a', 1000, () => 'a');
    expect(p.settle('a', reply('a'))).toBe(true);
    expect(p.settle('a', reply('a'))).toBe(false);
    await expect(a).resolves.toMatchObject({ re: 'a' });
    expect(p.size).toBe(0);
  });

  it('times out each request at its own deadline with one timer', async () => {
    const p = new PendingRequests();
    const long = p.add('long', 500, () => 'the long one');
    const short = p.add('short', 100, () => 'the short one');
    const shortFailed = expect(short).rejects.toMatchObject({ code: 'TIMEOUT', message: 'the short one got no answer within 100 ms' });
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    await shortFailed;
    expect(p.size).toBe(1);
    expect(p.settle('long', reply('long'))).toBe(true);
    await expect(long).resolves.toBeDefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('re-arms for the earliest deadline left after a sweep', async () => {
    const p = new PendingRequests();
    const first = p.add('first', 100, () => 'first');
    const second = p.add('second', 300, () => 'second');
    const failures = Promise.allSettled([first, second]);
    await vi.advanceTimersByTimeAsync(100);
    expect(p.size).toBe(1);
    await vi.advanceTimersByTimeAsync(199);
    expect(p.size).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(p.size).toBe(0);
    expect((await failures).map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('rejects everything on closeAll and refuses past its limit', async () => {
    const p = new PendingRequests(2);
    const all = [p.add('a', 1000, () => 'a'), p.add('b', 1000, () => 'b')];
    await expect(p.add('c', 1000, () => 'c')).rejects.toMatchObject({ code: 'TOO_MANY_PENDING' });
    p.closeAll(new Closed('gone'));
    for (const r of await Promise.allSettled(all)) expect(r).toMatchObject({ status: 'rejected', reason: { code: 'CLOSED' } });
    expect(vi.getTimerCount()).toBe(0);
  });
});

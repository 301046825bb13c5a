import { getEventListeners } from 'node:events';
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
    const a = p.add('a', { timeoutMs: 1000, describe: () => 'a' });
    expect(p.settle('a', reply('a'))).toBe(true);
    expect(p.settle('a', reply('a'))).toBe(false);
    await expect(a).resolves.toMatchObject({ re: 'a' });
    expect(p.size).toBe(0);
  });

  it('times out each request at its own deadline with one timer', async () => {
    const p = new PendingRequests();
    const long = p.add('long', { timeoutMs: 500, describe: () => 'the long one' });
    const short = p.add('short', { timeoutMs: 100, describe: () => 'the short one' });
    const shortFailed = expect(short).rejects.toMatchObject({ code: 'TIMEOUT', message: 'the short one got no answer within 100 ms' });
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    await shortFailed;
    expect(p.size).toBe(1);
    expect(p.settle('long', reply('long'))).toBe(true);
    await expect(long).resolves.toBeDefined();
    // Nothing waits: the timer may stay armed, but it no longer holds the process open,
    // and its sweep finds nothing and leaves no timer behind.
    expect(p.holdsProcessOpen).toBe(false);
    await vi.advanceTimersByTimeAsync(500);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('one request at a time reuses the armed timer instead of arming one per request', async () => {
    const p = new PendingRequests();
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    try {
      for (let i = 0; i < 100; i++) {
        const r = p.add(`r${i}`, { timeoutMs: 1000, describe: () => `r${i}` });
        expect(p.holdsProcessOpen).toBe(true);
        expect(p.settle(`r${i}`, reply(`r${i}`))).toBe(true);
        await r;
        expect(p.holdsProcessOpen).toBe(false);
        await vi.advanceTimersByTimeAsync(1);
      }
      expect(setTimeoutSpy.mock.calls.length).toBeLessThanOrEqual(2);
      // A request still times out after an idle stretch.
      const late = p.add('late', { timeoutMs: 50, describe: () => 'the late one' });
      const failed = expect(late).rejects.toMatchObject({ code: 'TIMEOUT' });
      await vi.advanceTimersByTimeAsync(2000);
      await failed;
    } finally {
      setTimeoutSpy.mockRestore();
    }
  });

  it('re-arms for the earliest deadline left after a sweep', async () => {
    const p = new PendingRequests();
    const first = p.add('first', { timeoutMs: 100, describe: () => 'first' });
    const second = p.add('second', { timeoutMs: 300, describe: () => 'second' });
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
    const all = [p.add('a', { timeoutMs: 1000, describe: () => 'a' }), p.add('b', { timeoutMs: 1000, describe: () => 'b' })];
    await expect(p.add('c', { timeoutMs: 1000, describe: () => 'c' })).rejects.toMatchObject({ code: 'TOO_MANY_PENDING' });
    p.closeAll(new Closed('gone'));
    for (const r of await Promise.allSettled(all)) expect(r).toMatchObject({ status: 'rejected', reason: { code: 'CLOSED' } });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ends a wait with CANCELLED when its signal fires, and stops listening to a signal once settled', async () => {
    const p = new PendingRequests();
    const controller = new AbortController();
    const cancelled = p.add('c', { timeoutMs: 1000, describe: () => 'the request to "x"', signal: controller.signal });
    const answered = p.add('a', { timeoutMs: 1000, describe: () => 'a', signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(2);
    expect(p.settle('a', reply('a'))).toBe(true);
    await expect(answered).resolves.toMatchObject({ re: 'a' });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ code: 'CANCELLED', message: 'the request to "x" was cancelled' });
    expect(p.size).toBe(0);
    expect(p.settle('c', reply('c'))).toBe(false); // the late reply finds nobody waiting
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('refuses a wait whose signal already fired, and a timed-out wait leaves no listener behind', async () => {
    const p = new PendingRequests();
    await expect(p.add('x', { timeoutMs: 1000, describe: () => 'x', signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(p.size).toBe(0);
    const controller = new AbortController();
    const late = expect(p.add('t', { timeoutMs: 100, describe: () => 't', signal: controller.signal })).rejects.toMatchObject({ code: 'TIMEOUT' });
    await vi.advanceTimersByTimeAsync(100);
    await late;
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

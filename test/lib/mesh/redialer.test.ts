import { afterEach, describe, expect, it, vi } from 'vitest';
import { Redialer } from '../../../src/lib/mesh/redialer.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('Redialer', () => {
  it('redials with doubling delays until it succeeds, then starts over', async () => {
    vi.useFakeTimers();
    const calls: number[] = [];
    let fail = 2;
    const r = new Redialer({
      baseDelayMs: 100,
      maxDelayMs: 1000,
      dial: async () => {
        calls.push(Date.now());
        if (fail-- > 0) throw new Error('refused');
        return 'b';
      },
    });
    const t0 = Date.now();
    r.add('h:1', 'b');
    r.linkDown('b');
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls.map((t) => t - t0)).toEqual([100, 300, 700]);
    r.linkDown('b');
    await vi.advanceTimersByTimeAsync(100);
    expect(calls.length).toBe(4);
  });

  it('caps the delay and stops for a hung-up target', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const r = new Redialer({ baseDelayMs: 100, maxDelayMs: 250, dial: async () => (calls++, Promise.reject(new Error('x'))) });
    r.add('h:1', 'b');
    r.linkDown('b');
    await vi.advanceTimersByTimeAsync(100 + 200 + 250 + 250);
    expect(calls).toBe(4);
    r.remove('b');
    expect(r.addresses()).toEqual([]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(4);
  });

  it('ignores drops of peers it never dialed and does nothing after stop', async () => {
    vi.useFakeTimers();
    const dial = vi.fn(async () => 'b');
    const r = new Redialer({ baseDelayMs: 10, maxDelayMs: 10, dial });
    r.add('h:1', 'b');
    r.linkDown('c');
    r.stop();
    r.linkDown('b');
    await vi.advanceTimersByTimeAsync(1000);
    expect(dial).not.toHaveBeenCalled();
  });
});

import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../src/lib/clock.js';
import { Redialer } from '../../../src/lib/mesh/redialer.js';

/** The jitter's draw, fixed: each delay is the top of its backoff cap, less 1 ms. */
const top = () => 0.999_999;

describe('Redialer', () => {
  it('redials with the backoff (caps 100, 200, 400 ms) until it succeeds, then starts over', async () => {
    const clock = new ManualClock();
    const calls: number[] = [];
    let fail = 2;
    const r = new Redialer({
      baseDelayMs: 100,
      maxDelayMs: 1000,
      clock,
      random: top,
      dial: async () => {
        calls.push(clock.now());
        if (fail-- > 0) throw new Error('refused');
        return 'b';
      },
    });
    const t0 = clock.now();
    r.add('h:1', 'b');
    r.linkDown('b');
    await clock.advance(98);
    expect(calls).toEqual([]);
    await clock.advance(1000);
    expect(calls.map((t) => t - t0)).toEqual([99, 99 + 199, 99 + 199 + 399]);
    r.linkDown('b');
    await clock.advance(99);
    expect(calls.length).toBe(4);
  });

  it('caps the delay and stops for a hung-up target', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const r = new Redialer({ baseDelayMs: 100, maxDelayMs: 250, clock, random: top, dial: async () => (calls++, Promise.reject(new Error('x'))) });
    r.add('h:1', 'b');
    r.linkDown('b');
    await clock.advance(99 + 199 + 249 + 249);
    expect(calls).toBe(4);
    r.remove('b');
    expect(r.addresses()).toEqual([]);
    await clock.advance(5000);
    expect(calls).toBe(4);
  });

  it('spreads a crowd out: the delay is a uniform draw below the cap (full jitter)', async () => {
    const clock = new ManualClock();
    const at: number[] = [];
    const r = new Redialer({ baseDelayMs: 1000, maxDelayMs: 1000, clock, random: () => 0.25, dial: async () => (at.push(clock.now()), 'b') });
    const t0 = clock.now();
    r.add('h:1', 'b');
    r.linkDown('b');
    await clock.advance(1000);
    expect(at.map((t) => t - t0)).toEqual([250]);
  });

  it('ignores drops of peers it never dialed and does nothing after stop', async () => {
    const clock = new ManualClock();
    const dial = vi.fn(async () => 'b');
    const r = new Redialer({ baseDelayMs: 10, maxDelayMs: 10, clock, dial });
    r.add('h:1', 'b');
    r.linkDown('c');
    r.stop();
    r.linkDown('b');
    await clock.advance(1000);
    expect(dial).not.toHaveBeenCalled();
  });
});

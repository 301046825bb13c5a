import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS, timerDelay } from '../../src/lib/timer-limit.js';

describe('timerDelay: a delay setTimeout honours', () => {
  it('is 2^31-1 ms at most, the largest delay Node does not turn into 1 ms', () => {
    expect(MAX_TIMER_MS).toBe(2_147_483_647);
    expect(timerDelay(MAX_TIMER_MS)).toBe(MAX_TIMER_MS);
    expect(timerDelay(2 ** 31)).toBe(MAX_TIMER_MS);
    expect(timerDelay(1000 * 3_600_000)).toBe(MAX_TIMER_MS);
    expect(timerDelay(Number.MAX_SAFE_INTEGER)).toBe(MAX_TIMER_MS);
    expect(timerDelay(Infinity)).toBe(MAX_TIMER_MS);
  });

  it('leaves ordinary delays alone and turns negative or NaN into 0', () => {
    expect(timerDelay(5_000)).toBe(5_000);
    expect(timerDelay(1.5)).toBe(1.5);
    expect(timerDelay(0)).toBe(0);
    expect(timerDelay(-20)).toBe(0);
    expect(timerDelay(-Infinity)).toBe(0);
    expect(timerDelay(NaN)).toBe(0);
  });

  it('gives a timer that Node arms without a TimeoutOverflowWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const timer = setTimeout(() => {}, timerDelay(2 ** 40));
      clearTimeout(timer);
      // emitWarning reports on the next tick.
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });
});

import { describe, expect, it } from 'vitest';
import { WindowBudget } from '../../../src/lib/stream/window-budget.js';

const KiB = 1024;

describe('WindowBudget', () => {
  it('doubles a window up to the largest, then keeps it', () => {
    const budget = new WindowBudget(2048 * KiB, 64 * 1024 * KiB);
    const a = {};
    const seen = [256 * KiB];
    for (let i = 0; i < 5; i++) seen.push(budget.grow(a, seen[seen.length - 1]));
    expect(seen).toEqual([256, 512, 1024, 2048, 2048, 2048].map((k) => k * KiB));
  });

  it('grows no window past the shared budget, and a closed stream gives its growth back', () => {
    const budget = new WindowBudget(2048 * KiB, 1024 * KiB);
    const a = {};
    const b = {};
    expect(budget.grow(a, 256 * KiB)).toBe(512 * KiB);
    expect(budget.grow(a, 512 * KiB)).toBe(1024 * KiB); // 768 KiB of the budget taken
    expect(budget.grow(b, 256 * KiB)).toBe(512 * KiB); // only 256 KiB were left
    expect(budget.available).toBe(0);
    expect(budget.grow(b, 512 * KiB)).toBe(512 * KiB);
    budget.release(a);
    expect(budget.available).toBe(768 * KiB);
    expect(budget.grow(b, 512 * KiB)).toBe(1024 * KiB);
    budget.release(a); // twice: nothing more
    expect(budget.available).toBe(256 * KiB);
  });
});

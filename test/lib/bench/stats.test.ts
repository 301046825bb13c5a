import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { median, percentile, ratio, round, summarize } from '../../../src/lib/bench/stats.js';

describe('percentile (nearest rank)', () => {
  const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  it.each([
    [ten, 50, 5],
    [ten, 90, 9],
    [ten, 99, 10],
    [ten, 100, 10],
    [ten, 0, 1],
    [ten, 10, 1],
    [ten, 11, 2],
    [[7], 50, 7],
    [[7], 99, 7],
    [[1, 2], 50, 1],
    [[1, 2], 51, 2],
    [[], 50, 0],
  ])('%j at p%d is %d', (sorted, p, expected) => {
    expect(percentile(sorted, p)).toBe(expected);
  });
});

describe('summarize', () => {
  it.each([
    [[], { count: 0, min: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 }],
    [[3], { count: 1, min: 3, p50: 3, p90: 3, p99: 3, max: 3, mean: 3 }],
    [[10, 1, 5, 2], { count: 4, min: 1, p50: 2, p90: 10, p99: 10, max: 10, mean: 4.5 }],
    // 100 samples 1..100 given in reverse: sorting must be numeric, not lexicographic.
    [Array.from({ length: 100 }, (_, i) => 100 - i), { count: 100, min: 1, p50: 50, p90: 90, p99: 99, max: 100, mean: 50.5 }],
  ])('%j', (samples, expected) => {
    expect(summarize(samples)).toEqual(expected);
  });

  it('does not reorder its input', () => {
    const samples = [3, 1, 2];
    summarize(samples);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('orders its statistics and takes them from the samples', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }), (samples) => {
        const s = summarize(samples);
        expect(s.min).toBeLessThanOrEqual(s.p50);
        expect(s.p50).toBeLessThanOrEqual(s.p90);
        expect(s.p90).toBeLessThanOrEqual(s.p99);
        expect(s.p99).toBeLessThanOrEqual(s.max);
        for (const v of [s.min, s.p50, s.p90, s.p99, s.max]) expect(samples).toContain(v);
        expect(s.count).toBe(samples.length);
      }),
    );
  });
});

describe('median, ratio, round', () => {
  it.each([
    [[5, 1, 3], 3],
    [[4, 1, 3, 2], 2],
    [[], 0],
  ])('median of %j is %d', (samples, expected) => expect(median(samples)).toBe(expected));

  it.each([
    [10, 5, 2],
    [1, 0, null],
    [Infinity, 2, null],
    [0, 4, 0],
  ])('ratio(%d, %d) is %s', (a, b, expected) => expect(ratio(a, b)).toBe(expected));

  it.each([
    [123.456, 123],
    [12.3456, 12.3],
    [0.0123456, 0.0123],
    [-0.5, -0.5],
  ])('round(%d) is %d', (value, expected) => expect(round(value)).toBe(expected));
});

import { describe, expect, it } from 'vitest';
import { TailState } from '../../src/repl/tail-state.js';

describe('TailState', () => {
  it('on / on NAME / off NAME / off', () => {
    const t = new TailState();
    expect(t.filter()).toBeUndefined();
    expect(t.on([], false)).toBe(true);
    expect(t.filter()).toEqual({ bodies: false });
    expect(t.on([], false)).toBe(false);
    expect(t.on(['b', 'a'], false)).toBe(true);
    expect(t.filter()).toEqual({ names: ['a', 'b'], bodies: false });
    expect(t.on(['c'], true)).toBe(true);
    expect(t.filter()).toEqual({ names: ['a', 'b', 'c'], bodies: true });
    expect(t.describe()).toBe('tail: on, a, b, c (with bodies)');
    expect(t.off(['a', 'b'])).toBe(true);
    expect(t.filter()).toEqual({ names: ['c'], bodies: true });
    expect(t.off(['c'])).toBe(true);
    expect(t.filter()).toBeUndefined();
    expect(t.describe()).toBe('tail: off');
    expect(t.off([])).toBe(false);
  });

  it('cannot exclude one name from all traffic', () => {
    const t = new TailState();
    t.on([], false);
    expect(() => t.off(['x'])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(t.filter()).toEqual({ bodies: false });
  });
});

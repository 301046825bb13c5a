import { describe, expect, it } from 'vitest';
import { followsNames } from '../../../src/lib/wire/names.js';

describe('followsNames: what a tail that names components follows', () => {
  it.each([
    [[], ['a', 'b'], true],
    [[], [], true],
    [['a'], ['a', 'b'], true],
    [['a'], ['b', 'a'], true],
    [['a'], ['b', 'c'], false],
    [['a', 'c'], ['b', 'c'], true],
    [['a'], [], false],
  ])('names %j, parties %j → %s', (names, parties, follows) => {
    expect(followsNames(new Set(names), parties)).toBe(follows);
  });
});

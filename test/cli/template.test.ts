/** Issue 17: payload templates, as `nats pub` has them. */
import { describe, expect, it } from 'vitest';
import { expandTemplate } from '../../src/cli/template.js';

const fixed = { count: 3, random: () => 0.5, now: () => Date.UTC(2026, 0, 2, 3, 4, 5, 678), id: () => 'abc123' };

describe('expandTemplate', () => {
  it.each([
    ['n={{Count}}', 'n=3'],
    ['r:={{Random 10 20}}', 'r:=15'],
    ['r:={{ Random 7 7 }}', 'r:=7'],
    ['at={{TimeStamp}}', 'at=2026-01-02T03:04:05.678Z'],
    ['t:={{Unix}}', 't:=1767323045'],
    ['t:={{UnixMilli}}', 't:=1767323045678'],
    ['id={{ID}}', 'id=abc123'],
    ['two={{Count}}-{{Count}}', 'two=3-3'],
    ['plain=text', 'plain=text'],
    ['other={{Unknown}}', 'other={{Unknown}}'],
  ])('%s', (text, out) => {
    expect(expandTemplate(text, fixed)).toBe(out);
  });

  it('refuses a Random whose bounds are not whole numbers in order', () => {
    expect(() => expandTemplate('{{Random 5 1}}', fixed)).toThrow(/Random 5 1/);
    expect(() => expandTemplate('{{Random a b}}', fixed)).toThrow(/Random a b/);
  });
});

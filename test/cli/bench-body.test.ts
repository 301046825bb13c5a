import { describe, expect, it } from 'vitest';
import { templatedBodies } from '../../src/cli/bench-body.js';
import type { TemplateContext } from '../../src/cli/template.js';

const fixed = (count: number): TemplateContext => ({ count, random: () => 0.5, now: () => 0, id: () => `id${count}` });

describe('templatedBodies', () => {
  it('expands the templates per request ({{Count}} from 1) and pads to the size with d', () => {
    const bodyFor = templatedBodies(['n:={{Count}}', 'id={{ID}}', 'r:={{Random 1 3}}'], 64, fixed);
    expect(bodyFor(0)).toMatchObject({ n: 1, id: 'id1', r: 2 });
    expect(bodyFor(41)).toMatchObject({ n: 42, id: 'id42' });
    expect(Buffer.byteLength(JSON.stringify(bodyFor(0)))).toBe(64);
  });

  it('leaves a body already over the size, or with its own d, as it is', () => {
    expect(templatedBodies(['d=mine'], 500, fixed)(0)).toEqual({ d: 'mine' });
    expect(templatedBodies(['long=' + 'y'.repeat(100)], 8, fixed)(0)).toEqual({ long: 'y'.repeat(100), d: '' });
  });

  it('a bad field is a usage error naming --field, at once', () => {
    expect(() => templatedBodies(['n:={{Random 9 1}}'], 100, fixed)).toThrow(/^--field: \{\{Random 9 1\}\} needs two whole numbers/);
    expect(() => templatedBodies(['nokey'], 100, fixed)).toThrow(/^--field: "nokey" is not key=value/);
  });
});

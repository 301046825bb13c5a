import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildBody, parseAssignment, parseAssignments, parseDataSpec, parseDataText } from '../../src/cli/payload.js';
import { bodyLines } from '../../src/cli/output.js';

describe('parseAssignment', () => {
  it.each([
    ['a=1', ['a', '1']],
    ['a=', ['a', '']],
    ['url=http://x/?q=1', ['url', 'http://x/?q=1']],
    ['n:=3', ['n', 3]],
    ['ok:=true', ['ok', true]],
    ['none:=null', ['none', null]],
    ['list:=[1,"two"]', ['list', [1, 'two']]],
    ['obj:={"a":{"b":1}}', ['obj', { a: { b: 1 } }]],
    ['s:="quoted"', ['s', 'quoted']],
    ['time=12:00', ['time', '12:00']],
  ])('%s', (token, expected) => {
    expect(parseAssignment(token)).toEqual(expected);
  });

  it.each(['novalue', '=x', ':=1', 'n:=', 'n:=nope', 'n:={bad'])('rejects %j with INVALID_ARGUMENT', (token) => {
    expect(() => parseAssignment(token)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('parseAssignments', () => {
  it('builds one object; a repeated key keeps its last value', () => {
    expect(parseAssignments(['a=1', 'b:=2', 'a=3'])).toEqual({ a: '3', b: 2 });
  });

  it('round-trips bodies printed as payload-grammar lines', () => {
    const key = fc.string({ minLength: 1 }).filter((k) => !k.includes('=') && !k.endsWith(':'));
    fc.assert(
      fc.property(fc.dictionary(key, fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string()))), (body) => {
        expect(parseAssignments(bodyLines(body))).toEqual(body);
      }),
    );
  });
});

describe('parseDataSpec / parseDataText', () => {
  it.each([
    ['-', { kind: 'stdin' }],
    ['@body.json', { kind: 'file', path: 'body.json' }],
    ['{"a":1}', { kind: 'inline', text: '{"a":1}' }],
  ])('%s', (spec, expected) => {
    expect(parseDataSpec(spec)).toEqual(expected);
  });

  it('rejects a bare @', () => {
    expect(() => parseDataSpec('@')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it.each(['', '   ', '{', 'nope'])('rejects %j as data', (text) => {
    expect(() => parseDataText(text, 'stdin')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('buildBody', () => {
  it('is {} with nothing given', () => {
    expect(buildBody([])).toEqual({});
  });
  it('is the data alone without assignments, whatever its type', () => {
    expect(buildBody([], [1, 2])).toEqual([1, 2]);
    expect(buildBody([], 'text')).toBe('text');
  });
  it('lays assignments over an object body', () => {
    expect(buildBody(['b=2', 'c:=3'], { a: 1, b: 1 })).toEqual({ a: 1, b: '2', c: 3 });
  });
  it('refuses assignments over a body that is not an object', () => {
    expect(() => buildBody(['a=1'], [1])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

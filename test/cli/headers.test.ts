import { describe, expect, it } from 'vitest';
import { headerLines, headersInline, parseHeaders } from '../../src/cli/headers.js';

describe('parseHeaders (-H KEY:VALUE)', () => {
  it.each([
    [[], undefined],
    [['trace-id:abc'], { 'trace-id': 'abc' }],
    [['k: spaced value '], { k: 'spaced value' }],
    [['url:http://x:80/y'], { url: 'http://x:80/y' }],
    [['empty:'], { empty: '' }],
    [['k:1', 'k:2'], { k: '2' }],
    [['a:1', 'b:2'], { a: '1', b: '2' }],
  ])('%j → %j', (words, expected) => {
    expect(parseHeaders(words)).toEqual(expected);
  });

  it.each(['nocolon', ':value', '  :value', ''])('refuses %j with INVALID_ARGUMENT, naming it', (word) => {
    expect(() => parseHeaders([word])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(JSON.stringify(word)) }));
  });
});

describe('showing headers', () => {
  it('one `key: value` line each, or all on one line', () => {
    expect(headerLines({ a: '1', 'trace-id': 'x y' })).toEqual(['a: 1', 'trace-id: x y']);
    expect(headerLines(undefined)).toEqual([]);
    expect(headersInline({ a: '1', b: '2' })).toBe('a: 1; b: 2');
  });
});

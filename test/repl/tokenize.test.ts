import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quoteWord, scan, tokenize } from '../../src/repl/tokenize.js';

describe('tokenize', () => {
  it.each([
    ['send echo a=1 b:=2', ['send', 'echo', 'a=1', 'b:=2']],
    ['  send   echo\ta=1  ', ['send', 'echo', 'a=1']],
    [`send echo 'msg=hello world'`, ['send', 'echo', 'msg=hello world']],
    [`send echo msg='hello world'`, ['send', 'echo', 'msg=hello world']],
    [`send echo "note=say \\"hi\\""`, ['send', 'echo', 'note=say "hi"']],
    [`send echo path=a\\ b`, ['send', 'echo', 'path=a b']],
    [`send echo 'x:={"a":[1, 2]}'`, ['send', 'echo', 'x:={"a":[1, 2]}']],
    [`send echo 'it'\\''s'`, ['send', 'echo', "it's"]],
    [`a "" b`, ['a', '', 'b']],
    [`say "back\\slash"`, ['say', 'back\\slash']],
    [`lit '\\n'`, ['lit', '\\n']],
    ['', []],
  ])('%s', (line, words) => {
    expect(tokenize(line)).toEqual(words);
  });

  it.each([`send echo 'open`, `send "open`, 'send echo \\'])('rejects %s with INVALID_ARGUMENT', (line) => {
    expect(() => tokenize(line)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('scan reports the word being typed and where it starts', () => {
    expect(scan('send ec').current).toEqual({ text: 'ec', start: 5 });
    expect(scan('send ').current).toEqual({ text: '', start: 5 });
    expect(scan(`send 'e`)).toMatchObject({ current: { text: 'e', start: 5 }, openQuote: "'" });
  });

  it('quoteWord round-trips any word through tokenize', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 5 }), (words) => {
        expect(tokenize(words.map(quoteWord).join(' '))).toEqual(words);
      }),
    );
  });
});

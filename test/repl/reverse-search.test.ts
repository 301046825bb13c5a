import { describe, expect, it } from 'vitest';
import { findOlder, ReverseSearch, type Key } from '../../src/repl/reverse-search.js';

const history = ['send b x=2', 'ls', 'send a x=1', 'tail on'];
const ctrl = (name: string): Key => ({ name, ctrl: true });

function typed(search: ReverseSearch, text: string) {
  let step = search.view();
  for (const ch of text) step = search.key(ch, { name: ch });
  return step;
}

describe('findOlder', () => {
  it('finds the newest entry at or after `from` containing the query', () => {
    expect(findOlder(history, 'send', 0)).toBe(0);
    expect(findOlder(history, 'send', 1)).toBe(2);
    expect(findOlder(history, 'send', 3)).toBe(-1);
  });
});

describe('ReverseSearch', () => {
  it('shows the original line under an empty query', () => {
    expect(new ReverseSearch(history, 'typed').view()).toEqual({ kind: 'searching', prompt: "(reverse-i-search)`': ", line: 'typed' });
  });

  it('narrows as characters come and Ctrl-R steps to older matches', () => {
    const s = new ReverseSearch(history, '');
    expect(typed(s, 'x=')).toMatchObject({ line: 'send b x=2' });
    expect(s.key(undefined, ctrl('r'))).toMatchObject({ prompt: "(reverse-i-search)`x=': ", line: 'send a x=1' });
    // No older match: it says so and keeps the last one.
    expect(s.key(undefined, ctrl('r'))).toMatchObject({ prompt: "(failed reverse-i-search)`x=': ", line: 'send a x=1' });
  });

  it('says the search failed and shows the original line when nothing matches', () => {
    expect(typed(new ReverseSearch(history, 'mine'), 'zz')).toEqual({ kind: 'searching', prompt: "(failed reverse-i-search)`zz': ", line: 'mine' });
  });

  it('Backspace shortens the query and searches again from the newest entry', () => {
    const s = new ReverseSearch(history, '');
    typed(s, 'lsq');
    expect(s.key('\x7f', { name: 'backspace' })).toMatchObject({ prompt: "(reverse-i-search)`ls': ", line: 'ls' });
  });

  it('Enter ends it and runs the match; Esc keeps the match to edit; Ctrl-G and Ctrl-C give the line back', () => {
    const run = new ReverseSearch(history, 'orig');
    typed(run, 'tail');
    expect(run.key('\r', { name: 'return' })).toEqual({ kind: 'done', line: 'tail on', passKey: true });
    const keep = new ReverseSearch(history, 'orig');
    typed(keep, 'tail');
    expect(keep.key('\x1b', { name: 'escape' })).toEqual({ kind: 'done', line: 'tail on' });
    for (const name of ['g', 'c']) {
      const back = new ReverseSearch(history, 'orig');
      typed(back, 'tail');
      expect(back.key(undefined, ctrl(name))).toEqual({ kind: 'done', line: 'orig' });
    }
  });

  it('any other key keeps the match and then acts on it', () => {
    const s = new ReverseSearch(history, '');
    typed(s, 'ls');
    expect(s.key('\x1b[D', { name: 'left' })).toEqual({ kind: 'done', line: 'ls', passKey: true });
  });
});

/**
 * Splits a REPL line into words the way a POSIX shell would, so a line typed in the REPL and the
 * same words typed after `botz` reach the flag parser as the same argv:
 *
 *   send echo msg='hello world' note="say \"hi\"" path=a\ b   →   [send, echo, msg=hello world, note=say "hi", path=a b]
 *
 * Single quotes keep everything literally; double quotes allow \" \\ \$ \` escapes; outside quotes
 * a backslash escapes any character. No expansion of any kind ($VAR, globs, ~) happens.
 * Pure: no I/O.
 */
import { BotzError, ErrorCode } from '../lib/errors.js';

/** The words of a line, and what the last one looks like (for completion). */
export interface Tokens {
  words: string[];
  /**
   * The word under the cursor at the end of the line: its text so far and where it starts in the
   * line. Empty with `start === line.length` when the line ends in whitespace (a new word).
   */
  current: { text: string; start: number };
  /** The quote still open at the end of the line, if any. */
  openQuote?: "'" | '"';
  /** True when the line ends in a lone backslash. */
  danglingEscape: boolean;
}

const SPACE = /[ \t\r\n]/;
/** Characters a backslash escapes inside double quotes; before any other it stays literal. */
const DQ_ESCAPABLE = new Set(['"', '\\', '$', '`']);

/** Scans `line` leniently: an unterminated quote or escape is reported, not thrown. */
export function scan(line: string): Tokens {
  const words: string[] = [];
  let word: string | null = null;
  let start = line.length;
  let quote: "'" | '"' | undefined;
  let escape = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (word === null) {
      if (SPACE.test(ch) && !escape) continue;
      word = '';
      start = i;
    }
    if (escape) {
      word += ch;
      escape = false;
    } else if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && i + 1 < line.length && DQ_ESCAPABLE.has(line[i + 1])) word += line[++i];
      else word += ch;
    } else if (ch === '\\') {
      escape = true;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (SPACE.test(ch)) {
      words.push(word);
      word = null;
      start = line.length;
    } else {
      word += ch;
    }
  }
  const current = word === null ? { text: '', start: line.length } : { text: word, start };
  if (word !== null) words.push(word);
  return { words, current, openQuote: quote, danglingEscape: escape };
}

/** The words of a complete line; an unterminated quote or trailing backslash is a usage error. */
export function tokenize(line: string): string[] {
  const t = scan(line);
  if (t.openQuote) {
    throw new BotzError(ErrorCode.INVALID_ARGUMENT, `unterminated ${t.openQuote} quote`, { details: { line } });
  }
  if (t.danglingEscape) throw new BotzError(ErrorCode.INVALID_ARGUMENT, 'the line ends in a lone backslash', { details: { line } });
  return t.words;
}

/** A word as the user would type it back: bare when safe, else single-quoted. */
export function quoteWord(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

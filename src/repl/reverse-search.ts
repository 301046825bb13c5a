/**
 * Ctrl-R reverse history search, as bash and GNU readline do it: node:readline has none. The
 * search is a pure state machine over the history (newest first); `installReverseSearch` puts it
 * in front of readline's own key handler and draws it by swapping the prompt for
 * "(reverse-i-search)`query': " with the match as the line.
 *
 * Keys while searching: characters extend the query, Ctrl-R finds the next older match,
 * Backspace shortens the query, Enter runs the match, Esc keeps it on the line for editing,
 * Ctrl-G or Ctrl-C give back the line as it was; any other key (arrows, Ctrl-A, Tab...) keeps the
 * match and then acts on it.
 */
import type { Interface } from 'node:readline';

/** A keypress as node:readline's emitKeypressEvents reports it. */
export interface Key {
  name?: string;
  ctrl?: boolean;
  meta?: boolean;
}

/** What the terminal shows after a key: still searching, or done with the line to edit. */
export type SearchStep =
  | { kind: 'searching'; prompt: string; line: string }
  /** `passKey`: readline still gets the key that ended the search (Enter runs the line, an arrow moves in it). */
  | { kind: 'done'; line: string; passKey?: boolean };

/** Index of the newest entry at or after `from` (older) that contains `query`, or -1. */
export function findOlder(history: readonly string[], query: string, from: number): number {
  for (let i = Math.max(from, 0); i < history.length; i++) if (history[i]!.includes(query)) return i;
  return -1;
}

/** One search, from Ctrl-R until a key ends it. */
export class ReverseSearch {
  private query = '';
  private match = -1;
  private failed = false;

  constructor(
    private readonly history: readonly string[],
    private readonly original: string,
  ) {}

  /** What to draw when the search starts. */
  view(): SearchStep {
    const label = this.failed ? '(failed reverse-i-search)' : '(reverse-i-search)';
    return { kind: 'searching', prompt: `${label}\`${this.query}': `, line: this.match >= 0 ? this.history[this.match]! : this.original };
  }

  /** Feed one keypress. */
  key(text: string | undefined, key: Key | undefined): SearchStep {
    const name = key?.name;
    if (key?.ctrl && name === 'r') {
      this.seek(this.match + 1);
      return this.view();
    }
    if (key?.ctrl && (name === 'g' || name === 'c')) return { kind: 'done', line: this.original };
    if (name === 'backspace') {
      this.query = this.query.slice(0, -1);
      this.seek(0);
      return this.view();
    }
    if (isPrintable(text, key)) {
      this.query += text;
      // The current match stays while it still contains the longer query (as in bash).
      this.seek(Math.max(this.match, 0));
      return this.view();
    }
    const line = this.current();
    if (name === 'escape') return { kind: 'done', line };
    return { kind: 'done', line, passKey: true };
  }

  private current(): string {
    return this.match >= 0 ? this.history[this.match]! : this.original;
  }

  /** Look for the query from `from` on; a miss keeps the last match shown and says it failed. */
  private seek(from: number): void {
    if (this.query === '') {
      this.failed = false;
      return;
    }
    const found = findOlder(this.history, this.query, from);
    this.failed = found < 0;
    if (found >= 0) this.match = found;
    else if (this.match >= 0 && !this.history[this.match]!.includes(this.query)) this.match = -1;
  }
}

function isPrintable(text: string | undefined, key: Key | undefined): text is string {
  if (typeof text !== 'string' || key?.ctrl || key?.meta) return false;
  return [...text].length === 1 && text >= ' ' && text !== '\x7f';
}

type KeyListener = (text: string | undefined, key: Key | undefined) => void;

/**
 * Put reverse search in front of `rl`'s keys on `input`. `history` gives the entries newest
 * first. Returns the function that takes it out again.
 */
export function installReverseSearch(rl: Interface, input: NodeJS.ReadStream, history: () => readonly string[]): () => void {
  // readline's own keypress listener (and anything else already there) gets every key we do not take.
  const forward = input.listeners('keypress') as KeyListener[];
  for (const l of forward) input.removeListener('keypress', l);
  const pass: KeyListener = (text, key) => {
    for (const l of forward) l.call(input, text, key);
  };
  let search: ReverseSearch | undefined;
  let prompt = '';

  // Redraw through readline itself (Ctrl-E, Ctrl-U, then the text), so its idea of the line and
  // the cursor stays right.
  const draw = (p: string, line: string) => {
    rl.setPrompt(p);
    rl.write(null, { ctrl: true, name: 'e' });
    rl.write(null, { ctrl: true, name: 'u' });
    if (line) rl.write(line);
  };

  const onKey: KeyListener = (text, key) => {
    if (!search) {
      if (!(key?.ctrl && key.name === 'r')) return pass(text, key);
      prompt = rl.getPrompt();
      search = new ReverseSearch(history(), rl.line);
      const first = search.view();
      if (first.kind === 'searching') draw(first.prompt, first.line);
      return;
    }
    const step = search.key(text, key);
    if (step.kind === 'searching') return draw(step.prompt, step.line);
    search = undefined;
    draw(prompt, step.line);
    if (step.passKey) pass(text, key);
  };
  input.on('keypress', onKey);
  return () => {
    input.removeListener('keypress', onKey);
    for (const l of forward) input.on('keypress', l);
  };
}

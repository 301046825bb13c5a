/** Issue 17, the REPL's own lines: help for a verb that is not there, typos, clear, hints that name REPL verbs. */
import { describe, expect, it } from 'vitest';
import { BotzError, ErrorCode } from '../../src/index.js';
import { complete } from '../../src/repl/completer.js';
import { LiveComponents } from '../../src/repl/live-components.js';
import type { ReplOutput } from '../../src/repl/output.js';
import { Session, type ReplClient } from '../../src/repl/session.js';

function session(style = { tty: false, color: false }) {
  const lines = { out: [] as string[], err: [] as string[] };
  const output: ReplOutput = { out: (t) => lines.out.push(t), err: (t) => lines.err.push(t), notice: () => {}, hold: () => {}, release: () => {} };
  const client = {
    name: 'repl-test',
    async request(target: string) {
      throw new BotzError(ErrorCode.NO_SUCH_COMPONENT, `no component named "${target}" is registered`);
    },
    async components() {
      return [];
    },
  } as unknown as ReplClient;
  const s = new Session({ client, output, live: new LiveComponents('repl-test'), style, server: '127.0.0.1:7300' });
  return { s, lines };
}

describe('REPL lines (issue 17)', () => {
  it('`help nope` is a usage error (exit 2) with the nearest verb', async () => {
    const { s, lines } = session();
    expect(await s.run('help sned')).toEqual({ exit: 2, quit: false });
    expect(lines.err).toEqual([expect.stringMatching(/^botz: no verb "sned"; did you mean `send`\?/)]);
  });

  it('an unknown verb suggests the nearest one', async () => {
    const { s, lines } = session();
    expect((await s.run('brodcast a=1')).exit).toBe(2);
    expect(lines.err[0]).toMatch(/unknown verb "brodcast"; did you mean `broadcast`\?/);
  });

  it('hints name the REPL verb, not a shell command', async () => {
    const { s, lines } = session();
    expect((await s.run('send ghost a=1')).exit).toBe(3);
    expect(lines.err[0]).toMatch(/run `ls` to see what is registered/);
    expect(lines.err[0]).not.toMatch(/botz components/);
  });

  it('`clear` clears a terminal and prints nothing in a script', async () => {
    const tty = session({ tty: true, color: false });
    expect(await tty.s.run('clear')).toEqual({ exit: 0, quit: false });
    expect(tty.lines.out.join('')).toContain('\x1b[2J');
    const plain = session();
    expect(await plain.s.run('clear')).toEqual({ exit: 0, quit: false });
    expect(plain.lines.out).toEqual([]);
  });
});

describe('completion of topics (issue 17)', () => {
  const net = { components: ['echo', 'm1', 'm2'], groups: [] };
  it.each([
    ['mesh rou', ['routes '], 'rou'],
    ['mesh ', ['dial', 'dot', 'hangup', 'routes', 'status'], ''],
    ['mesh routes m', ['m1', 'm2'], 'm'],
  ])('%j', (line, candidates, word) => {
    expect(complete(line, net)).toEqual([candidates, word]);
  });
});

describe('a REPL cut off from the server (issue 17)', () => {
  it('blames the link, not the target, while it is down', async () => {
    const lines = { out: [] as string[], err: [] as string[] };
    const output: ReplOutput = { out: (t) => lines.out.push(t), err: (t) => lines.err.push(t), notice: () => {}, hold: () => {}, release: () => {} };
    const client = {
      name: 'repl-test',
      async request() {
        throw new BotzError(ErrorCode.CLOSED, 'link to $server closed (code 1006)');
      },
    } as unknown as ReplClient;
    let down: string | undefined = 'lost the botz server at 127.0.0.1:7300 (server stopping); reconnecting…';
    const s = new Session({ client, output, live: new LiveComponents('repl-test'), style: { tty: false, color: false }, server: '127.0.0.1:7300', linkDown: () => down });
    expect((await s.run('send echo a=1')).exit).not.toBe(0);
    expect(lines.err[0]).toMatch(/^botz: the server link is down \(lost the botz server at 127\.0\.0\.1:7300/);
    expect(lines.err[0]).not.toMatch(/run `ls`/);
    down = undefined;
    await s.run('send echo a=1');
    expect(lines.err[1]).not.toMatch(/link is down/);
  });
});

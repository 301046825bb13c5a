/**
 * The REPL's `connect` verb against real components: it opens a stream, sends the LINE words,
 * half-closes, and prints what comes back as `< ` lines until the other side ends; refusals
 * are the CLI's one-liners and exit codes; Ctrl-C aborts the stream (the other side is told).
 */
import { afterEach, expect, it } from 'vitest';
import type { StreamChannel } from '../../src/index.js';
import { LiveComponents } from '../../src/repl/live-components.js';
import type { ReplOutput } from '../../src/repl/output.js';
import { Session } from '../../src/repl/session.js';
import { helpText } from '../../src/repl/verbs.js';
import { Network } from '../helpers/network.js';
import { until } from '../helpers/wait.js';

const net = new Network();
afterEach(() => net.stopAll());
const plain = { tty: false, color: false };

async function session(): Promise<{ s: Session; out: string[]; err: string[] }> {
  const alice = await net.component({ name: 'alice' });
  const out: string[] = [];
  const err: string[] = [];
  const output: ReplOutput = { out: (t) => out.push(t), err: (t) => err.push(t), notice: () => {}, hold: () => {}, release: () => {} };
  return { s: new Session({ client: alice as never, output, live: new LiveComponents('alice'), style: plain, server: net.server.address }), out, err };
}

it('sends the lines given, half-closes, and prints each line the other side sends until it ends', async () => {
  await net.serve();
  const bob = await net.component({ name: 'bob', port: 0 });
  const seen: unknown[] = [];
  bob.accept('shout', (ch, info) => {
    seen.push(info.headers);
    void (async () => {
      let text = '';
      for await (const part of ch) text += String(part);
      ch.end(text.toUpperCase());
    })();
  });
  const { s, out, err } = await session();
  expect(await s.run('connect bob shout "hello there" again -H k:v')).toEqual({ exit: 0, quit: false });
  expect(out).toEqual(['< HELLO THERE', '< AGAIN']);
  expect(err).toEqual([]);
  expect(seen).toEqual([{ k: 'v' }]);
  expect(await s.run('connect bob shout one --json')).toEqual({ exit: 0, quit: false });
  expect(out.slice(2)).toEqual(['{"line":"ONE"}']);
});

it('refusals are the CLI one-liners with their exit codes', async () => {
  await net.serve();
  const bob = await net.component({ name: 'bob', port: 0 });
  bob.accept('picky', () => {
    throw new Error('not today');
  });
  const { s, err } = await session();
  expect(await s.run('connect bob nothing')).toEqual({ exit: 3, quit: false });
  expect(await s.run('connect bob picky')).toEqual({ exit: 5, quit: false });
  expect(err[1]).toMatch(/not today/);
  expect(await s.run('connect bob')).toEqual({ exit: 2, quit: false });
  expect(helpText()).toMatch(/^ {2}connect /m);
});

it('Ctrl-C aborts the stream: the REPL says cancelled, and the other side is told', async () => {
  await net.serve();
  const bob = await net.component({ name: 'bob', port: 0 });
  let held: StreamChannel | undefined;
  bob.accept('hold', (ch) => {
    held = ch;
    ch.on('error', () => {});
    ch.resume(); // reads alice's end, never ends its own half
  });
  const { s, err } = await session();
  const ctrlC = new AbortController();
  const running = s.run('connect bob hold', ctrlC.signal);
  await until('bob holds the stream', () => held !== undefined);
  ctrlC.abort();
  expect(await running).toEqual({ exit: 130, quit: false });
  expect(err).toEqual(['cancelled']);
  await until('bob saw the stream end', () => held!.destroyed);
});

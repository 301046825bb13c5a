/** The session against a fake client: same lines as the CLI, errors never end it, exit codes. */
import { describe, expect, it } from 'vitest';
import { BotzError, ErrorCode, type TailEvent } from '../../src/index.js';
import { LiveComponents } from '../../src/repl/live-components.js';
import type { ReplOutput } from '../../src/repl/output.js';
import { Session, type ReplClient } from '../../src/repl/session.js';

function capture() {
  const lines = { out: [] as string[], err: [] as string[], notice: [] as string[] };
  const output: ReplOutput = {
    out: (t) => lines.out.push(t),
    err: (t) => lines.err.push(t),
    notice: (t) => lines.notice.push(t),
    hold: () => {},
    release: () => {},
  };
  return { lines, output };
}

function fakeClient(overrides: Partial<ReplClient> = {}): ReplClient & { calls: unknown[][]; tailer?: (e: TailEvent) => void } {
  const calls: unknown[][] = [];
  const c = {
    name: 'repl-test',
    calls,
    async request(target: string, body: unknown, opts: { headers?: Record<string, string> }) {
      calls.push(['request', target, body, opts]);
      if (target === 'nope') throw new BotzError(ErrorCode.NO_SUCH_COMPONENT, 'no component named "nope" is registered');
      if (target === 'never') return new Promise(() => {});
      // The reply carries back what headers came, as `register --echo` does.
      return { body, headers: opts.headers ?? {}, from: target, path: 'relay' };
    },
    async broadcast(body: unknown, opts: unknown) {
      calls.push(['broadcast', body, opts]);
      return { delivered: ['b', 'a'], ignored: [], failed: [{ name: 'c', error: { code: 'TIMEOUT', message: 'late' } }] };
    },
    async components() {
      return [];
    },
    async shutdown(name: string, opts: unknown) {
      calls.push(['shutdown', name, opts]);
      return { ready: true };
    },
    async tail(opts: unknown, listener: (e: TailEvent) => void) {
      calls.push(['tail', opts]);
      c.tailer = listener;
      return async () => void calls.push(['untail']);
    },
    tailer: undefined as ((e: TailEvent) => void) | undefined,
    ...overrides,
  };
  return c as unknown as ReplClient & { calls: unknown[][]; tailer?: (e: TailEvent) => void };
}

const plain = { tty: false, color: false };

function session(client = fakeClient(), pick?: (names: string[]) => Promise<string>) {
  const { lines, output } = capture();
  const live = new LiveComponents('repl-test');
  const s = new Session({ client, output, live, style: plain, server: '127.0.0.1:7300', pick });
  return { s, lines, client, live };
}

describe('Session', () => {
  it('sends with the body and timeout the line gives, and prints the reply as `botz send` does when piped', async () => {
    const { s, lines, client } = session();
    expect(await s.run('send echo a=1 b:=2 --timeout 2s')).toEqual({ exit: 0, quit: false });
    expect(client.calls[0]).toEqual(['request', 'echo', { a: '1', b: 2 }, { timeout: 2000 }]);
    expect(lines.out).toEqual(['{"a":"1","b":2}']);
  });

  it('-H sends headers, and the reply\'s are shown as notices, the body alone on the output', async () => {
    const { s, lines, client } = session();
    expect(await s.run('send echo a=1 -H trace-id:abc -H k:v')).toEqual({ exit: 0, quit: false });
    expect(client.calls[0]).toMatchObject(['request', 'echo', { a: '1' }, { headers: { 'trace-id': 'abc', k: 'v' } }]);
    expect(lines.out).toEqual(['{"a":"1"}']);
    expect(lines.err).toEqual(['trace-id: abc', 'k: v']);
  });

  it('--json prints JSON', async () => {
    const { s, lines } = session();
    await s.run('send echo x:=[1] --json');
    expect(JSON.parse(lines.out[0])).toEqual({ x: [1] });
  });

  it('errors are the CLI one-liners with their exit codes, and the session goes on', async () => {
    const { s, lines } = session();
    expect(await s.run('send nope a=1')).toEqual({ exit: 3, quit: false });
    expect(lines.err[0]).toMatch(/^botz: no component named "nope" is registered; run `ls`/);
    expect((await s.run('send echo a:=oops')).exit).toBe(2);
    expect(lines.err[1]).toMatch(/\(see `help send`\)$/);
    expect((await s.run('frobnicate')).exit).toBe(2);
    // No NODE: a usage error, like any verb missing its argument.
    expect((await s.run('mesh routes')).exit).toBe(2);
    expect(await s.run('send echo ok=1')).toEqual({ exit: 0, quit: false });
  });

  it('broadcast, shutdown and exit', async () => {
    const { s, lines, client } = session();
    // Printed like the CLI, and like the CLI a broadcast that someone missed is not a success.
    expect(await s.run('broadcast hi=all -g svc')).toEqual({ exit: 1, quit: false });
    expect(client.calls[0]).toEqual(['broadcast', { hi: 'all' }, { group: 'svc', timeout: 5000 }]);
    expect(lines.out[0]).toBe('delivered (2): a, b\nfailed    c: TIMEOUT late');
    await s.run('shutdown echo --force');
    expect(client.calls[1]).toEqual(['shutdown', 'echo', { forced: true, timeout: 5000 }]);
    expect(lines.out[1]).toBe('echo: ready, shutting down');
    expect(await s.run('exit')).toEqual({ exit: 0, quit: true });
  });

  it('send without a name: a usage error without a terminal, the pick-list with one', async () => {
    const none = session();
    expect((await none.s.run('send a=1')).exit).toBe(2);
    const picked: string[][] = [];
    const tty = session(fakeClient(), async (names) => (picked.push(names), names[0]));
    tty.live.reset([{ name: 'echo', address: null, groups: [], state: 'ready', meta: {}, lastHeartbeat: 0, registeredAt: 0 }]);
    expect((await tty.s.run('send a=1')).exit).toBe(0);
    expect(picked).toEqual([['echo']]);
    expect(tty.client.calls[0]).toEqual(['request', 'echo', { a: '1' }, { timeout: 5000 }]);
  });

  it('an abort cancels the wait with exit 130', async () => {
    const { s, lines } = session();
    const ac = new AbortController();
    const pending = s.run('send never a=1', ac.signal);
    ac.abort();
    expect(await pending).toEqual({ exit: 130, quit: false });
    expect(lines.err).toEqual(['cancelled']);
  });

  it('tail on prints events as notices; tail off unsubscribes', async () => {
    const { s, lines, client } = session();
    await s.run('tail on echo');
    expect(client.calls[0]).toEqual(['tail', { names: ['echo'], bodies: false }]);
    client.tailer!({ kind: 'traffic', event: { at: 0, from: 'a', to: 'echo', kind: 'request', id: '1', size: 10, path: 'relay' } });
    expect(lines.notice[0]).toMatch(/a → echo {2}request {2}10B {2}relay$/);
    await s.run('tail off');
    expect(client.calls[1]).toEqual(['untail']);
    expect(lines.out).toEqual(['tail: on, echo', 'tail: off']);
  });

  it('a tail on that failed leaves the tail off, and says so', async () => {
    const client = fakeClient({
      tail: () => Promise.reject(new BotzError(ErrorCode.SERVER_UNREACHABLE, 'cannot reach the botz server at 127.0.0.1:7300')),
    });
    const { s, lines } = session(client);
    expect((await s.run('tail on')).exit).toBe(7);
    await s.run('tail');
    expect(lines.out).toEqual(['tail: off']);
  });
});

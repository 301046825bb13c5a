/**
 * Issue 17: a server outage is seen, not silent. With the server stopped and started again on
 * the same port, `register`, `tail`, `components --watch` and the REPL each say on stderr when
 * the link is lost and when it is back (the REPL in a terminal too, above its prompt); with --json, register and tail also print an NDJSON
 * record of each. Real processes; the restart is waited for by its "listening" line.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isolatedEnv, startBotz, type Running } from './harness.js';
import { stopTmux, TmuxPane } from '../repl/tmux.js';

const started: Running[] = [];
let pane: TmuxPane | undefined;
afterAll(async () => {
  pane?.kill();
  stopTmux();
  await Promise.all(started.map((r) => r.stop('SIGKILL')));
});

function start(args: string[], env: NodeJS.ProcessEnv): Running {
  const r = startBotz(args, env);
  started.push(r);
  return r;
}

describe('a server outage', () => {
  it('is reported by register, tail, components --watch and the REPL, and so is the return', async () => {
    const configDir = await mkdtemp(join(tmpdir(), 'botz-e2e-outage-'));
    const serverEnv = isolatedEnv({ BOTZ_CONFIG_DIR: configDir });
    const first = start(['serve', '--port', '0'], serverEnv);
    const address = (await first.waitFor(/^listening on /)).replace('listening on ', '').trim();
    const env = isolatedEnv({ BOTZ_CONFIG_DIR: configDir, BOTZ_SERVER: address });

    const register = start(['register', 'outage-echo', '--echo', '--json'], env);
    await register.waitFor(/"type":"registered"/);
    const tail = start(['tail', '--json'], env);
    await tail.waitFor(/^tailing /, 'err');
    const watch = start(['components', '--watch'], env);
    await watch.waitFor(/outage-echo/);
    const repl = start(['repl', '--name', 'outage-repl'], env);
    // A line through the REPL: it is joined and reading its script.
    repl.child.stdin.write('ls\n');
    await repl.waitFor(/outage-echo/);

    // And the REPL in a terminal, with a line half typed: the notices print above the prompt and keep it.
    pane = new TmuxPane(['repl', '--name', 'outage-tty'], env);
    await pane.waitFor(/botz>\s*$/m);
    pane.type('send outage-echo half');
    await pane.waitFor(/botz> send outage-echo half\s*$/);

    const watchers = { register, tail, watch, repl };
    await first.stop('SIGTERM');
    await pane.waitFor(/lost the botz server at .*reconnecting.*\n.*botz> send outage-echo half\s*$/);
    for (const [name, r] of Object.entries(watchers)) {
      const line = await r.waitFor(new RegExp(`lost the botz server at ${address.replace(/\./g, '\\.')}`), 'err').catch((e: Error) => `${name}: ${e.message}`);
      expect(line, name).toMatch(/reconnecting/);
    }
    await register.waitFor(/"type":"disconnected"/);
    await tail.waitFor(/"kind":"server".*"state":"lost"/);
    // The watch's table is stale now, and says so.
    await watch.waitFor(/stale/i);
    // The REPL's next send blames the link, not the target.
    repl.child.stdin.write('send outage-echo a=1 --timeout 1s\n');
    await repl.waitFor(/^botz: the server link is down \(lost the botz server/, 'err');

    const again = start(['serve', '--port', address.split(':')[1]], serverEnv);
    await again.waitFor(/^listening on /);
    for (const [name, r] of Object.entries(watchers)) {
      const line = await r.waitFor(new RegExp(`back on the botz server at ${address.replace(/\./g, '\\.')}`), 'err').catch((e: Error) => `${name}: ${e.message}`);
      expect(line, name).toMatch(/after/);
    }
    await pane.waitFor(/back on the botz server at .* after .*\n.*botz> send outage-echo half\s*$/);
    await register.waitFor(/"type":"reconnected"/);
    await tail.waitFor(/"kind":"server".*"state":"back"/);
    for (const r of Object.values(watchers)) expect(r.child.exitCode).toBeNull();
  }, 40_000);
});

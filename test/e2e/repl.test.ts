/**
 * `botz repl` end to end: the real binary in a real terminal (tmux), against a real `botz serve`
 * and `botz register`. Needs a build (`npm run build`) and tmux.
 */
import { spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runBotz, startNetwork, type Network, type Result } from './harness.js';
import { BIN, stopTmux, TmuxPane } from '../repl/tmux.js';

let net: Network;
const panes: TmuxPane[] = [];
let seq = 0;

beforeAll(async () => {
  net = await startNetwork();
  await net.register('r-echo', '--echo');
});
afterAll(async () => {
  stopTmux();
  await net?.stop();
});
afterEach(() => {
  for (const p of panes.splice(0)) p.kill();
});

/** A REPL in a terminal, joined as a fresh name, with its first prompt on screen. */
async function repl(): Promise<{ pane: TmuxPane; name: string }> {
  const name = `repl-e2e-${process.pid}-${++seq}`;
  const pane = new TmuxPane(['repl', '--name', name], net.env);
  panes.push(pane);
  await pane.waitFor(/botz>\s*$/m);
  return { pane, name };
}

/** The botz binary under test with stdin piped. */
function script(input: string): Promise<Result> {
  return runBotz(['repl'], net.env, input);
}

describe('botz repl in a terminal', () => {
  it('shows the server in the prompt and prints the reply to `send r-echo a=1`', async () => {
    const { pane } = await repl();
    expect(pane.screen()).toContain(`${net.address} botz>`);
    pane.type('send r-echo a=1');
    pane.press('Enter');
    const screen = await pane.waitFor(/│ a │ 1 │/);
    expect(screen).toMatch(/botz> send r-echo a=1\n/);
    await pane.waitFor(/└───┴───┘\n.*botz>\s*$/m);
  });

  it('Tab-completes a component that registered after the REPL started', async () => {
    const { pane } = await repl();
    const late = `late-${process.pid}`;
    await net.register(late, '--echo');
    // The name arrives with a membership event: Tab until it has (bounded), retyping the word each time.
    const deadline = Date.now() + 8_000;
    for (;;) {
      pane.type('send late-');
      pane.press('Tab');
      try {
        await pane.waitFor(new RegExp(`botz> send ${late}\\s*$`, 'm'), 500);
        break;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        pane.press('C-u');
      }
    }
    pane.type('hi=there');
    pane.press('Enter');
    await pane.waitFor(/│ hi │ there │/);
  });

  it('prints a broadcast from another process above the prompt, keeping the line being typed', async () => {
    const { pane, name } = await repl();
    pane.type('ls --js');
    await pane.waitFor(/botz> ls --js$/m);
    // REPLs of earlier tests may still be registered with their links down (they fail the
    // broadcast, and it exits 1): what matters here is that this one got it.
    const r = await runBotz(['broadcast', 'hello=all'], net.env);
    expect(r.stdout).toMatch(new RegExp(`^delivered \\(\\d+\\): .*\\b${name}\\b`, 'm'));
    const screen = await pane.waitFor(new RegExp(`→ ${name} {2}broadcast {2}\\{"hello":"all"\\}`));
    const lines = screen.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toMatch(/botz> ls --js$/);
    // The typed text is still the line: finishing and entering it runs `ls --json`.
    pane.type('on');
    pane.press('Enter');
    await pane.waitFor(/"name": "r-echo"/);
  });

  it('recalls history with Up after a restart', async () => {
    const first = await repl();
    const line = `send r-echo hist:=${process.pid}`;
    first.pane.type(line);
    first.pane.press('Enter');
    await first.pane.waitFor(new RegExp(`│ hist │ ${process.pid} │`));
    first.pane.press('C-d');
    await first.pane.waitFor(/\[exited 0\]/);

    const second = await repl();
    second.pane.press('Up');
    await second.pane.waitFor(new RegExp(`botz> ${line.replace(/[$]/g, '\\$')}$`, 'm'));
  });

  it('Ctrl-C cancels a pending wait and the session goes on', async () => {
    await net.register('r-slow', '--exec', 'sleep 30');
    const { pane } = await repl();
    pane.type('send r-slow x=1 --timeout 30s');
    pane.press('Enter');
    await pane.waitFor(/send r-slow x=1 --timeout 30s\n/);
    pane.press('C-c');
    await pane.waitFor(/^cancelled\n.*botz>\s*$/m);
    pane.type('send r-echo after=cancel');
    pane.press('Enter');
    await pane.waitFor(/│ after │ cancel │/);
  });

  it('an error prints the CLI one-liner and does not end the session', async () => {
    const { pane } = await repl();
    pane.type('send nobody-here a=1');
    pane.press('Enter');
    await pane.waitFor(/botz: no component named "nobody-here" is registered.*\n.*botz>\s*$/m);
    pane.type('exit');
    pane.press('Enter');
    await pane.waitFor(/\[exited 0\]/);
  });
});

describe('botz repl keys (issue 17)', () => {
  for (const key of ['Escape', 'C-c']) {
    it(`${key} dismisses the pick-list, erases its menu and keeps the session`, async () => {
      const { pane } = await repl();
      pane.type('send');
      pane.press('Enter');
      await pane.waitFor(/send to which component\?/);
      pane.press(key);
      const screen = await pane.waitFor(/^cancelled\n.*botz>\s*$/m);
      expect(screen).not.toMatch(/which component|navigate/);
      pane.type('send r-echo after=pick');
      pane.press('Enter');
      await pane.waitFor(/│ after │ pick │/);
    });
  }

  it('Ctrl-R searches the history backwards as bash does; Enter runs the match, Esc keeps the line', async () => {
    const { pane } = await repl();
    pane.type('send r-echo needle=one');
    pane.press('Enter');
    await pane.waitFor(/│ needle │ one │/);
    pane.type('ls');
    pane.press('Enter');
    await pane.waitFor(/│ r-echo /);
    pane.press('C-r');
    pane.type('needl');
    await pane.waitFor(/\(reverse-i-search\)`needl': send r-echo needle=one$/m);
    pane.press('Escape');
    await pane.waitFor(/ls\n[^]*botz> send r-echo needle=one\s*$/);
    pane.press('C-u');
    pane.press('C-r');
    pane.type('xyzzy-nothing');
    await pane.waitFor(/\(failed reverse-i-search\)`xyzzy-nothing':\s*$/);
    pane.press('C-g');
    await pane.waitFor(/ls\n[^]*botz>\s*$/);
    pane.press('C-r');
    pane.type('=one');
    await pane.waitFor(/`=one': send r-echo needle=one$/m);
    pane.press('Enter');
    // The search prompt is gone: the next prompt is the REPL's own.
    await pane.waitFor(/│ needle │ one │[^]*│ needle │ one │\n.*\n\d[\d.:]* botz>\s*$/);
  });
});

describe('tables in a terminal (issue 17)', () => {
  it('fit the 120 columns: a 200-character value wraps inside its cell, rows are compact', async () => {
    const { pane } = await repl();
    pane.type(`send r-echo long=${'v'.repeat(200)} short=1`);
    pane.press('Enter');
    const screen = await pane.waitFor(/│ short │ 1 +│\n└/);
    const table = screen.split('\n').filter((l) => /^[┌│├└]/.test(l));
    for (const line of table) expect(line.length).toBeLessThanOrEqual(120);
    // Every row is drawn whole: it starts and ends with a border; no rule between rows.
    expect(table.filter((l) => l.startsWith('│')).every((l) => l.trimEnd().endsWith('│'))).toBe(true);
    expect(table.some((l) => l.startsWith('├'))).toBe(false);
    expect(table.filter((l) => /^│ +│ v+ +│$/.test(l)).length).toBeGreaterThan(0);
  });
});

describe('botz repl with stdin piped', () => {
  it('runs the lines as a script: no prompt, no escape codes, exit code of the first failure', async () => {
    const r = await script('send r-echo a=1\n\n# a comment\nsend nobody-here x=1\nsend r-echo a=1 --timeout nope\nsend r-echo b:=2\n');
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('{"a":"1"}\n{"b":2}\n');
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^botz: no component named "nobody-here" is registered/),
      expect.stringMatching(/^botz: --timeout: "nope" is not a duration.*\(see `help send`\)$/),
    ]);
    expect(r.stdout + r.stderr).not.toContain('\u001b');
    expect(r.stdout + r.stderr).not.toContain('botz> ');
  });

  it('exits 0 when every line succeeds, and `exit` ends the script early', async () => {
    const r = await script('ls --json\nexit\nsend nobody-here x=1\n');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((c: { name: string }) => c.name)).toContain('r-echo');
  });

  it('without a reachable server says so and exits 7 (no offer without a terminal)', async () => {
    const env = { ...net.env, BOTZ_SERVER: '127.0.0.1:1' };
    const child = spawn(process.execPath, [BIN, 'repl'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    child.stdin.end('ls\n');
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(7);
    expect(stderr).toMatch(/^botz: cannot reach the botz server at 127\.0\.0\.1:1/);
  });
});

describe('botz repl scripts (issue 17)', () => {
  it('a script whose last line failed still leaves cleanly (the server sees a leave, not a suspect)', async () => {
    const r = await runBotz(['repl', '--name', 'r-lastfail'], net.env, 'send nobody-here x=1\n');
    expect(r.code).toBe(3);
    const leave = await net.server.waitFor(/(leave|suspect)\s+r-lastfail\b/);
    expect(leave).toMatch(/leave/);
  });

  it('`shutdown` of its own name says so and leaves, instead of a prompt where every verb fails', async () => {
    const r = await runBotz(['repl', '--name', 'r-self'], net.env, 'shutdown r-self\nls\nls\n');
    expect(r.stderr).toMatch(/r-self was shut down by r-self; leaving the REPL/);
    expect(r.stderr).not.toMatch(/has stopped/);
    expect(r.code).toBe(0);
  });
});

/**
 * Issue 17: named connection profiles, as `nats context`: `botz context add/use/ls/rm`, and
 * `--context NAME` (or BOTZ_CONTEXT) on every command. A flag or a set variable wins over the
 * context, which wins over the defaults.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedEnv, NOTHING_LISTENS, runBotz, startNetwork, type Network } from './harness.js';

let net: Network;
/** A user with their own config dir: no secret of their own, no BOTZ_SERVER. */
let user: NodeJS.ProcessEnv;
beforeAll(async () => {
  net = await startNetwork();
  await net.register('ctx-echo', '--echo');
  user = isolatedEnv({ BOTZ_CONFIG_DIR: await mkdtemp(join(tmpdir(), 'botz-ctx-')) });
});
afterAll(async () => {
  await net?.stop();
});

describe('botz context', () => {
  it('add, use, ls, then every command connects with it; flags and variables still win; rm', async () => {
    const secretFile = join(net.configDir, 'secret');
    expect((await runBotz(['context', 'add', 'lab', '--server', net.address, '--secret-file', secretFile], user)).code).toBe(0);
    expect((await runBotz(['context', 'add', 'nowhere', '--server', NOTHING_LISTENS, '--secret-file', secretFile], user)).code).toBe(0);
    expect((await runBotz(['context', 'use', 'lab'], user)).code).toBe(0);

    const ls = await runBotz(['context', 'ls'], user);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(new RegExp(`^\\* lab\\s+${net.address.replace(/\./g, '\\.')}`, 'm'));
    expect(ls.stdout).toMatch(/^ {2}nowhere\s+127\.0\.0\.1:1/m);

    const sent = await runBotz(['send', 'ctx-echo', 'a=1', '--json'], user);
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toEqual({ a: '1' });
    // Through oclif too (the fast path handles send).
    expect((await runBotz(['components', '--json'], user)).code).toBe(0);

    const other = await runBotz(['send', 'ctx-echo', 'a=1', '--context', 'nowhere'], user);
    expect(other.code).toBe(7);
    expect(other.stderr).toMatch(/127\.0\.0\.1:1/);
    expect((await runBotz(['send', 'ctx-echo', 'a=1'], { ...user, BOTZ_CONTEXT: 'nowhere' })).code).toBe(7);
    expect((await runBotz(['send', 'ctx-echo', 'a=1', '--server', NOTHING_LISTENS], user)).code).toBe(7);
    expect((await runBotz(['send', 'ctx-echo', 'a=1'], { ...user, BOTZ_SERVER: NOTHING_LISTENS })).code).toBe(7);

    const missing = await runBotz(['send', 'ctx-echo', '--context', 'lav'], user);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no context "lav"; did you mean `lab`\?/);

    expect((await runBotz(['context', 'rm', 'lab'], user)).code).toBe(0);
    expect((await runBotz(['context', 'ls'], user)).stdout).not.toMatch(/lab/);
  });

  it('refuses a bad server and an unknown context to use (exit 2)', async () => {
    const bad = await runBotz(['context', 'add', 'x', '--server', '7300'], user);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/HOST:PORT/);
    const unknown = await runBotz(['context', 'use', 'ghost'], user);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no context "ghost"/);
  });
});

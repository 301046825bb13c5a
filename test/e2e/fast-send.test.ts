/**
 * bin/run.js runs `send` without oclif when it can (src/cli/fast-send.ts). These pin down that
 * the fast path behaves exactly like the oclif command, and hands over what it does not know.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '@oclif/test';
import { runBotz, startNetwork, type Network } from './harness.js';

let net: Network;
beforeAll(async () => {
  net = await startNetwork();
  await net.register('fast-echo', '--echo');
});
afterAll(async () => {
  await net?.stop();
});

describe('botz send fast path', () => {
  it('prints the same reply and JSON as the oclif command', async () => {
    const fast = await runBotz(['send', 'fast-echo', 'a=1', 'n:=2', '--json'], net.env);
    expect(fast).toMatchObject({ code: 0, stderr: '' });
    const saved = { ...process.env };
    Object.assign(process.env, net.env);
    try {
      const oclif = await runCommand(['send', 'fast-echo', 'a=1', 'n:=2', '--json']);
      expect(fast.stdout).toBe(oclif.stdout);
    } finally {
      process.env = saved;
    }
  });

  it('gives the same error line, JSON error and exit code for an unknown name', async () => {
    const r = await runBotz(['send', 'nobody-here', 'a=1', '--json'], net.env);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'NO_SUCH_COMPONENT', message: 'no component named "nobody-here" is registered', exit: 3 } });
    expect(r.stderr).toMatch(/^botz: no component named "nobody-here" is registered; run `botz components`/);
  });

  it('hands --help, unknown flags and a missing NAME to oclif', async () => {
    const help = await runBotz(['send', '--help'], net.env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/USAGE/);
    const bogus = await runBotz(['send', 'fast-echo', '--bogus'], net.env);
    expect(bogus.code).toBe(2);
    const missing = await runBotz(['send'], net.env);
    expect(missing.code).toBe(2);
  });

  it('reads --data - from stdin and refuses bad payloads with exit 2', async () => {
    const r = await runBotz(['send', 'fast-echo', '--data', '-'], net.env, '{"from":"stdin"}');
    expect(r).toMatchObject({ code: 0, stdout: 'from=stdin\n' });
    const bad = await runBotz(['send', 'fast-echo', 'not-an-assignment'], net.env);
    expect(bad.code).toBe(2);
  });
});

describe('--encrypt and BOTZ_ENCRYPT', () => {
  it('ask for encrypted links, on the fast path and through oclif alike', async () => {
    const flag = await runBotz(['send', 'fast-echo', 'secret=payload', '--encrypt'], net.env);
    expect(flag).toMatchObject({ code: 0, stdout: 'secret=payload\n' });
    const env = await runBotz(['send', 'fast-echo', 'secret=payload'], { ...net.env, BOTZ_ENCRYPT: '1' });
    expect(env).toMatchObject({ code: 0, stdout: 'secret=payload\n' });
    const listed = await runBotz(['components', '--json'], { ...net.env, BOTZ_ENCRYPT: 'true' });
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).map((c: { name: string }) => c.name)).toContain('fast-echo');
  });
});

/** Issue 17: `botz check`, a health check with nagios exit codes (0 OK, 1 WARNING, 2 CRITICAL). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTHING_LISTENS, runBotz, startNetwork, type Network } from './harness.js';

let net: Network;
beforeAll(async () => {
  net = await startNetwork();
  await net.register('check-echo', '--echo');
});
afterAll(async () => {
  await net?.stop();
});

describe('botz check', () => {
  it('OK when the server answers and the named components are ready and quick', async () => {
    const r = await runBotz(['check', 'check-echo', '--format', 'nagios'], net.env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^BOTZ OK - /);
    expect(r.stdout).toMatch(/\| .*rtt_check-echo=[\d.]+ms;/);
  });

  it('WARNING over --warn, CRITICAL over --crit', async () => {
    const warn = await runBotz(['check', 'check-echo', '--warn', '0ms', '--format', 'nagios'], net.env);
    expect(warn.code).toBe(1);
    expect(warn.stdout).toMatch(/^BOTZ WARNING - /);
    const crit = await runBotz(['check', 'check-echo', '--crit', '0ms'], net.env);
    expect(crit.code).toBe(2);
    expect(crit.stdout).toMatch(/CRITICAL/);
  });

  it('CRITICAL for a component that is not registered, and --json says why', async () => {
    const r = await runBotz(['check', 'check-echo', 'ghost', '--json'], net.env);
    expect(r.code).toBe(2);
    const result = JSON.parse(r.stdout);
    expect(result.status).toBe('CRITICAL');
    expect(result.checks).toContainEqual(expect.objectContaining({ name: 'ghost', status: 'CRITICAL', message: expect.stringMatching(/not registered/) }));
  });

  it('CRITICAL when the server cannot be reached', async () => {
    const r = await runBotz(['check', '--server', NOTHING_LISTENS, '--format', 'nagios'], net.env);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^BOTZ CRITICAL - cannot reach the botz server at 127\.0\.0\.1:1/);
  });
});

describe('bash completion of live component names (issue 17)', () => {
  it('offers the registered components where a command takes one', async () => {
    const { mkdtemp, writeFile, chmod } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { spawnSync } = await import('node:child_process');
    const { ROOT } = await import('./harness.js');
    const dir = await mkdtemp(join(tmpdir(), 'botz-live-completion-'));
    // `botz` on PATH, as an installed one would be.
    await writeFile(join(dir, 'botz'), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'bin', 'run.js')}" "$@"\n`);
    await chmod(join(dir, 'botz'), 0o755);
    const env = { ...net.env, PATH: `${dir}:${process.env.PATH}` };
    const script = (await runBotz(['completion', 'bash'], env)).stdout;
    await writeFile(join(dir, 'botz.bash'), script);
    const complete = (words: string[]) =>
      spawnSync('bash', ['-c', `source ${join(dir, 'botz.bash')}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _botz; printf '%s\\n' "\${COMPREPLY[@]}"`], { env, encoding: 'utf8' })
        .stdout.split('\n')
        .filter((l) => l !== '');
    expect(complete(['botz', 'send', 'check-'])).toEqual(['check-echo']);
    expect(complete(['botz', 'ping', ''])).toContain('check-echo');
    // Not where no component is taken.
    expect(complete(['botz', 'serve', ''])).toEqual([]);
  }, 20_000);
});

/**
 * bin/run.js runs `send` without oclif when it can (src/cli/fast-send.ts). These pin down that
 * the fast path behaves exactly like the oclif command, and hands over what it does not know.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Parser } from '@oclif/core';
import { runCommand } from '@oclif/test';
import { connectionFlags } from '../../src/cli/base-command.js';
import { envIsTrue } from '../../src/cli/verb-node.js';
import { Server } from '../../src/lib/registry/server.js';
import { wsTransport } from '../../src/lib/transport/ws.js';
import { ENCRYPTED_FLAG } from '../../src/lib/wire/packet.js';
import { isolatedEnv, ROOT, runBotz, runToEnd, startNetwork, type Network, type Result } from './harness.js';

/** `botz ARGS` through oclif only (the built bin, with the fast path skipped), as a child process. */
function runOclif(args: string[], env: NodeJS.ProcessEnv): Promise<Result> {
  const core = pathToFileURL(join(ROOT, 'node_modules', '@oclif', 'core', 'lib', 'index.js')).href;
  const bin = pathToFileURL(join(ROOT, 'bin', 'run.js')).href;
  const script = `const { execute } = await import(${JSON.stringify(core)}); await execute({ dir: ${JSON.stringify(bin)}, args: ${JSON.stringify(args)} });`;
  return runToEnd(['--input-type=module', '-e', script], env);
}

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
    expect(r).toMatchObject({ code: 0, stdout: '{"from":"stdin"}\n' });
    const bad = await runBotz(['send', 'fast-echo', 'not-an-assignment'], net.env);
    expect(bad.code).toBe(2);
  });
});

describe('the fast path never loads oclif', () => {
  const forbid = join(ROOT, 'test', 'fixtures', 'forbid-oclif.mjs');
  const withoutOclif = (args: string[], input?: string) => runToEnd(['--import', forbid, join(ROOT, 'bin', 'run.js'), ...args], net.env, input);

  it('sends, prints, and reports failures with @oclif/core kept out of the process', async () => {
    expect(await withoutOclif(['send', 'fast-echo', 'a=1', 'n:=2'])).toEqual({ code: 0, stdout: '{"a":"1","n":2}\n', stderr: '' });
    expect(await withoutOclif(['send', 'fast-echo', '--data', '-', '--json'], '{"from":"stdin"}')).toMatchObject({ code: 0, stdout: '{\n  "from": "stdin"\n}\n' });
    const missing = await withoutOclif(['send', 'nobody-here', 'a=1', '--json']);
    expect(missing).toMatchObject({ code: 3, stderr: expect.stringMatching(/^botz: no component named "nobody-here"/) });
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'NO_SUCH_COMPONENT', exit: 3 } });
    expect(await withoutOclif(['send', 'fast-echo', 'a:=oops'])).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/^botz: the value of a:= is not valid JSON/) });
  });

  it('(the guard works: --help needs oclif, and fails under it)', async () => {
    const help = await withoutOclif(['send', '--help']);
    expect(help.code).not.toBe(0);
    expect(help.stderr).toMatch(/@oclif\/core was loaded/);
  });
});

describe('--encrypt and BOTZ_ENCRYPT', () => {
  it('ask for encrypted links, on the fast path and through oclif alike', async () => {
    const flag = await runBotz(['send', 'fast-echo', 'secret=payload', '--encrypt'], net.env);
    expect(flag).toMatchObject({ code: 0, stdout: '{"secret":"payload"}\n' });
    const env = await runBotz(['send', 'fast-echo', 'secret=payload'], { ...net.env, BOTZ_ENCRYPT: '1' });
    expect(env).toMatchObject({ code: 0, stdout: '{"secret":"payload"}\n' });
    const listed = await runBotz(['components', '--json'], { ...net.env, BOTZ_ENCRYPT: 'true' });
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).map((c: { name: string }) => c.name)).toContain('fast-echo');
  });
});

describe('the fast path reads the environment and repeated flags as oclif does', () => {
  it('takes exactly the BOTZ_ENCRYPT values oclif takes as true', async () => {
    const saved = process.env.BOTZ_ENCRYPT;
    try {
      for (const value of ['1', 'true', 'TRUE', 'y', 'Y', 'yes', 'Yes', 'on', 'ON', '0', 'false', 'n', 'no', 'off', '', ' 1', 'enabled']) {
        process.env.BOTZ_ENCRYPT = value;
        const { flags } = await Parser.parse([], { flags: { encrypt: connectionFlags.encrypt } });
        expect({ value, fast: envIsTrue(value) }).toEqual({ value, fast: flags.encrypt });
      }
    } finally {
      if (saved === undefined) delete process.env.BOTZ_ENCRYPT;
      else process.env.BOTZ_ENCRYPT = saved;
    }
  });

  it('encrypts with BOTZ_ENCRYPT=y and not with BOTZ_ENCRYPT=on, like oclif', async () => {
    // A server that notes whether the client's packets arrive encrypted.
    const seen: boolean[] = [];
    const secret = 'fast-send-encrypt-test-secret-0123456789';
    const server = await Server.start({
      secret,
      port: 0,
      transport: {
        ...wsTransport,
        listen: (options, onLink) =>
          wsTransport.listen(options, (link) => {
            const attach = link.attach.bind(link);
            link.attach = (h) => attach({ ...h, onMessage: (d) => (seen.push((d[1] & ENCRYPTED_FLAG) !== 0), h.onMessage(d)) });
            onLink(link);
          }),
      },
    });
    try {
      const env = isolatedEnv({ BOTZ_SECRET: secret, BOTZ_SERVER: server.address, BOTZ_CONFIG_DIR: net.configDir });
      const encrypted = async (value: string) => {
        seen.length = 0;
        const r = await runBotz(['send', 'nobody-here', 'a=1'], { ...env, BOTZ_ENCRYPT: value });
        expect(r.code).toBe(3);
        return seen.some(Boolean);
      };
      expect(await encrypted('y')).toBe(true);
      expect(await encrypted('on')).toBe(false);
    } finally {
      await server.stop();
    }
  });

  it('uses the default server when BOTZ_SERVER is empty, like oclif', async () => {
    const env = { ...net.env, BOTZ_SERVER: '' };
    const [fast, oclif] = await Promise.all([runBotz(['send', 'fast-echo', 'a=1'], env), runOclif(['send', 'fast-echo', 'a=1'], env)]);
    expect(fast.stderr).not.toMatch(/Invalid URL/);
    expect(fast).toEqual(oclif);
    expect(fast.stderr).toMatch(/127\.0\.0\.1:7300/);
  });

  it('hands a repeated --data (or --server, --timeout) to oclif, which refuses it', async () => {
    // Whatever oclif does with it (a usage error: "--data was given more than once"), the fast path does too.
    const data = await runBotz(['send', 'fast-echo', '--data', '{"a":1}', '--data', '{"b":2}'], net.env);
    expect(data.code).not.toBe(0);
    expect(data.stdout).toBe('');
    expect(data.stderr).toMatch(/--data was given more than once/);
    expect(data.code).toBe(2);
    expect(data).toEqual(await runOclif(['send', 'fast-echo', '--data', '{"a":1}', '--data', '{"b":2}'], net.env));
    const timeout = await runBotz(['send', 'fast-echo', 'a=1', '--timeout', '1s', '--timeout=2s'], net.env);
    expect(timeout.code).not.toBe(0);
    expect(timeout.stderr).toMatch(/--timeout was given more than once/);
  });
});

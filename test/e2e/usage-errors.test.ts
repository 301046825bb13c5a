/**
 * Issue 17, the command line as a newcomer meets it: every usage error names what is wrong and
 * exits 2, Node's own errors become sentences, typos get a "did you mean", and the reflexes of
 * other CLIs (-h, -v, version, send -h) work. The real binary, no server unless one is needed.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedEnv, NOTHING_LISTENS, runBotz, startNetwork, type Network } from './harness.js';

const SECRET = 'usage-errors-secret-0123456789abcdef';
let configDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  configDir = await mkdtemp(join(tmpdir(), 'botz-usage-'));
  env = isolatedEnv({ BOTZ_CONFIG_DIR: configDir, BOTZ_SECRET: SECRET, BOTZ_SERVER: NOTHING_LISTENS });
});

/** Runs `botz ARGS`; expects exit 2 and a single `botz:` line on stderr matching every pattern. */
async function usage(args: string[], ...patterns: RegExp[]): Promise<string> {
  const r = await runBotz(args, env);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
  const line = r.stderr.trim();
  expect(line.split('\n'), line).toHaveLength(1);
  expect(line).toMatch(/^botz: /);
  for (const p of patterns) expect(line).toMatch(p);
  // Nothing cut at a colon, no oclif boilerplate.
  expect(line).not.toMatch(/occurred:\s*(\(|$)|required arg:\s*(\(|$)/);
  return line;
}

describe('usage errors name what is wrong and exit 2', () => {
  it.each([
    [['send'], [/NAME/, /component/]],
    [['register', 'x', '--echo', '--exec', 'cat'], [/--echo/, /--exec/]],
    [['register', 'x', '--degree', '2'], [/--degree/, /--mesh/]],
    [['bench', '--duration', '1s', '--count', '10'], [/--count/, /--duration/]],
    [['send', 'echo', '--timeout'], [/--timeout/, /value/]],
    [['send', 'echo', '--timeout', '1s', '--timeout', '2s'], [/--timeout/, /once/]],
    [['tail', '--count', 'abc'], [/--count/, /abc/]],
    [['serve', '--port', '99999'], [/--port/, /65535/]],
    [['send', 'echo', 'a=1', '--server', '7300'], [/--server/, /7300/, /HOST:PORT/]],
    [['send', 'echo', 'a=1', '--server', 'http://127.0.0.1:7300'], [/--server/, /HOST:PORT/]],
    [['components', '--server', '127.0.0.1'], [/HOST:PORT/]],
    [['send', 'a=1'], [/NAME/, /a=1/]],
  ])('botz %j', async (args, patterns) => {
    await usage(args, ...patterns);
  });

  it('BOTZ_SERVER without a port is named as such', async () => {
    const r = await runBotz(['send', 'echo', 'a=1'], { ...env, BOTZ_SERVER: '127.0.0.1' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/BOTZ_SERVER.*HOST:PORT/);
  });
});

describe("Node's errors become sentences", () => {
  it('--secret-file naming a directory', async () => {
    const r = await runBotz(['send', 'echo', '--secret-file', configDir], { ...env, BOTZ_SECRET: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--secret-file .* is a directory/);
    expect(r.stderr).not.toMatch(/EISDIR/);
  });

  it('--data @missing', async () => {
    const r = await runBotz(['send', 'echo', '--data', '@/nonexistent/body.json'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no such file/);
    expect(r.stderr).not.toMatch(/ENOENT/);
  });

  it.each([
    ['10.99.99.99', /10\.99\.99\.99 is not an address of this machine/],
    ['nosuch.invalid', /nosuch\.invalid.*(not found|no such host)/],
  ])('serve --host %s', async (host, pattern) => {
    const r = await runBotz(['serve', '--host', host, '--port', '0'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/EADDRNOTAVAIL|ENOTFOUND|getaddrinfo/);
  });
});

describe('guidance that points the right way', () => {
  it('--flag=value forms of a boolean reach the network, not the payload parser', async () => {
    const r = await runBotz(['send', 'echo', 'a=1', '--encrypt=true'], env);
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/cannot reach the botz server/);
  });
});

describe('typos and reflexes', () => {
  it('a mistyped command suggests the verb', async () => {
    await usage(['sned', 'echo'], /unknown command "sned"/, /did you mean `botz send`/);
  });

  it('an unknown word with no near verb lists where to look', async () => {
    await usage(['frobnicate'], /unknown command "frobnicate"/, /botz --help/);
  });

  it.each([['-h'], ['--help'], ['help']])('botz %s prints the command list', async (flag) => {
    const r = await runBotz([flag], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/COMMANDS/);
    expect(r.stdout).toMatch(/send/);
  });

  it('botz help of an unknown command is the same one-line usage error, naming the nearest', async () => {
    await usage(['help', 'sned'], /no help for "sned"/, /did you mean `botz help send`/);
    await usage(['help', 'mesh', 'rootes'], /no help for "mesh rootes"/, /did you mean `botz help mesh routes`/);
    await usage(['help', 'frobnicate'], /no help for "frobnicate"/, /botz --help/);
  });

  it.each([['-v'], ['--version'], ['version']])('botz %s prints the version', async (flag) => {
    const r = await runBotz([flag], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^botz\/\d+\.\d+\.\d+ /);
  });

  it.each([['send', '-h'], ['send', 'echo', '-h'], ['mesh', 'routes', '-h']])('botz %s %s prints its help', async (...args) => {
    const r = await runBotz(args, env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/USAGE/);
  });
});

describe('with a server', () => {
  let net: Network;
  beforeAll(async () => {
    net = await startNetwork();
    await net.register('usage-echo', '--echo');
  });
  afterAll(async () => {
    await net?.stop();
  });

  it('a body over the packet limit is a usage error that says the limit', async () => {
    const big = JSON.stringify({ a: 'x'.repeat(17 * 1024 * 1024) });
    const r = await runBotz(['send', 'usage-echo', '--data', '-'], net.env, big);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/packet limit/);
    expect(r.stderr).toMatch(/smaller/);
  });

  it('--encrypt=true is read as --encrypt', async () => {
    const r = await runBotz(['send', 'usage-echo', 'a=1', '--encrypt=true', '--json'], net.env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ a: '1' });
  });
});

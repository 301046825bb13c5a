/**
 * In-process command tests (runCommand runs the built commands in dist/, so build first):
 * argument parsing against a real server and component started in this process.
 */
import { Readable } from 'node:stream';
import { runCommand } from '@oclif/test';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Component, Server } from '../../src/index.js';
import { ROOT } from '../e2e/harness.js';

const SECRET = 'in-process-test-secret-0123456789abcdef';
let server: Server;
let echo: Component;
const saved = { secret: process.env.BOTZ_SECRET, server: process.env.BOTZ_SERVER };

const run = (args: string[]) => runCommand(args, { root: ROOT });
const exitOf = (error: unknown) => (error as { oclif?: { exit?: number } } | undefined)?.oclif?.exit;

beforeAll(async () => {
  server = await Server.start({ host: '127.0.0.1', port: 0, secret: SECRET });
  echo = await Component.start({ server: server.address, secret: SECRET, name: 'rc-echo', onMessage: (m) => m.body });
  process.env.BOTZ_SECRET = SECRET;
  process.env.BOTZ_SERVER = server.address;
});
afterAll(async () => {
  await echo?.stop();
  await server?.stop();
  for (const [k, v] of [['BOTZ_SECRET', saved.secret], ['BOTZ_SERVER', saved.server]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('send parses its payload', () => {
  it('k=v as strings and k:=json as typed values', async () => {
    const { stdout, error } = await run(['send', 'rc-echo', 's=text', 'n:=42', 'b:=true', 'o:={"x":[1]}', '--json']);
    expect(error).toBeUndefined();
    expect(JSON.parse(stdout)).toEqual({ s: 'text', n: 42, b: true, o: { x: [1] } });
  });

  it('prints compact JSON without --json when piped', async () => {
    const { stdout } = await run(['send', 'rc-echo', 'a=1', 'n:=2']);
    expect(stdout).toBe('{"a":"1","n":2}\n');
  });

  describe('--data -', () => {
    const original = Object.getOwnPropertyDescriptor(process, 'stdin')!;
    afterEach(() => Object.defineProperty(process, 'stdin', original));

    it('reads the JSON body from stdin and lays assignments over it', async () => {
      Object.defineProperty(process, 'stdin', { value: Readable.from(['{"from":', '"stdin","n":1}']), configurable: true });
      const { stdout, error } = await run(['send', 'rc-echo', '--data', '-', 'n:=2', '--json']);
      expect(error).toBeUndefined();
      expect(JSON.parse(stdout)).toEqual({ from: 'stdin', n: 2 });
    });

    it('rejects stdin that is not JSON with exit 2', async () => {
      Object.defineProperty(process, 'stdin', { value: Readable.from(['not json']), configurable: true });
      const { error, stderr } = await run(['send', 'rc-echo', '--data', '-']);
      expect(exitOf(error)).toBe(2);
      expect(stderr).toMatch(/^botz: --data - \(stdin\) is not valid JSON/);
    });
  });

  it.each([
    [['send', 'rc-echo', 'a:=nope']],
    [['send', 'rc-echo', 'justaword']],
    [['send', 'rc-echo', '=value']],
    [['send', 'rc-echo', '--data', '@/nonexistent/body.json']],
    [['send', 'rc-echo', '--timeout', 'soon']],
    [['send']],
    [['broadcast', 'x:={']],
    [['shutdown']],
  ])('bad input %j → exit 2 with one line on stderr', async (args) => {
    const { error, stderr, stdout } = await run(args);
    expect(exitOf(error)).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stdout).toBe('');
  });

  it('an unknown component is exit 3', async () => {
    const { error } = await run(['send', 'rc-nobody', 'a=1']);
    expect(exitOf(error)).toBe(3);
  });
});

/**
 * `botz serve --botzilla-port` against a Botzilla peer written from the reference document
 * (test/helpers/botzilla-peer.ts), with the real binary: Botzilla components appear in `botz
 * components`, `botz send` and `botz broadcast` reach them, they reach botz components, the key
 * file is honoured, refusals reach the server log, and a Botzilla client that dials the botz
 * port by mistake is closed without a byte (the original would read "HTTP" as a 1.35 GB length).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, isolatedEnv, runBotz, startBotz, type Running } from './harness.js';
import { broadcast, exchange, registry, replyOf, requestParts, sendMessage, startV1Component, type V1Component } from '../helpers/botzilla-peer.js';

let server: Running;
let env: NodeJS.ProcessEnv;
let address: string;
let gw: string;
let legacy: V1Component;
const running: Running[] = [];
const KEY = 'a botzilla key of our own';

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'commands', 'serve.js'))) throw new Error('run `npm run build` first: e2e tests run the built CLI');
  const configDir = await mkdtemp(join(tmpdir(), 'botz-botzilla-'));
  const keyFile = join(configDir, 'botzilla-key');
  await writeFile(keyFile, `${KEY}\n`);
  server = startBotz(['serve', '--port', '0', '--botzilla-port', '0', '--botzilla-key-file', keyFile], isolatedEnv({ BOTZ_CONFIG_DIR: configDir }));
  address = (await server.waitFor(/^listening on /)).replace('listening on ', '').trim();
  gw = (await server.waitFor(/^botzilla v1 on /)).replace('botzilla v1 on ', '').trim();
  env = isolatedEnv({ BOTZ_CONFIG_DIR: configDir, BOTZ_SERVER: address });
  legacy = await startV1Component((b) => b, KEY);
  expect(replyOf(await registry.register(gw, 'legacy-echo', legacy.port, KEY)).toString()).toBe('registered');
});

afterAll(async () => {
  await Promise.all(running.map((r) => r.stop('SIGKILL')));
  await legacy?.close();
  await server?.stop('SIGTERM');
});

describe('botz serve --botzilla-port', () => {
  it('lists the Botzilla component with a botzilla marker', async () => {
    const r = await runBotz(['components'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`legacy-echo\\s+botzilla 127\\.0\\.0\\.1:${legacy.port}\\s`));
    await server.waitFor(/join\s+legacy-echo\s+botzilla 127\.0\.0\.1:/);
  });

  it('botz send reaches it (one v1 request, framed and MACed with the Botzilla key)', async () => {
    const r = await runBotz(['send', 'legacy-echo', 'a=1'], env);
    expect(r).toMatchObject({ code: 0, stdout: '{"a":"1"}\n' });
    expect(legacy.received.map((b) => b.toString())).toContain('{"a":"1"}');
  });

  it('botz broadcast reaches it', async () => {
    const r = await runBotz(['broadcast', 'reload=now', '--json'], env);
    expect(JSON.parse(r.stdout)).toMatchObject({ delivered: ['legacy-echo'] });
  });

  it('a Botzilla component reaches a botz component and gets its reply', async () => {
    const echo = startBotz(['register', 'echo', '--echo'], env);
    running.push(echo);
    await echo.waitFor(/^registered /);
    expect(await sendMessage(gw, 'echo', { greeting: 'hello', n: '1' }, KEY)).toEqual({ greeting: 'hello', n: '1' });
    await echo.waitFor(/botzilla-gateway-[0-9a-f]{6} → echo {2}request {2}\{"greeting":"hello","n":"1"\}/);
    // Botzilla's broadcast: a send to every listed name, botz components included.
    await broadcast(gw, { reload: 'now' }, KEY);
    await echo.waitFor(/→ echo {2}request {2}\{"reload":"now"\}/);
  });

  it('refuses the default key when a key file is given, and logs the bad MAC', async () => {
    expect(await registry.list(gw, 'ppap')).toEqual({ closed: true, raw: Buffer.alloc(0) });
    await server.waitFor(/rejected BAD_MAC from 127\.0\.0\.1:\d+ \(botzilla\)/);
  });

  it('a Botzilla frame on the botz port is closed without a byte, with a hint in the log', async () => {
    const outcome = await exchange(address, requestParts(Buffer.from([69]), 'ppap'));
    expect(outcome).toEqual({ closed: true, raw: Buffer.alloc(0) });
    const line = await server.waitFor(/rejected BOTZILLA_FRAME from 127\.0\.0\.1:\d+/);
    expect(line).toMatch(/--botzilla-port/);
  });

  it('says which flag is wrong: a Botzilla port in use, a key file without a port', async () => {
    const inUse = await runBotz(['serve', '--port', '0', '--botzilla-port', gw.split(':')[1]], env);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toMatch(/cannot listen for Botzilla on 127\.0\.0\.1:\d+: the address is already in use; .* choose another --botzilla-port/);
    const alone = await runBotz(['serve', '--port', '0', '--botzilla-key-file', '/dev/null'], env);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--botzilla-key-file needs --botzilla-port/);
  });
});

/**
 * TLS with the real CLI (issue 18): `botz serve --tls-cert --tls-key`, a component and one-shot
 * commands that trust the test CA (--tls-ca, env BOTZ_TLS_CA), and one that does not speak TLS.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedEnv, runBotz, startBotz, type Running } from './harness.js';
import { makeTestPki, type TestPki } from '../helpers/tls.js';

let pki: TestPki;
let server: Running;
let echo: Running;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  pki = makeTestPki();
  const configDir = mkdtempSync(join(tmpdir(), 'botz-e2e-tls-'));
  server = startBotz(['serve', '--port', '0', '--tls-cert', pki.certPath, '--tls-key', pki.keyPath], isolatedEnv({ BOTZ_CONFIG_DIR: configDir }));
  const address = (await server.waitFor(/^listening on /)).replace('listening on ', '').trim();
  env = isolatedEnv({ BOTZ_CONFIG_DIR: configDir, BOTZ_SERVER: address });
  echo = startBotz(['register', 'echo', '--echo', '--tls-ca', pki.caPath], env);
  await echo.waitFor(/^registered /);
}, 30_000);
afterAll(async () => {
  await echo?.stop('SIGKILL');
  await server?.stop();
});

describe('botz over TLS', () => {
  it('serves and answers over wss:// for those who trust its CA, and nobody else', async () => {
    const sent = await runBotz(['send', 'echo', 'over=tls', '--json'], { ...env, BOTZ_TLS_CA: pki.caPath });
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toEqual({ over: 'tls' });
    // Without the CA: a plain ws:// dial to a TLS port gets no link (not silently in clear).
    const plain = await runBotz(['send', 'echo', 'over=ws', '--timeout', '2s'], env);
    expect(plain.code).not.toBe(0);
  });
});

/**
 * Credentials end to end with the real CLI (issue 18): `botz creds issue` writes a 0600 file,
 * a component registers with it, a one-shot command proves another (env BOTZ_CREDENTIAL), what
 * a grant does not allow exits 8, a credential's name is closed to the shared secret, and
 * `botz creds revoke` cuts the live component off the running server.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBotz, startNetwork, type Network, type Running } from './harness.js';

let net: Network;
let echo: Running;
const cred = (name: string) => join(net.configDir, `${name}.cred`);

beforeAll(async () => {
  net = await startNetwork();
  for (const [name, ...flags] of [['echo'], ['worker', '--allow-send', 'echo', '--allow-send', 'plain-*']]) {
    const issued = await runBotz(['creds', 'issue', name, '--out', cred(name), ...flags], net.env);
    expect(issued.code, issued.stderr).toBe(0);
  }
  // A credential component may take direct links (from other credential components, issue 18).
  echo = await net.register('echo', '--credential', cred('echo'), '--echo', '--port', '0');
  await net.register('plain', '--echo');
}, 30_000);
afterAll(() => net.stop());

describe('botz creds', () => {
  it('a credential component registers with a direct port', () => {
    expect(echo.lines.find((l) => l.startsWith('registered echo'))).toMatch(/direct links at 127\.0\.0\.1:\d+/);
  });

  it('writes the credential with mode 0600, and refuses to overwrite it', async () => {
    expect(statSync(cred('worker')).mode & 0o777).toBe(0o600);
    const again = await runBotz(['creds', 'issue', 'worker', '--out', cred('worker')], net.env);
    expect(again.code).toBe(2);
    const list = await runBotz(['creds', 'list', '--json'], net.env);
    expect((JSON.parse(list.stdout) as { name: string }[]).map((g) => g.name)).toEqual(['echo', 'worker']);
  });

  it('a one-shot command proves its credential and is attributed to it', async () => {
    const sent = await runBotz(['send', 'echo', 'hi=1', '--json'], { ...net.env, BOTZ_CREDENTIAL: cred('worker') });
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toEqual({ hi: '1' });
    // The server vouches for the sender: the wire name of a client with the credential for worker.
    await echo.waitFor(/worker\.[0-9a-f]{8}/);
  });

  it('what the grant does not allow exits 8 (FORBIDDEN), and a credential name refuses the shared secret (6)', async () => {
    const forbidden = await runBotz(['send', 'plain', 'x=1'], { ...net.env, BOTZ_CREDENTIAL: cred('worker') });
    expect(forbidden.code).toBe(8);
    expect(forbidden.stderr).toMatch(/FORBIDDEN|does not allow/);
    const tail = await runBotz(['tail', '--bodies'], { ...net.env, BOTZ_CREDENTIAL: cred('worker') });
    expect(tail.code).toBe(8);
    const impostor = await runBotz(['register', 'worker'], net.env);
    expect(impostor.code).toBe(6);
  });

  it('credential components register with --mesh (the second dialing the first); a credential with list reads their routes', async () => {
    for (const name of ['m1', 'm2']) expect((await runBotz(['creds', 'issue', name, '--out', cred(name), '--allow-list'], net.env)).code).toBe(0);
    const m1 = await net.register('m1', '--credential', cred('m1'), '--echo', '--mesh');
    const at = (await m1.waitFor(/^mesh node m1 at /)).replace('mesh node m1 at ', '').trim();
    const m2 = await net.register('m2', '--credential', cred('m2'), '--echo', '--mesh', '--dial', at);
    await m2.waitFor(/^mesh node m2 at /);
    const list = await runBotz(['components', '--json'], net.env);
    const meta = (JSON.parse(list.stdout) as { name: string; meta: { mesh?: string } }[]).filter((c) => c.name.startsWith('m'));
    expect(meta.map((c) => [c.name, typeof c.meta.mesh])).toEqual([['m1', 'string'], ['m2', 'string']]);
    // An auditor's credential (list) reads a credential mesh node's routes; one without list is refused (8); the shared secret opens no link.
    expect((await runBotz(['creds', 'issue', 'auditor', '--out', cred('auditor'), '--read-only'], net.env)).code).toBe(0);
    const routes = await runBotz(['mesh', 'routes', 'm1', '--json'], { ...net.env, BOTZ_CREDENTIAL: cred('auditor') });
    expect(routes.code, routes.stderr).toBe(0);
    expect((JSON.parse(routes.stdout) as { destination: string }[]).map((r) => r.destination)).toEqual(['m2']);
    // (By name the server refuses the lookup; by address the mesh node refuses the query.)
    for (const node of ['m1', at]) {
      const noList = await runBotz(['mesh', 'routes', node], { ...net.env, BOTZ_CREDENTIAL: cred('worker') });
      expect(noList.code).toBe(8);
      expect(noList.stderr).toMatch(node === at ? /does not allow list: it may not query mesh node m1/ : /does not allow looking up or listing/);
    }
    const shared = await runBotz(['mesh', 'routes', 'm1'], net.env);
    expect(shared.code).not.toBe(0);
    expect(shared.stderr).toMatch(/authentication failed/);
  });

  it('revoking a live component cuts its link on the running server, and the component exits 6 instead of reconnecting', async () => {
    const revoked = await runBotz(['creds', 'revoke', 'echo'], net.env);
    expect(revoked.code, revoked.stderr).toBe(0);
    await net.server.waitFor(/suspect.*echo|echo.*suspect/);
    expect(await echo.exited).toBe(6);
    expect(echo.errLines.join('\n')).toMatch(/CREDENTIAL_REJECTED|revoked/);
    const refused = await runBotz(['send', 'echo', 'hi=1', '--timeout', '1s'], { ...net.env, BOTZ_CREDENTIAL: cred('worker') });
    expect(refused.code).not.toBe(0);
  });
});

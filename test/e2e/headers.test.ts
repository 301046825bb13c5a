/**
 * Message headers from the command line, end to end: `-H key:value` on send and broadcast, the
 * reply's headers on stderr (stdout keeps the body alone, for pipes), the component's and the
 * tail's lines, `register --exec`'s BOTZ_HEADERS, and the REPL, which runs the same verb.
 * Needs a build (`npm run build`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBotz, startBotz, startNetwork, type Network } from './harness.js';

let net: Network;

beforeAll(async () => {
  net = await startNetwork();
});
afterAll(async () => {
  await net?.stop();
});

describe('send -H', () => {
  it.each([
    ['through the relay', []],
    ['over a direct link', ['--port', '0']],
  ])('reaches the handler %s, and the echoed headers come back on stderr', async (_how, extra) => {
    const name = `h-echo-${extra.length}`;
    const echo = await net.register(name, '--echo', ...extra);
    const r = await runBotz(['send', name, 'a=1', '-H', 'trace-id:abc', '--header', 'note: a:b c '], net.env);
    expect(r).toMatchObject({ code: 0, stdout: '{"a":"1"}\n' });
    expect(r.stderr).toBe('trace-id: abc\nnote: a:b c\n');
    await echo.waitFor(new RegExp(`→ ${name} {2}request {2}\\{"a":"1"\\} {2}trace-id: abc; note: a:b c$`));
  });

  it('--json keeps stdout the reply body alone', async () => {
    await net.register('h-json', '--echo');
    const r = await runBotz(['send', 'h-json', 'a=1', '-H', 'k:v', '--json'], net.env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ a: '1' });
    expect(r.stderr).toBe('k: v\n');
  });

  it('refuses a header without a key with exit 2, before touching the network', async () => {
    for (const bad of ['nocolon', ':value']) {
      const r = await runBotz(['send', 'nobody-here', '-H', bad], net.env);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`-H ${JSON.stringify(bad)}: a header is KEY:VALUE`);
    }
  });
});

describe('headers elsewhere', () => {
  it('register --exec hands them to CMD as BOTZ_HEADERS, a JSON object', async () => {
    await net.register('h-exec', '--exec', `node -e "console.log(process.env.BOTZ_HEADERS)"`);
    const withHeaders = await runBotz(['send', 'h-exec', '-H', 'x:y:z', '-H', 'trace-id:1', '--json'], net.env);
    expect(withHeaders.code).toBe(0);
    expect(JSON.parse(withHeaders.stdout)).toEqual({ x: 'y:z', 'trace-id': '1' });
    const without = await runBotz(['send', 'h-exec', '--json'], net.env);
    expect(JSON.parse(without.stdout)).toEqual({});
  });

  it('broadcast -H reaches every receiver', async () => {
    const got = await Promise.all(['h-b1', 'h-b2'].map((n) => net.register(n, '--echo', '--group', 'h-group')));
    const r = await runBotz(['broadcast', 'go=1', '--group', 'h-group', '-H', 'reason:deploy'], net.env);
    expect(r.code).toBe(0);
    for (const c of got) await c.waitFor(/broadcast {2}\{"go":"1"\} {2}reason: deploy$/);
  });

  it('tail shows them, in lines and in NDJSON', async () => {
    await net.register('h-tailed', '--echo');
    const lines = startBotz(['tail', 'h-tailed'], net.env);
    const ndjson = startBotz(['tail', 'h-tailed', '--json'], net.env);
    await Promise.all([lines.waitFor(/^tailing /, 'err'), ndjson.waitFor(/^tailing /, 'err')]);
    const line = lines.waitFor(/→ h-tailed {2}request .* {2}trace-id: abc$/);
    const record = ndjson.waitFor(/"to":"h-tailed"/);
    expect((await runBotz(['send', 'h-tailed', '-H', 'trace-id:abc'], net.env)).code).toBe(0);
    await line;
    expect(JSON.parse(await record).event).toMatchObject({ kind: 'request', headers: { 'trace-id': 'abc' } });
    expect(await lines.stop('SIGINT')).toBe(0);
    expect(await ndjson.stop('SIGINT')).toBe(0);
  });

  it('the REPL sends them with the same verb and shows the reply\'s', async () => {
    await net.register('h-repl', '--echo');
    const r = await runBotz(['repl'], net.env, 'send h-repl a=1 -H trace-id:repl\n');
    expect(r.code).toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain('trace-id: repl');
  });
});

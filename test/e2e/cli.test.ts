/**
 * End to end: the real binary against a real `botz serve` on a free loopback port.
 * Needs a build (`npm run build`): these run dist/, as users do.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedEnv, NOTHING_LISTENS, runBotz, startBotz, startNetwork, type Network } from './harness.js';

let net: Network;

beforeAll(async () => {
  net = await startNetwork();
});
afterAll(async () => {
  await net?.stop();
});

describe('serve', () => {
  it('prints its bound address first and creates a 0600 secret in the config dir', async () => {
    expect(net.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect((await stat(join(net.configDir, 'secret'))).mode & 0o777).toBe(0o600);
    // stderr and stdout are separate pipes: the line may arrive after "listening on".
    await net.server.waitFor(/created a new secret/, 'err');
  });

  it('never prints the secret it created', async () => {
    const { readFile } = await import('node:fs/promises');
    const secret = (await readFile(join(net.configDir, 'secret'), 'utf8')).trim();
    expect([...net.server.lines, ...net.server.errLines].join('\n')).not.toContain(secret);
  });
});

describe('register --echo and send', () => {
  it('prints the reply as compact JSON when piped, and the message on the component', async () => {
    const echo = await net.register('e2e-echo', '--echo');
    const r = await runBotz(['send', 'e2e-echo', 'greeting=hello', 'count:=3'], net.env);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe('{"greeting":"hello","count":3}\n');
    await echo.waitFor(/→ e2e-echo {2}request {2}\{"greeting":"hello","count":3\}$/);
    await net.server.waitFor(/join\s+e2e-echo/);
  });

  it('--json prints the reply object', async () => {
    const r = await runBotz(['send', 'e2e-echo', 'a=1', 'list:=[1,2]', '--json'], net.env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ a: '1', list: [1, 2] });
  });

  it('--data - reads the body from stdin', async () => {
    const r = await runBotz(['send', 'e2e-echo', '--data', '-', 'extra=1', '--json'], net.env, '{"from":"stdin"}\n');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ from: 'stdin', extra: '1' });
  });
});

describe('broadcast and components', () => {
  it('reaches three components of a group and says who got it', async () => {
    const members = await Promise.all(['b1', 'b2', 'b3'].map((n) => net.register(`e2e-${n}`, '--echo', '--group', 'e2e-trio')));
    const r = await runBotz(['broadcast', 'hello=all', '--group', 'e2e-trio', '--json'], net.env);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect([...result.delivered].sort()).toEqual(['e2e-b1', 'e2e-b2', 'e2e-b3']);
    expect(result.failed).toEqual([]);
    await Promise.all(members.map((m) => m.waitFor(/broadcast {2}\{"hello":"all"\}$/)));

    const plain = await runBotz(['broadcast', 'hello=again', '--group', 'e2e-trio'], net.env);
    expect(plain.stdout).toMatch(/^delivered \(3\): e2e-b1, e2e-b2, e2e-b3$/m);
  });

  it('exits 3 when nobody is there to get it, and 1 when someone failed, printing the result either way', async () => {
    const nobody = await runBotz(['broadcast', 'x=1', '--group', 'e2e-empty', '--json'], net.env);
    expect(nobody.code).toBe(3);
    expect(JSON.parse(nobody.stdout)).toEqual({ delivered: [], ignored: [], failed: [] });
    const plain = await runBotz(['broadcast', 'x=1', '--group', 'e2e-empty'], net.env);
    expect(plain.code).toBe(3);
    expect(plain.stdout.trim()).toBe('delivered (0): - (no ready component in group "e2e-empty")');

    await net.register('e2e-ok', '--echo', '--group', 'e2e-mixed');
    await net.register('e2e-broken', '--exec', 'exit 9', '--group', 'e2e-mixed');
    const mixed = await runBotz(['broadcast', 'x=1', '--group', 'e2e-mixed', '--json'], net.env);
    expect(mixed.code).toBe(1);
    const result = JSON.parse(mixed.stdout);
    expect(result.delivered).toEqual(['e2e-ok']);
    expect(result.failed).toMatchObject([{ name: 'e2e-broken', error: { code: 'REMOTE_ERROR' } }]);
  });

  it('components --json lists them with the stable ComponentInfo shape', async () => {
    const r = await runBotz(['components', '--group', 'e2e-trio', '--json'], net.env);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { name: string; address: string | null; groups: string[]; state: string }[];
    expect(list.map((c) => c.name).sort()).toEqual(['e2e-b1', 'e2e-b2', 'e2e-b3']);
    for (const c of list) {
      expect(c).toMatchObject({ address: null, groups: ['e2e-trio'], state: 'ready' });
      expect(Object.keys(c).sort()).toEqual(['address', 'groups', 'lastHeartbeat', 'meta', 'name', 'registeredAt', 'state']);
    }
  });

  it('components prints a plain table when piped', async () => {
    const r = await runBotz(['components', '--group', 'e2e-trio'], net.env);
    expect(r.stdout.split('\n')[0]).toMatch(/^NAME\s+ADDRESS\s+GROUPS\s+STATE\s+LAST HEARTBEAT$/);
    expect(r.stdout).toMatch(/^e2e-b1\s+relay\s+e2e-trio\s+ready\s/m);
  });
});

describe('tail', () => {
  it('sees a send as NDJSON traffic and stops cleanly on SIGINT', async () => {
    await net.register('e2e-tailed', '--echo');
    const tail = startBotz(['tail', 'e2e-tailed', '--json'], net.env);
    await tail.waitFor(/^tailing /, 'err');
    const seen = tail.waitFor(/"kind":"traffic".*"to":"e2e-tailed"/);
    const r = await runBotz(['send', 'e2e-tailed', 'x=1'], net.env);
    expect(r.code).toBe(0);
    const event = JSON.parse(await seen);
    expect(event.event).toMatchObject({ to: 'e2e-tailed', kind: 'request' });
    expect(await tail.stop('SIGINT')).toBe(0);
  });
});

describe('tail past the server\'s limit', () => {
  it('exits 1 with a line saying the server\'s tail limit was reached', async () => {
    const server = startBotz(['serve', '--port', '0', '--max-tails', '1'], isolatedEnv({ BOTZ_CONFIG_DIR: net.configDir }));
    const address = (await server.waitFor(/^listening on /)).replace('listening on ', '').trim();
    const env = { ...net.env, BOTZ_SERVER: address };
    const first = startBotz(['tail'], env);
    try {
      await first.waitFor(/^tailing /, 'err');
      const second = await runBotz(['tail'], env);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/tail limit is reached: 1 tails are open; stop another `botz tail`, or start the server with a higher --max-tails/);
      expect(await first.stop('SIGINT')).toBe(0);
    } finally {
      await first.stop('SIGKILL');
      await server.stop('SIGTERM');
    }
  });
});

describe('shutdown', () => {
  it('prints the answer, the component exits cleanly, and then the name is gone (3)', async () => {
    const comp = await net.register('e2e-stopme', '--echo');
    const r = await runBotz(['shutdown', 'e2e-stopme', '--json'], net.env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ name: 'e2e-stopme', forced: false, ready: true });
    expect(await comp.exited).toBe(0);
    expect(comp.lines.join('\n')).toMatch(/shutdown requested/);
    const after = await runBotz(['send', 'e2e-stopme', 'a=1'], net.env);
    expect(after.code).toBe(3);
  });

  it('register exits 0 on SIGTERM', async () => {
    const comp = await net.register('e2e-sigterm', '--echo');
    expect(await comp.stop('SIGTERM')).toBe(0);
  });
});

describe('exit codes from real situations', () => {
  it('3: unknown name, with a hint to list components', async () => {
    const r = await runBotz(['send', 'e2e-nobody', 'a=1'], net.env);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^botz: .*botz components.*\n$/);
  });

  it('4: a component that does not answer in time', async () => {
    await net.register('e2e-slow', '--exec', 'sleep 2; echo {}');
    const r = await runBotz(['send', 'e2e-slow', 'a=1', '--timeout', '300ms'], net.env);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/--timeout/);
  });

  it('5: a failing --exec handler, with its stderr', async () => {
    await net.register('e2e-fails', '--exec', 'echo "disk on fire" >&2; exit 1');
    const r = await runBotz(['send', 'e2e-fails', 'a=1'], net.env);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/disk on fire/);
  });

  it('--exec replies with what the command prints', async () => {
    await net.register('e2e-exec', '--exec', `node -e "process.stdin.on('data', d => console.log(JSON.stringify({ got: JSON.parse(d) })))"`);
    const r = await runBotz(['send', 'e2e-exec', 'a=1', '--json'], net.env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ got: { a: '1' } });
  });

  it('6: a wrong secret, naming its source but never printing it', async () => {
    const wrong = 'this-is-not-the-right-secret-0123456789';
    const r = await runBotz(['send', 'e2e-echo', 'a=1'], { ...net.env, BOTZ_SECRET: wrong });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/BOTZ_SECRET/);
    expect(r.stderr + r.stdout).not.toContain(wrong);
  });

  it('7: no server, naming the address tried', async () => {
    const r = await runBotz(['components', '--server', NOTHING_LISTENS], net.env);
    expect(r.code).toBe(7);
    expect(r.stderr).toContain(NOTHING_LISTENS);
  });

  it.each([
    [['send', 'e2e-echo', 'a:=nope']],
    [['send', 'e2e-echo', 'novalue']],
    [['send']],
    [['send', 'e2e-echo', '--timeout', '5 parsecs']],
    [['send', 'e2e-echo', '--bogus']],
    [['register', 'x', '--echo', '--exec', 'cat']],
  ])('2: usage %j', async (args) => {
    const r = await runBotz(args, net.env);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('2: no secret configured anywhere, saying how to set one', async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const empty = await mkdtemp(join(tmpdir(), 'botz-empty-'));
    const r = await runBotz(['components', '--server', net.address], isolatedEnv({ BOTZ_CONFIG_DIR: empty }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/BOTZ_SECRET/);
  });

  it('--json errors carry the code on stdout', async () => {
    const r = await runBotz(['send', 'e2e-nobody', '--json'], net.env);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'NO_SUCH_COMPONENT', message: expect.any(String), exit: 3 } });
  });
});

describe('serve lifecycle', () => {
  it('logs join and leave, and exits 0 on SIGTERM', async () => {
    const comp = await net.register('e2e-member', '--echo');
    await comp.stop('SIGTERM');
    await net.server.waitFor(/leave\s+e2e-member/);
    await net.server.waitFor(/join\s+e2e-member/);
  });
});

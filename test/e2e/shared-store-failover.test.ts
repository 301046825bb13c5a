/**
 * Failover between servers of one network (issue 16): components and watchers given
 * `--server A,B` move to B when A is killed (-9), keep their names and subscriptions; a
 * component that could only use A loses its name by A's lease expiring, with no sweep.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../src/index.js';
import { isolatedEnv, runBotz, startBotz, type Running } from './harness.js';
import { RedisProcess } from '../helpers/redis.js';
import { until } from '../helpers/wait.js';

let redis: RedisProcess;
let configDir: string;
const running: Running[] = [];
let a: { run: Running; address: string };
let b: { run: Running; address: string };

async function serve(): Promise<{ run: Running; address: string }> {
  const run = startBotz(['serve', '--port', '0', '--store', redis.url, '--lease', '1s'], isolatedEnv({ BOTZ_CONFIG_DIR: configDir }));
  running.push(run);
  return { run, address: (await run.waitFor(/^listening on /)).replace('listening on ', '').trim() };
}

const env = (server: string): NodeJS.ProcessEnv => isolatedEnv({ BOTZ_CONFIG_DIR: configDir, BOTZ_SERVER: server });

async function register(server: string, name: string, ...args: string[]): Promise<Running> {
  const r = startBotz(['register', name, ...args], env(server));
  running.push(r);
  await r.waitFor(/^registered /);
  return r;
}

beforeAll(async () => {
  redis = await RedisProcess.start();
  configDir = await mkdtemp(join(tmpdir(), 'botz-e2e-failover-'));
  a = await serve();
  b = await serve();
});
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop('SIGKILL')));
  await redis?.kill();
});

describe('a server of the network dies', () => {
  it('its components fail over to the next server, keep their names and are reached there; the rest are released by lease expiry', async () => {
    const both = `${a.address},${b.address}`;
    const relayed = await register(both, 'fo-relayed', '--echo');
    const direct = await register(both, 'fo-direct', '--echo', '--port', '0');
    await register(a.address, 'fo-lone', '--echo');
    const watch = startBotz(['components', '--watch', '--json'], env(`${a.address},${b.address}`));
    running.push(watch);
    await watch.waitFor(/fo-lone/);

    const killedAt = Date.now();
    await a.run.stop('SIGKILL');
    await Promise.all([relayed.waitFor(new RegExp(`^re-registered fo-relayed on ${b.address}`)), direct.waitFor(/^re-registered fo-direct/)]);
    const failoverMs = Date.now() - killedAt;
    console.log(`failover: both components re-registered on B ${failoverMs} ms after A was killed`);

    for (const name of ['fo-relayed', 'fo-direct']) {
      const r = await runBotz(['send', name, 'after=failover', '--json'], env(b.address));
      expect(JSON.parse(r.stdout)).toEqual({ after: 'failover' });
    }
    // fo-lone knew only A: its name goes when A's lease expires (1 s), pushed to the watcher, which moved to B itself.
    await until('the watcher (moved to B) shows the failed-over components and not fo-lone', () => {
      const last = watch.lines.filter((l) => l.startsWith('[')).at(-1) ?? '[]';
      const names = (JSON.parse(last) as { name: string; server?: string }[]).map((c) => `${c.name}@${c.server}`);
      return names.includes(`fo-relayed@${b.address}`) && names.includes(`fo-direct@${b.address}`) && !names.some((n) => n.startsWith('fo-lone@'));
    }, 10_000).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${watch.lines.join('\n')}\n${b.run.lines.join('\n')}`);
    });
    // …and the name is free on the network again.
    await register(b.address, 'fo-lone', '--echo');
  }, 60_000); // five processes and a lease: 10–16 s when the machine is busy, near the 20 s default
});

describe('Redis dies and comes back', () => {
  it('the servers keep serving their own components, say the store is down, and resynchronise when it returns', async () => {
    const c = await serve();
    const onB = async (): Promise<unknown> => JSON.parse((await runBotz(['send', 'fo-relayed', 'x:=1', '--json'], env(b.address))).stdout);
    await until('C lists fo-relayed on B', async () => (await runBotz(['components', '--json'], env(c.address))).stdout.includes('fo-relayed'));

    // Traffic that needs no store runs through the outage: a client of B asking B's own component.
    const secret = (await readFile(join(configDir, 'secret'), 'utf8')).trim();
    const caller = await Client.connect({ server: b.address, secret, timeoutMs: 10_000 });
    const traffic = { ok: 0, failed: [] as unknown[], stop: false };
    const flowing = (async () => {
      for (let n = 0; !traffic.stop; n++) {
        await caller.request('fo-relayed', { n }).then(
          () => traffic.ok++,
          (e: unknown) => traffic.failed.push(e),
        );
      }
    })();
    await until('traffic flows', () => traffic.ok >= 5);

    await redis.kill();
    await Promise.all([b.run.waitFor(/^store redis:\/\/\S+ down/), c.run.waitFor(/^store redis:\/\/\S+ down/)]);
    const okWhenDown = traffic.ok;
    await until('traffic flows with the store down', () => traffic.ok >= okWhenDown + 5);
    // botz components lists what the server knows, says the store is down, and exits 7.
    const listing = await runBotz(['components', '--json'], env(b.address));
    expect(listing.code).toBe(7);
    expect(listing.stderr).toMatch(/store redis:\/\/127\.0\.0\.1:\d+ is down/);
    expect((JSON.parse(listing.stdout) as { name: string }[]).map((e) => e.name)).toContain('fo-relayed');
    // B's own components are still served, relayed by B itself.
    expect(await onB()).toEqual({ x: 1 });
    // C cannot reach them through the store, and says why.
    const refused = await runBotz(['send', 'fo-relayed', 'x:=1', '--json'], env(c.address));
    expect(JSON.parse(refused.stdout)).toMatchObject({ error: { code: 'STORE_UNAVAILABLE', exit: 7 } });

    // An empty Redis comes back: B claims its names again, C reads the network afresh.
    await redis.restart();
    await Promise.all([b.run.waitFor(/^store redis:\/\/\S+ up/), c.run.waitFor(/^store redis:\/\/\S+ up/)]);
    await until('C reaches fo-relayed on B again', async () => {
      const r = await runBotz(['send', 'fo-relayed', 'back:=true', '--json'], env(c.address));
      return r.code === 0 && r.stdout.includes('"back": true');
    }, 10_000);
    const okWhenUp = traffic.ok;
    await until('traffic flows after the store came back', () => traffic.ok >= okWhenUp + 5);
    traffic.stop = true;
    await flowing;
    await caller.close();
    expect(traffic.failed).toEqual([]);
    // Back up: the listing is whole again and exits 0.
    const whole = await runBotz(['components', '--json'], env(c.address));
    expect(whole.code).toBe(0);
    expect(whole.stderr).toBe('');
    expect(b.run.child.exitCode).toBeNull();
    expect(c.run.child.exitCode).toBeNull();
  }, 60_000); // three CLI runs and an outage with traffic: a busy machine stretches it past the default
});

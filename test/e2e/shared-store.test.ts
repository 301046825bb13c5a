/**
 * Several servers, one network (issue 16): two real `botz serve --store redis://…` processes on
 * one real redis-server; components on one are listed, looked up, sent to (direct and relayed
 * A↔B, authenticated end to end), broadcast to and watched from clients of the other.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedEnv, runBotz, startBotz, type Running } from './harness.js';
import { RedisProcess } from '../helpers/redis.js';
import { until } from '../helpers/wait.js';

let redis: RedisProcess;
let configDir: string;
const servers: { run: Running; address: string; env: NodeJS.ProcessEnv }[] = [];
const running: Running[] = [];

async function serve(): Promise<{ run: Running; address: string; env: NodeJS.ProcessEnv }> {
  const run = startBotz(['serve', '--port', '0', '--store', redis.url], isolatedEnv({ BOTZ_CONFIG_DIR: configDir }));
  const address = (await run.waitFor(/^listening on /)).replace('listening on ', '').trim();
  const server = { run, address, env: isolatedEnv({ BOTZ_CONFIG_DIR: configDir, BOTZ_SERVER: address }) };
  servers.push(server);
  return server;
}

async function register(env: NodeJS.ProcessEnv, name: string, ...args: string[]): Promise<Running> {
  const r = startBotz(['register', name, ...args], env);
  running.push(r);
  await r.waitFor(/^registered /);
  return r;
}

beforeAll(async () => {
  redis = await RedisProcess.start();
  configDir = await mkdtemp(join(tmpdir(), 'botz-e2e-store-'));
  // The first creates the network's secret; the second reads it from the same config dir.
  await serve();
  await serve();
});
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop('SIGKILL')));
  await Promise.all(servers.map((s) => s.run.stop('SIGTERM')));
  await redis?.kill();
});

describe('two servers on one Redis', () => {
  it('each says which store it uses', async () => {
    for (const s of servers) await s.run.waitFor(new RegExp(`registry shared through redis://127\\.0\\.0\\.1:${redis.port}`), 'err');
  });

  it('a relay-only component on A answers a client of B (relayed A↔B through Redis)', async () => {
    const [a, b] = servers;
    const echo = await register(a.env, 'st-relayed', '--echo');
    const r = await runBotz(['send', 'st-relayed', 'greeting=hello', '--json'], b.env);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ greeting: 'hello' });
    await echo.waitFor(/→ st-relayed {2}request/);
  });

  it('a component with an address on A is sent to directly from B', async () => {
    const [a, b] = servers;
    await register(a.env, 'st-direct', '--echo', '--port', '0');
    const r = await runBotz(['send', 'st-direct', 'n:=1', '--json'], b.env);
    expect(JSON.parse(r.stdout)).toEqual({ n: 1 });
  });

  it('components of both servers are listed on each, with the server they are attached to', async () => {
    const [a, b] = servers;
    await register(b.env, 'st-on-b', '--echo');
    for (const s of servers) {
      const r = await runBotz(['components', '--json'], s.env);
      const byName = new Map((JSON.parse(r.stdout) as { name: string; server?: string }[]).map((c) => [c.name, c.server]));
      expect(byName.get('st-relayed')).toBe(a.address);
      expect(byName.get('st-on-b')).toBe(b.address);
    }
  });

  it('a name held on A cannot be taken on B', async () => {
    const [, b] = servers;
    const r = await runBotz(['register', 'st-relayed', '--echo'], b.env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/already registered by a live component/);
  });

  it('a broadcast from a client of B reaches a group spread over A and B', async () => {
    const [a, b] = servers;
    await register(a.env, 'st-g1', '--echo', '--group', 'st-spread');
    await register(b.env, 'st-g2', '--echo', '--group', 'st-spread');
    const r = await runBotz(['broadcast', 'hi=all', '--group', 'st-spread', '--json'], b.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('st-g1');
    expect(r.stdout).toContain('st-g2');
  });

  it('a tail on B shows the traffic of a client of A with a component on A', async () => {
    const [a, b] = servers;
    const tail = startBotz(['tail'], b.env);
    running.push(tail);
    await tail.waitFor(/^tailing /, 'err');
    const r = await runBotz(['send', 'st-relayed', 'seen=by-b'], a.env);
    expect(r.code).toBe(0);
    await tail.waitFor(/st-relayed/);
  });

  it('a watcher on B sees a component join and leave on A, pushed through Redis', async () => {
    const [a, b] = servers;
    const watch = startBotz(['components', '--watch', '--json'], b.env);
    running.push(watch);
    await watch.waitFor(/st-relayed/);
    const late = await register(a.env, 'st-late', '--echo');
    await watch.waitFor(/st-late/);
    const joinedAt = watch.lines.findIndex((l) => l.includes('st-late'));
    await late.stop('SIGTERM');
    // It said bye on A: B's watcher redraws without it.
    await until('the watcher on B redraws without st-late', () => watch.lines.slice(joinedAt + 1).some((l) => l.startsWith('[') && !l.includes('st-late')));
  });
});

describe('a store that cannot be reached', () => {
  it('botz serve --store fails at once with STORE_UNAVAILABLE (exit 7) and says so', async () => {
    const r = await runBotz(['serve', '--port', '0', '--store', 'redis://127.0.0.1:1'], isolatedEnv({ BOTZ_CONFIG_DIR: configDir }));
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/^botz: the shared store at redis:\/\/127\.0\.0\.1:1 is unreachable/m);
    expect(r.stderr).not.toMatch(/Unhandled error|cannot reach the botz server/);
  });

  it('an address that is not a store is a usage error', async () => {
    const r = await runBotz(['serve', '--port', '0', '--store', 'bogus://x'], isolatedEnv({ BOTZ_CONFIG_DIR: configDir }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"bogus:\/\/x" is not a store/);
  });
});


/**
 * `botz register --exec CMD` keeps its handlers on a leash: a hung CMD is killed after
 * --exec-timeout, and register exits promptly (killing what still runs) on SIGTERM and on
 * `botz shutdown NAME`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveInGroup } from '../helpers/processes.js';
import { until } from '../helpers/wait.js';
import { runBotz, startNetwork, type Network } from './harness.js';

let net: Network;
let dir: string;
beforeAll(async () => {
  net = await startNetwork();
  dir = await mkdtemp(join(tmpdir(), 'botz-e2e-exec-'));
});
afterAll(async () => {
  await net?.stop();
  await rm(dir, { recursive: true, force: true });
});


async function pidIn(file: string): Promise<number> {
  let pid = 0;
  await until('the handler started', async () => (pid = Number((await readFile(file, 'utf8').catch(() => '')).trim())) > 0);
  return pid;
}

describe('register --exec limits', () => {
  it('kills a handler after --exec-timeout and tells the caller (exit 5)', async () => {
    await net.register('e2e-hung', '--exec', 'sleep 300', '--exec-timeout', '500ms');
    const started = Date.now();
    const r = await runBotz(['send', 'e2e-hung', 'a=1', '--timeout', '10s'], net.env);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/handler was killed after 500 ms/);
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it('exits promptly on SIGTERM while a handler hangs, and kills it', async () => {
    const pidFile = join(dir, 'sigterm.pid');
    const comp = await net.register('e2e-hung-term', '--exec', `echo $$ > ${pidFile}; sleep 300`);
    const send = runBotz(['send', 'e2e-hung-term', 'a=1', '--timeout', '4s'], net.env);
    const pgid = await pidIn(pidFile);
    const started = Date.now();
    expect(await comp.stop('SIGTERM')).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    await until('the handler and its children are gone', () => liveInGroup(pgid).length === 0, 2_000);
    expect((await send).code).not.toBe(0);
  });

  it('exits promptly on `botz shutdown NAME` while a handler hangs, and kills it', async () => {
    const pidFile = join(dir, 'shutdown.pid');
    const comp = await net.register('e2e-hung-shut', '--exec', `echo $$ > ${pidFile}; sleep 300`);
    const send = runBotz(['send', 'e2e-hung-shut', 'a=1', '--timeout', '4s'], net.env);
    const pgid = await pidIn(pidFile);
    const started = Date.now();
    expect((await runBotz(['shutdown', 'e2e-hung-shut'], net.env)).code).toBe(0);
    expect(await comp.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    await until('the handler and its children are gone', () => liveInGroup(pgid).length === 0, 2_000);
    expect((await send).code).not.toBe(0);
  });

  it('refuses --exec-timeout and --exec-concurrency without --exec', async () => {
    const r = await runBotz(['register', 'e2e-noexec', '--exec-concurrency', '2'], net.env);
    expect(r.code).toBe(2);
  });
});

/**
 * Issue 17: SIGHUP (the terminal closed, the ssh session dropped) stops a foreground command the
 * way SIGTERM does: `register` leaves the network and kills its --exec children with their
 * process group, `serve` stops cleanly. Neither dies of the signal (exit 129).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveInGroup } from '../helpers/processes.js';
import { until } from '../helpers/wait.js';
import { isolatedEnv, runBotz, startBotz, startNetwork, type Network } from './harness.js';

let net: Network;
let dir: string;
beforeAll(async () => {
  net = await startNetwork();
  dir = await mkdtemp(join(tmpdir(), 'botz-e2e-hup-'));
});
afterAll(async () => {
  await net?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('SIGHUP', () => {
  it('register --exec with a running child: leaves the network, kills the child, exits 0', async () => {
    const pidFile = join(dir, 'hup.pid');
    const comp = await net.register('e2e-hup', '--exec', `echo $$ > ${pidFile}; sleep 300`);
    const send = runBotz(['send', 'e2e-hup', 'a=1', '--timeout', '10s'], net.env);
    let pgid = 0;
    await until('the handler started', async () => (pgid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim())) > 0);
    expect(await comp.stop('SIGHUP')).toBe(0);
    await net.server.waitFor(/leave\s+e2e-hup\b/);
    await until('the handler and its children are gone', () => liveInGroup(pgid).length === 0, 2_000);
    expect((await send).code).not.toBe(0);
  });

  it('serve stops cleanly and says why', async () => {
    const configDir = await mkdtemp(join(tmpdir(), 'botz-e2e-hup-serve-'));
    const server = startBotz(['serve', '--port', '0'], isolatedEnv({ BOTZ_CONFIG_DIR: configDir }));
    await server.waitFor(/^listening on /);
    expect(await server.stop('SIGHUP')).toBe(0);
    expect(server.errLines).toContain('stopped (SIGHUP)');
  });
});

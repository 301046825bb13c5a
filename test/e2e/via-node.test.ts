/**
 * Commands that talk to a mesh node (`--via`, `botz mesh`), at the edges:
 * - `botz tail --via NODE` when the mesh node goes away must end with the CLI's one-line error
 *   and exit 7 (server unreachable), not hang, and not fall out of an empty event loop with
 *   Node's exit 13 ("unsettled top-level await"), which is no botz exit code;
 * - a --timeout of 2^31 ms or more (1000h) must wait, not overflow Node's timers to 1 ms.
 * Needs a build (dist/).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runBotz, startBotz, startNetwork, type Network } from './harness.js';
import { until } from '../helpers/wait.js';

let net: Network;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'commands', 'tail.js'))) throw new Error('run `npm run build` first: e2e tests run the built CLI');
  net = await startNetwork();
}, 60_000);

afterAll(async () => {
  await net?.stop();
});

describe('tail --via when the mesh node goes away', () => {
  it.each([['SIGKILL' as const], ['SIGTERM' as const]])('exits 7 with a botz: line naming the mesh node when the node gets %s', async (signal) => {
    const node = await net.register(`lost-${signal.toLowerCase()}`, '--mesh');
    const address = (await node.waitFor(/^mesh node /)).split(' at ')[1].trim();
    const tail = startBotz(['tail', '--via', address], net.env);
    await tail.waitFor(/^tailing mesh traffic/, 'err');
    await node.stop(signal);
    const code = await tail.exited;
    const stderr = tail.errLines.join('\n');
    expect({ code, stderr }).toMatchObject({ code: 7, stderr: expect.stringMatching(/^botz: .*mesh node at /m) });
    expect(stderr).toContain(address);
    // One line of error, after the "tailing..." notice; nothing on stdout.
    expect(tail.errLines.filter((l) => l.startsWith('botz:'))).toHaveLength(1);
    expect(tail.lines.filter((l) => l !== '')).toEqual([]);
  });
});

describe('--timeout beyond what a Node timer holds (1000h)', () => {
  it('mesh routes and send --via wait instead of failing at once', async () => {
    const first = await net.register('long-1', '--mesh', '--echo');
    const a1 = (await first.waitFor(/^mesh node /)).split(' at ')[1].trim();
    const second = await net.register('long-2', '--mesh', '--echo', '--dial', a1);
    await second.waitFor(/^mesh node /);
    await until('long-1 has a route to long-2', async () => {
      const routes = await runBotz(['mesh', 'routes', a1, '--timeout', '1000h', '--json'], net.env);
      expect(routes).toMatchObject({ code: 0, stderr: '' });
      return (JSON.parse(routes.stdout) as { destination: string }[]).some((r) => r.destination === 'long-2');
    }, 10_000);
    const sent = await runBotz(['send', 'long-2', 'k=v', '--via', a1, '--timeout', '1000h'], net.env);
    expect(sent).toMatchObject({ code: 0, stdout: '{"k":"v"}\n' });
    expect(sent.stderr).toMatch(/^mesh path long-1>long-2, reply long-2>long-1\n$/);
    expect(sent.stderr).not.toMatch(/TimeoutOverflowWarning/);
  });
});

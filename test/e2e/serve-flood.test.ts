/**
 * The attack from outside, against the real binary: a peer without the secret opens more silent
 * TCP connections than `botz serve` has file descriptors. Unguarded, the server accepted until
 * EMFILE and every legitimate client then failed with SERVER_UNREACHABLE for as long as the
 * sockets stayed (minutes). Guarded, the server evicts the oldest unauthenticated connections,
 * serves the client, and logs the flood in a few lines. Needs a build (dist/).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { splitAddress } from '../../src/lib/transport/transport.js';
import { ROOT, Running, isolatedEnv, runBotz } from './harness.js';

const FD_LIMIT = 256;
const SILENT = 400;

let server: Running | undefined;
const sockets: Socket[] = [];

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'commands', 'serve.js'))) throw new Error('run `npm run build` first: e2e tests run the built CLI');
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await server?.stop('SIGKILL');
});

/** A TCP connection that sends nothing, once the kernel has established it. */
function silent(address: string): Promise<Socket> {
  const { host, port } = splitAddress(address);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    sockets.push(socket);
    socket.resume();
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('botz serve under a flood of silent connections', () => {
  it(`serves a client while ${SILENT} silent connections are open under ulimit -n ${FD_LIMIT}, and logs the evictions in a few lines`, async () => {
    const configDir = await mkdtemp(join(tmpdir(), 'botz-e2e-'));
    const env = isolatedEnv({ BOTZ_CONFIG_DIR: configDir });
    const bin = join(ROOT, 'bin', 'run.js');
    server = new Running(
      spawn('bash', ['-c', `ulimit -n ${FD_LIMIT} && exec "$0" "$1" serve --port 0`, process.execPath, bin], { env, stdio: ['pipe', 'pipe', 'pipe'] }),
    );
    const address = (await server.waitFor(/^listening on /)).replace('listening on ', '').trim();

    const flood = await Promise.all(Array.from({ length: SILENT }, () => silent(address)));
    for (const s of flood) s.on('error', () => {});
    // The client's connection queues behind the whole flood: the server meets all of it first.
    const result = await runBotz(['components', '--json'], { ...env, BOTZ_SERVER: address });
    const stillOpen = flood.filter((s) => !s.destroyed).length;

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([]);
    expect(stillOpen).toBeGreaterThan(0);

    await server.waitFor(/ rejected TOO_MANY_CONNECTIONS from 127\.0\.0\.1: \d+ times in the last second$/);
    const rejected = server.lines.filter((l) => l.includes(' rejected '));
    expect(rejected[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}rejected TOO_MANY_CONNECTIONS from 127\.0\.0\.1:\d+$/);
    expect(rejected.length).toBeLessThan(10);
  });
});

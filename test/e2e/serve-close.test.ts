/**
 * `botz serve` must exit promptly on Ctrl-C even while a client holds a half-sent HTTP request
 * open: closing the listener used to wait on such connections (Node stops the headers timeout on
 * close), for minutes. Needs a build (dist/).
 */
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, isolatedEnv, startBotz, type Running } from './harness.js';

let server: Running | undefined;
let socket: Socket | undefined;

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'commands', 'serve.js'))) throw new Error('run `npm run build` first: e2e tests run the built CLI');
});

afterEach(async () => {
  socket?.destroy();
  await server?.stop('SIGKILL');
});

describe('botz serve and half-open connections', () => {
  it('exits 0 soon after SIGINT while a client has sent half an HTTP GET', async () => {
    const configDir = await mkdtemp(join(tmpdir(), 'botz-e2e-'));
    server = startBotz(['serve', '--port', '0'], isolatedEnv({ BOTZ_CONFIG_DIR: configDir }));
    const address = (await server.waitFor(/^listening on /)).replace('listening on ', '').trim();
    const port = Number(address.slice(address.lastIndexOf(':') + 1));
    socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => s.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n', () => resolve(s)));
      s.on('error', reject);
    });
    const signalled = performance.now();
    server.child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      server.exited,
      new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still running 5 s after SIGINT'), 5_000))),
    ]).finally(() => clearTimeout(timer));
    const ms = performance.now() - signalled;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5_000);
    expect(server.errLines).toContainEqual(expect.stringMatching(/^stopped \(SIGINT\)/));
  });
});

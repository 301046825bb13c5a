/**
 * `--timeout` bounds the whole command, connecting included: a server that accepts the TCP
 * connection and then stalls (before the WebSocket upgrade, or before its welcome) ends the
 * command with TIMEOUT (exit 4) naming the server, within the timeout, not after the 3 s
 * connect default.
 */
import { createServer, type Server as TcpServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wsTransport } from '../../src/lib/transport/ws.js';
import type { Listener } from '../../src/lib/transport/transport.js';
import { isolatedEnv, NOTHING_LISTENS, runBotz } from './harness.js';

const SECRET = 'connect-timeout-test-secret-0123456789';

let tcp: TcpServer;
const sockets: Socket[] = [];
let tcpAddress: string;
let ws: Listener;

beforeAll(async () => {
  // Accepts every connection and never says a word.
  tcp = createServer((s) => void sockets.push(s));
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  tcpAddress = `127.0.0.1:${(tcp.address() as { port: number }).port}`;
  // Completes the WebSocket upgrade and then never answers the hello.
  ws = await wsTransport.listen({ host: '127.0.0.1', port: 0, maxMessageBytes: 1 << 20 }, () => {});
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => tcp?.close(resolve));
  await ws?.close();
});

async function timed(args: string[], server: string) {
  const env = isolatedEnv({ BOTZ_SECRET: SECRET, BOTZ_SERVER: server });
  const started = performance.now();
  const r = await runBotz(args, env);
  return { ...r, ms: performance.now() - started };
}

/**
 * How much longer than the same command against an address that refuses at once: what the
 * connection attempt itself took, without the start-up time of node (and oclif), which a busy
 * machine can stretch by seconds.
 */
async function connectingMs(args: string[], server: string) {
  const refused = await timed(args, NOTHING_LISTENS);
  expect(refused.code).toBe(7);
  const r = await timed(args, server);
  return { ...r, connectingMs: r.ms - refused.ms };
}

describe('--timeout covers connecting', () => {
  it.each([
    ['accepts TCP and never upgrades', () => tcpAddress],
    ['upgrades and never answers the hello', () => ws.address],
  ])('send to a server that %s: exit 4 within the timeout, naming the server', async (_what, address) => {
    const r = await connectingMs(['send', 'x', 'a=1', '--timeout', '1s'], address());
    expect(r.code).toBe(4);
    // The old behaviour waited the 3 s connect default whatever --timeout said.
    expect(r.connectingMs).toBeLessThan(2_500);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^botz: the botz server at ${address()} did not complete the handshake within 1000 ms`))]);
  });

  it('components (through oclif) is bounded the same way', async () => {
    const r = await connectingMs(['components', '--timeout', '1s'], tcpAddress);
    expect(r.code).toBe(4);
    expect(r.connectingMs).toBeLessThan(2_500);
    expect(r.stderr).toMatch(/did not complete the handshake within 1000 ms/);
  });

  it('--json gives the TIMEOUT error on stdout', async () => {
    const r = await timed(['send', 'x', 'a=1', '--timeout', '500ms', '--json'], tcpAddress);
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'TIMEOUT', exit: 4 } });
  });
});

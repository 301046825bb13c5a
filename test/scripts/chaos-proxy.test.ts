import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = new URL('../../scripts/chaos-proxy.mjs', import.meta.url).pathname;
type ProxyEvent = { event: string; [key: string]: unknown };

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

/** A TCP echo server on 127.0.0.1, port 0. */
async function echoServer(): Promise<number> {
  const server = net.createServer((s) => {
    s.on('error', () => {});
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => server.close());
  return (server.address() as net.AddressInfo).port;
}

/** Starts the proxy; resolves once it listens. `events` collects every line it prints. */
async function startProxy(args: string[]): Promise<{ port: number; child: ChildProcess; events: ProxyEvent[]; exited: Promise<number | null>; next(event: string): Promise<ProxyEvent> }> {
  const child = spawn(process.execPath, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  cleanup.push(() => child.kill('SIGKILL'));
  const events: ProxyEvent[] = [];
  const waiters: { event: string; resolve: (e: ProxyEvent) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const e = JSON.parse(line) as ProxyEvent;
    events.push(e);
    for (const w of waiters.filter((w) => w.event === e.event)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(e);
    }
  });
  const next = (event: string) =>
    new Promise<ProxyEvent>((resolve) => {
      const seen = events.find((e) => e.event === event);
      if (seen) resolve(seen);
      else waiters.push({ event, resolve });
    });
  const listening = await next('listening');
  return { port: listening.port as number, child, events, exited, next };
}

/** Sends `data` through the proxy and collects the echo until `expected` bytes or the socket closes. */
function roundTrip(port: number, data: Buffer): Promise<{ echoed: Buffer; closedEarly: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const socket = net.connect(port, '127.0.0.1', () => {
      for (let i = 0; i < data.length; i += 1000) socket.write(data.subarray(i, i + 1000));
    });
    socket.on('data', (c) => {
      chunks.push(c);
      got += c.length;
      if (got >= data.length) {
        socket.end();
        resolve({ echoed: Buffer.concat(chunks), closedEarly: false });
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve({ echoed: Buffer.concat(chunks), closedEarly: got < data.length }));
  });
}

describe('chaos-proxy', () => {
  it('forwards bytes intact and in order while delaying chunks', async () => {
    const target = await echoServer();
    const proxy = await startProxy(['--target', String(target), '--delay-max-ms', '5', '--seed', '3']);
    const data = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
    const { echoed, closedEarly } = await roundTrip(proxy.port, data);
    expect(closedEarly).toBe(false);
    expect(echoed.equals(data)).toBe(true);
    expect(await proxy.next('connection')).toMatchObject({ event: 'connection', id: 1 });
  });

  it('cuts connections at random and reports each cut', async () => {
    const target = await echoServer();
    const proxy = await startProxy(['--target', String(target), '--cut-prob', '1']);
    const { closedEarly } = await roundTrip(proxy.port, Buffer.alloc(10_000, 7));
    expect(closedEarly).toBe(true);
    expect(await proxy.next('cut')).toMatchObject({ event: 'cut', id: 1 });
  });

  it('exits by itself after --duration-ms with a summary', async () => {
    const target = await echoServer();
    const proxy = await startProxy(['--target', String(target), '--duration-ms', '300']);
    expect(await proxy.exited).toBe(0);
    expect(proxy.events.at(-1)).toMatchObject({ event: 'summary', connections: 0, cuts: 0 });
  });

  it.each([[[]], [['--target', 'x']], [['--target', '1', '--cut-prob', '2']], [['--target', '1', '--bogus']]])(
    'refuses bad arguments %j with exit code 2',
    async (args) => {
      const child = spawn(process.execPath, [SCRIPT, ...args], { stdio: 'ignore' });
      expect(await new Promise((r) => child.on('exit', r))).toBe(2);
    },
  );
});

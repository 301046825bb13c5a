/**
 * Botzilla v1 sockets on real loopback connections, against hostile and broken peers: every
 * connect, read and write is bounded (in virtual time where the test is about time), requests
 * still arriving share one bounded budget, and each refusal is reported with its code.
 */
import { createHmac } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/lib/clock.js';
import { ErrorCode } from '../../../src/lib/errors.js';
import { botzillaKey, DEFAULT_MAX_FRAME_BYTES } from '../../../src/lib/botzilla/frame.js';
import { botzillaCall, BotzillaBudget, listenBotzilla, type BotzillaListener, type BotzillaRefusal } from '../../../src/lib/transport/botzilla-tcp.js';
import { NOTHING_LISTENS } from '../../helpers/ports.js';
import { until } from '../../helpers/wait.js';
import { exchange, replyOf, request } from '../../helpers/botzilla-peer.js';

const key = botzillaKey(Buffer.from('ppap'));
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function listen(options: { budget?: BotzillaBudget; clock?: ManualClock; reply?: (p: Buffer) => Buffer | undefined } = {}) {
  const refusals: BotzillaRefusal[] = [];
  const listener: BotzillaListener = await listenBotzilla(
    { host: '127.0.0.1', port: 0, key, budget: options.budget, clock: options.clock, onRefused: (r) => refusals.push(r) },
    (payload) => (options.reply ?? ((p) => p))(payload),
  );
  cleanups.push(() => listener.close());
  return { listener, refusals };
}

/** A TCP client that wrote `bytes` and reads nothing back; `closed` resolves when the listener closes it. */
function stalled(address: string, bytes: Buffer, read = true) {
  const [host, port] = [address.split(':')[0], Number(address.split(':')[1])];
  const socket: Socket = connect({ host, port });
  cleanups.push(() => socket.destroy());
  socket.on('error', () => {});
  if (!read) socket.pause();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.once('connect', () => socket.write(bytes));
  return { socket, closed };
}

/** A plain TCP server that does `onConnection` with each socket. */
async function rawServer(onConnection: (s: Socket) => void): Promise<{ address: string; server: Server }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    onConnection(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => (server.close(() => r()), sockets.forEach((s) => s.destroy()))));
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('Botzilla listener bounds', () => {
  it('requests still arriving reserve their declared size in a shared budget; one that does not fit is refused', async () => {
    const budget = new BotzillaBudget(10, 1000);
    const { listener, refusals } = await listen({ budget });
    const header = (n: number) => Buffer.from([n & 0xff, n >> 8, 0, 0, 0x7b]);
    const first = stalled(listener.address, header(600));
    await until('the first request reserved its size', () => budget.pendingBytes === 600 + 36);
    const second = stalled(listener.address, header(600));
    await second.closed;
    expect(refusals.map((r) => r.code)).toEqual([ErrorCode.LIMIT_REACHED]);
    first.socket.destroy();
    await until('the reservation is released', () => budget.pendingBytes === 0 && budget.connections === 0);
    expect((await request(listener.address, Buffer.from('{"a":"1"}'))).raw.subarray(4).toString()).toBe('{"a":"1"}');
  });

  it('connections past the budget are closed on accept', async () => {
    const budget = new BotzillaBudget(1);
    const { listener, refusals } = await listen({ budget });
    stalled(listener.address, Buffer.from([1, 0]));
    await until('one connection is held', () => budget.connections === 1);
    await stalled(listener.address, Buffer.alloc(0)).closed;
    expect(refusals.map((r) => r.code)).toEqual([ErrorCode.TOO_MANY_CONNECTIONS]);
  });

  it('a request that does not arrive whole within the read timeout is closed (virtual time)', async () => {
    const clock = new ManualClock();
    const budget = new BotzillaBudget();
    const { listener, refusals } = await listen({ clock, budget });
    const slow = stalled(listener.address, Buffer.from([10, 0, 0, 0, 69]));
    await until('the listener holds the connection', () => budget.pendingBytes > 0);
    await clock.advance(10_000);
    await slow.closed;
    expect(refusals.map((r) => r.code)).toEqual([ErrorCode.TIMEOUT]);
  });

  it('a client that takes no reply is cut off at the write timeout (virtual time)', async () => {
    const clock = new ManualClock();
    let replied = false;
    const { listener, refusals } = await listen({ clock, reply: () => ((replied = true), Buffer.alloc(64 * 1024 * 1024)) });
    const [len, payload, mac] = [Buffer.from([2, 0, 0, 0]), Buffer.from('{}'), createHmac('sha256', 'ppap').update('{}').digest()];
    const reader = stalled(listener.address, Buffer.concat([len, payload, mac]), false);
    // The reply is bigger than what the socket buffers take: the write cannot finish.
    await until('the reply is being written', () => replied);
    await clock.advance(10_000);
    // A paused reader does not notice the close: the listener's side is what counts.
    await until('the listener let the connection go', () => listener.connections === 0);
    expect(refusals.map((r) => r.code)).toEqual([ErrorCode.TIMEOUT]);
    reader.socket.destroy();
  });

  it('a frame of exactly the maximum (1 MiB + 64 KiB) is read whole and answered; one byte more is refused', async () => {
    const { listener, refusals } = await listen({ reply: (p) => Buffer.from(String(p.length)) });
    const max = Buffer.alloc(DEFAULT_MAX_FRAME_BYTES, 0x61);
    expect(replyOf(await request(listener.address, max)).toString()).toBe(String(DEFAULT_MAX_FRAME_BYTES));
    expect(await request(listener.address, Buffer.alloc(DEFAULT_MAX_FRAME_BYTES + 1))).toEqual({ closed: true, raw: Buffer.alloc(0) });
    expect(refusals.map((r) => r.code)).toEqual([ErrorCode.FRAME_TOO_LARGE]);
  });

  it('a frame over the maximum is refused from its length, whatever follows', async () => {
    const { listener, refusals } = await listen();
    expect(await exchange(listener.address, [Buffer.from([0xff, 0xff, 0xff, 0x7f])])).toEqual({ closed: true, raw: Buffer.alloc(0) });
    expect(refusals.map((r) => r.code)).toEqual([ErrorCode.FRAME_TOO_LARGE]);
  });
});

describe('botzillaCall', () => {
  it('reads a reply dribbled a byte at a time to its declared length', async () => {
    const { address } = await rawServer((s) => {
      s.once('data', () => {
        const reply = Buffer.from([5, 0, 0, 0, ...Buffer.from('{"x"}')]);
        let i = 0;
        const next = () => (i < reply.length ? s.write(reply.subarray(i, ++i), next) : undefined);
        next();
      });
    });
    expect((await botzillaCall(address, Buffer.from('{}'), { key, timeoutMs: 5_000 })).toString()).toBe('{"x"}');
  });

  it('UNREACHABLE when nothing listens; REMOTE_ERROR when the peer closes without a reply; FRAME_TOO_LARGE from the length', async () => {
    await expect(botzillaCall(NOTHING_LISTENS, Buffer.from('{}'), { key, timeoutMs: 2_000 })).rejects.toMatchObject({ code: ErrorCode.UNREACHABLE });
    const closer = await rawServer((s) => s.once('data', () => s.destroy()));
    await expect(botzillaCall(closer.address, Buffer.from('{}'), { key, timeoutMs: 2_000 })).rejects.toMatchObject({ code: ErrorCode.REMOTE_ERROR });
    const liar = await rawServer((s) => s.once('data', () => s.write(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'))));
    await expect(botzillaCall(liar.address, Buffer.from('{}'), { key, timeoutMs: 2_000 })).rejects.toMatchObject({ code: ErrorCode.FRAME_TOO_LARGE });
  });

  it('TIMEOUT when the peer accepts and never answers (virtual time)', async () => {
    const clock = new ManualClock();
    let got = false;
    const { address } = await rawServer((s) => s.once('data', () => (got = true)));
    const call = botzillaCall(address, Buffer.from('{}'), { key, timeoutMs: 5_000, clock });
    const settled = call.catch((e: unknown) => e);
    await until('the request arrived', () => got);
    await clock.advance(5_000);
    expect(await settled).toMatchObject({ code: ErrorCode.TIMEOUT });
  });
});

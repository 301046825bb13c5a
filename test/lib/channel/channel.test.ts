import { afterEach, describe, expect, it } from 'vitest';
import { Channel } from '../../../src/lib/channel/channel.js';
import { NodeContext } from '../../../src/lib/channel/node-context.js';
import { wsTransport } from '../../../src/lib/transport/ws.js';
import type { Listener } from '../../../src/lib/transport/transport.js';
import { until } from '../../helpers/wait.js';

const SECRET = 'a-test-secret-of-enough-length';
let listener: Listener | undefined;
afterEach(async () => {
  await listener?.close();
});

async function echoServer(secret = SECRET) {
  const ctx = new NodeContext({ name: '$server', secret });
  listener = await wsTransport.listen({ host: '127.0.0.1', port: 0, maxMessageBytes: ctx.maxPacketBytes }, (link) => {
    Channel.accept(ctx, link, () => ({ session: 's1' }), {
      onFrame(frame, ch) {
        if (frame.type === 'request') ch.send({ type: 'response', re: frame.id, body: frame.body }, frame.from);
      },
    });
  });
  return { ctx, address: listener.address };
}

describe('Channel over ws', () => {
  it('handshakes and answers 64 requests batched in one turn', async () => {
    const { address } = await echoServer();
    const ctx = new NodeContext({ name: 'alice', secret: SECRET });
    const { channel, session } = await Channel.connect(ctx, wsTransport, address, {
      expect: '$server',
      role: 'client',
      handlers: { onFrame() {} },
    });
    expect(session).toBe('s1');
    const replies = await Promise.all(
      Array.from({ length: 64 }, (_, i) => channel.request({ type: 'request', body: { i: String(i) } }, { timeoutMs: 2000 })),
    );
    expect(replies.map((r) => (r as unknown as { body: { i: string } }).body.i)).toEqual(Array.from({ length: 64 }, (_, i) => String(i)));
    channel.close();
  });

  it('refuses a client with the wrong secret with AUTH_FAILED on both sides', async () => {
    const { ctx: serverCtx, address } = await echoServer();
    const ctx = new NodeContext({ name: 'mallory', secret: 'another-secret-of-enough-length' });
    await expect(
      Channel.connect(ctx, wsTransport, address, { expect: '$server', role: 'client', handlers: { onFrame() {} } }),
    ).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(serverCtx.rejected.UNKNOWN_KEY).toBe(1);
  });
});

describe('Channel limits', () => {
  /** A server that answers nothing and counts what arrives, by body.kind. */
  async function silentServer() {
    const ctx = new NodeContext({ name: '$server', secret: SECRET });
    const seen: Record<string, number> = {};
    listener = await wsTransport.listen({ host: '127.0.0.1', port: 0, maxMessageBytes: ctx.maxPacketBytes }, (link) => {
      Channel.accept(ctx, link, () => ({ session: 's1' }), {
        onFrame(frame) {
          const kind = (frame as { body?: { kind?: string } }).body?.kind ?? frame.type;
          seen[kind] = (seen[kind] ?? 0) + 1;
        },
      });
    });
    const ctxA = new NodeContext({ name: 'alice', secret: SECRET });
    const { channel } = await Channel.connect(ctxA, wsTransport, listener.address, { expect: '$server', role: 'client', handlers: { onFrame() {} } });
    return { channel, seen };
  }

  it('a request refused with TOO_MANY_PENDING is never sent, so a retry cannot run it twice', async () => {
    const { channel, seen } = await silentServer();
    const waiting = Array.from({ length: channel.pending.maxPending }, () =>
      channel.request({ type: 'request', body: { kind: 'held' } }, { timeoutMs: 30_000 }).catch((e: unknown) => e),
    );
    await expect(channel.request({ type: 'request', body: { kind: 'refused' } }, { timeoutMs: 30_000 })).rejects.toMatchObject({
      code: 'TOO_MANY_PENDING',
    });
    // Frames on one link arrive in order: once the marker is there, the refused one would have been too.
    channel.send({ type: 'request', body: { kind: 'marker' } });
    await until('the marker arrived', () => seen.marker === 1, 10_000);
    expect(seen).toEqual({ held: channel.pending.maxPending, marker: 1 });
    channel.close();
    // Closing the link ends every wait (none is left hanging).
    for (const outcome of await Promise.all(waiting)) expect(outcome).toMatchObject({ code: 'UNREACHABLE' });
  });

  it('refuses a destination name over 255 bytes to the caller, and the link goes on working', async () => {
    const { channel, seen } = await silentServer();
    expect(() => channel.send({ type: 'request', body: { kind: 'long' } }, 'x'.repeat(300))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error,
    );
    channel.send({ type: 'request', body: { kind: 'after' } });
    await until('the next frame arrived', () => seen.after === 1, 10_000);
    expect(seen).toEqual({ after: 1 });
    channel.close();
  });
});

describe('Channel handlers that throw', () => {
  it('a frame whose handler throws is counted as rejected and the link goes on', async () => {
    const ctx = new NodeContext({ name: '$server', secret: SECRET });
    const seen: string[] = [];
    listener = await wsTransport.listen({ host: '127.0.0.1', port: 0, maxMessageBytes: ctx.maxPacketBytes }, (link) => {
      Channel.accept(ctx, link, () => ({ session: 's1' }), {
        onFrame(frame) {
          if (frame.type !== 'request') return;
          if (frame.body === 'boom') throw new TypeError('the handler tripped');
          seen.push(frame.body as string);
        },
      });
    });
    const { channel } = await Channel.connect(new NodeContext({ name: 'alice', secret: SECRET }), wsTransport, listener.address, {
      expect: '$server',
      role: 'client',
      handlers: { onFrame() {} },
    });
    channel.send({ type: 'request', body: 'before' });
    channel.send({ type: 'request', body: 'boom' });
    channel.send({ type: 'request', body: 'after' });
    await until('the frame after the throw was handled', () => seen.includes('after'));
    expect(seen).toEqual(['before', 'after']);
    expect(ctx.rejected).toEqual({ MALFORMED_FRAME: 1 });
    expect(channel.link.closed).toBe(false);
    channel.close();
  });
});

describe('Channel handshake race', () => {
  it('delivers a frame the listener sends right after its welcome, even in the same read', async () => {
    const { MemoryNetwork } = await import('../../../src/lib/transport/memory.js');
    const network = new MemoryNetwork();
    const serverCtx = new NodeContext({ name: '$server', secret: SECRET });
    const server = network.transport('server');
    const listener = await server.listen({ host: 'server', port: 0, maxMessageBytes: serverCtx.maxPacketBytes }, (link) => {
      Channel.accept(serverCtx, link, (_hello, ch) => {
        // Queued behind the welcome: both reach the dialer in one delivery turn.
        queueMicrotask(() => ch.send({ type: 'traceControl', on: true }));
        return { session: 's' };
      }, { onFrame() {} });
    });
    let heard!: (type: string) => void;
    const first = new Promise<string>((resolve) => (heard = resolve));
    const ctx = new NodeContext({ name: 'dialer', secret: SECRET });
    const { channel } = await Channel.connect(ctx, network.transport('client'), listener.address, {
      expect: '$server',
      role: 'client',
      handlers: { onFrame: (f) => heard(f.type) },
    });
    expect(await first).toBe('traceControl');
    channel.close();
  });
});

describe('Channel dispatch of large packets', () => {
  it('hands on every frame of big batches in arrival order, across turns and packets', async () => {
    const { MemoryNetwork } = await import('../../../src/lib/transport/memory.js');
    const { MAX_FRAMES_PER_TURN } = await import('../../../src/lib/channel/inbox.js');
    const network = new MemoryNetwork();
    const serverCtx = new NodeContext({ name: '$server', secret: SECRET });
    const seen: string[] = [];
    const turnsSeen = new Set<number>();
    // Counts event-loop turns: one increment per check phase, the phase setImmediate runs in.
    let turn = 0;
    let counting = true;
    const count = () => {
      turn++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const listener = await network.transport('server').listen({ host: 'server', port: 0, maxMessageBytes: serverCtx.maxPacketBytes }, (link) => {
      Channel.accept(serverCtx, link, () => ({ session: 's' }), {
        onFrame(frame, ch) {
          if (frame.type !== 'request') return;
          seen.push(frame.body as string);
          turnsSeen.add(turn);
          ch.send({ type: 'response', re: frame.id, body: frame.body }, frame.from);
        },
      });
    });
    const ctx = new NodeContext({ name: 'dialer', secret: SECRET });
    const { channel } = await Channel.connect(ctx, network.transport('client'), listener.address, {
      expect: '$server',
      role: 'client',
      handlers: { onFrame() {} },
    });
    const total = MAX_FRAMES_PER_TURN * 3 + 5;
    const first = Array.from({ length: total }, (_, i) => channel.request({ type: 'request', body: `a${i}` }, { timeoutMs: 5000 }));
    channel.flush(); // one packet of `total` frames…
    const second = Array.from({ length: 10 }, (_, i) => channel.request({ type: 'request', body: `b${i}` }, { timeoutMs: 5000 }));
    const replies = await Promise.all([...first, ...second]); // …then a second packet behind it
    counting = false;
    const expected = [...Array.from({ length: total }, (_, i) => `a${i}`), ...Array.from({ length: 10 }, (_, i) => `b${i}`)];
    expect(seen).toEqual(expected);
    expect(replies.map((r) => (r as unknown as { body: string }).body)).toEqual(expected);
    // The big packet was handed on over several turns, not in one go.
    expect(turnsSeen.size).toBeGreaterThan(1);
    channel.close();
  });

  it('hands on nothing more of a big batch once the link closed', async () => {
    const { MemoryNetwork } = await import('../../../src/lib/transport/memory.js');
    const { MAX_FRAMES_PER_TURN } = await import('../../../src/lib/channel/inbox.js');
    const network = new MemoryNetwork();
    const serverCtx = new NodeContext({ name: '$server', secret: SECRET });
    const seen: string[] = [];
    let closedAfterTen!: () => void;
    const gone = new Promise<void>((resolve) => (closedAfterTen = resolve));
    const listener = await network.transport('server').listen({ host: 'server', port: 0, maxMessageBytes: serverCtx.maxPacketBytes }, (link) => {
      Channel.accept(serverCtx, link, () => ({ session: 's' }), {
        onFrame(frame, ch) {
          if (frame.type === 'request') seen.push(frame.body as string);
          if (seen.length === 10) {
            ch.close();
            closedAfterTen();
          }
        },
      });
    });
    const ctx = new NodeContext({ name: 'dialer', secret: SECRET });
    const { channel } = await Channel.connect(ctx, network.transport('client'), listener.address, {
      expect: '$server',
      role: 'client',
      handlers: { onFrame() {} },
    });
    for (let i = 0; i < MAX_FRAMES_PER_TURN * 3; i++) channel.send({ type: 'request', body: `a${i}` });
    channel.flush(); // one packet, handed on over several turns
    await gone;
    // Later turns would have come by now: one more setImmediate round each.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(seen).toHaveLength(10);
  });

  it('queues a bounded number of frames when packets arrive faster than they are handed on', async () => {
    const { MemoryNetwork } = await import('../../../src/lib/transport/memory.js');
    const { MAX_BACKLOG_FRAMES } = await import('../../../src/lib/channel/inbox.js');
    const network = new MemoryNetwork();
    const serverCtx = new NodeContext({ name: '$server', secret: SECRET });
    const PACKETS = 40;
    const PER_PACKET = 500;
    const seen: number[] = [];
    let mostQueued = 0;
    const listener = await network.transport('server').listen({ host: 'server', port: 0, maxMessageBytes: serverCtx.maxPacketBytes }, (link) => {
      Channel.accept(serverCtx, link, () => ({ session: 's' }), {
        onFrame(frame, ch) {
          if (frame.type !== 'request') return;
          seen.push(frame.body as number);
          mostQueued = Math.max(mostQueued, ch.inbox.frames);
        },
      });
    });
    const ctx = new NodeContext({ name: 'dialer', secret: SECRET });
    const { channel } = await Channel.connect(ctx, network.transport('client'), listener.address, {
      expect: '$server',
      role: 'client',
      handlers: { onFrame() {} },
    });
    // All of them in one turn: the memory network delivers them in one go, as a socket read can.
    for (let p = 0; p < PACKETS; p++) {
      for (let i = 0; i < PER_PACKET; i++) channel.send({ type: 'request', body: p * PER_PACKET + i });
      channel.flush();
    }
    await until('every frame was handed on', () => seen.length === PACKETS * PER_PACKET);
    expect(seen).toEqual(Array.from({ length: PACKETS * PER_PACKET }, (_, i) => i));
    expect(mostQueued).toBeLessThanOrEqual(MAX_BACKLOG_FRAMES + PER_PACKET);
    channel.close();
  });

  it('queues a bounded number of bytes when big packets arrive faster than they are handed on', async () => {
    const { MemoryNetwork } = await import('../../../src/lib/transport/memory.js');
    const { MAX_BACKLOG_BYTES, MAX_FRAMES_PER_TURN } = await import('../../../src/lib/channel/inbox.js');
    const network = new MemoryNetwork();
    const serverCtx = new NodeContext({ name: '$server', secret: SECRET });
    const PACKETS = 20;
    const PER_PACKET = MAX_FRAMES_PER_TURN + 1; // each one is sliced
    const pad = 'p'.repeat(20 * 1024);
    let seen = 0;
    let mostQueued = 0;
    let biggestPacket = 0;
    const listener = await network.transport('server').listen({ host: 'server', port: 0, maxMessageBytes: serverCtx.maxPacketBytes }, (link) => {
      Channel.accept(serverCtx, link, () => ({ session: 's' }), {
        onFrame(frame, ch) {
          if (frame.type !== 'request') return;
          seen++;
          mostQueued = Math.max(mostQueued, ch.inbox.bytes);
        },
      });
    });
    const ctx = new NodeContext({ name: 'dialer', secret: SECRET });
    const { channel } = await Channel.connect(ctx, network.transport('client'), listener.address, {
      expect: '$server',
      role: 'client',
      handlers: { onFrame() {} },
    });
    const send = channel.link.send.bind(channel.link);
    channel.link.send = (data) => {
      biggestPacket = Math.max(biggestPacket, data.byteLength);
      send(data);
    };
    for (let p = 0; p < PACKETS; p++) {
      for (let i = 0; i < PER_PACKET; i++) channel.send({ type: 'request', body: pad });
      channel.flush();
    }
    await until('every frame was handed on', () => seen === PACKETS * PER_PACKET);
    expect(mostQueued).toBeLessThanOrEqual(MAX_BACKLOG_BYTES + biggestPacket);
    channel.close();
  });
});

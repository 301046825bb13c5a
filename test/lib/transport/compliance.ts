/**
 * The transport compliance suite: every Transport implementation must pass it, so the
 * in-memory network cannot drift from real WebSockets. `ws.test.ts` and `memory.test.ts` run it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BotzError, ErrorCode } from '../../../src/lib/errors.js';
import {
  CloseCode,
  type ConnectionLimits,
  type Link,
  type Listener,
  type Refusal,
  type Transport,
} from '../../../src/lib/transport/transport.js';

export interface TransportHarness {
  /** The side that listens. */
  server: Transport;
  /** The side that dials (may be the same transport). */
  client: Transport;
  /** Host to listen on. */
  host: string;
}

/** Records what a link delivers and lets a test wait for it, without sleeping. */
export class Collector {
  readonly messages: Buffer[] = [];
  readonly closes: { code: number; reason: string }[] = [];
  private waiters: (() => void)[] = [];

  constructor(readonly link: Link) {}

  attach(): this {
    this.link.attach({
      onMessage: (data) => {
        this.messages.push(Buffer.from(data));
        this.wake();
      },
      onClose: (code, reason) => {
        this.closes.push({ code, reason });
        this.wake();
      },
    });
    return this;
  }

  /** Resolves once `ready()` holds; re-checked after every event. */
  until(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (ready()) resolve();
        else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  untilMessages(n: number): Promise<void> {
    return this.until(() => this.messages.length >= n);
  }

  untilClosed(): Promise<void> {
    return this.until(() => this.closes.length > 0);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

const MAX = 64 * 1024;

function numbered(i: number, size = 16): Buffer {
  const buf = Buffer.alloc(size, i & 0xff);
  buf.writeUInt32BE(i, 0);
  return buf;
}
const numbers = (messages: Buffer[]) => messages.map((m) => m.readUInt32BE(0));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Registers the compliance tests for one transport; `make` builds a fresh harness per test. */
export function transportCompliance(name: string, make: () => TransportHarness): void {
  describe(`${name} transport compliance`, () => {
    const listeners: Listener[] = [];
    afterEach(async () => {
      await Promise.all(listeners.splice(0).map((l) => l.close()));
    });

    /** Listens, dials, and returns both ends of one link (not attached yet). */
    async function pair(h: TransportHarness, options: { serverMax?: number; clientMax?: number } = {}) {
      let onLink!: (link: Link) => void;
      const accepted = new Promise<Link>((resolve) => (onLink = resolve));
      const listener = await h.server.listen({ host: h.host, port: 0, maxMessageBytes: options.serverMax ?? MAX }, onLink);
      listeners.push(listener);
      const client = await h.client.connect(listener.address, { timeoutMs: 5_000, maxMessageBytes: options.clientMax ?? MAX });
      const server = await accepted;
      return { listener, client, server };
    }

    it('listens on a resolved port and connects', async () => {
      const h = make();
      const accepted: Link[] = [];
      const listener = await h.server.listen({ host: h.host, port: 0, maxMessageBytes: MAX }, (l) => accepted.push(l));
      listeners.push(listener);
      expect(listener.address).toMatch(/:\d+$/);
      expect(listener.address.endsWith(':0')).toBe(false);
      const client = await h.client.connect(listener.address, { timeoutMs: 5_000, maxMessageBytes: MAX });
      expect(client.closed).toBe(false);
      expect(client.remoteAddress).toBe(listener.address);
      const server = new Collector(client);
      await vi.waitFor(() => expect(accepted).toHaveLength(1));
      expect(accepted[0].remoteAddress).toMatch(/:\d+$/);
      expect(server.link.closed).toBe(false);
    });

    it('delivers messages whole and in order, both ways', async () => {
      const { client, server } = await pair(make());
      const c = new Collector(client).attach();
      const s = new Collector(server).attach();
      for (let i = 0; i < 100; i++) {
        client.send(numbered(i, 4 + (i * 37) % 3000));
        server.send(numbered(1000 + i, 5 + i));
      }
      await Promise.all([s.untilMessages(100), c.untilMessages(100)]);
      expect(numbers(s.messages)).toEqual(range(100));
      expect(s.messages.map((m) => m.length)).toEqual(range(100).map((i) => 4 + (i * 37) % 3000));
      expect(numbers(c.messages)).toEqual(range(100).map((i) => 1000 + i));
    });

    it('a burst of 10,000 messages arrives whole and in order', async () => {
      const { client, server } = await pair(make());
      const s = new Collector(server).attach();
      for (let i = 0; i < 10_000; i++) client.send(numbered(i, 64));
      await s.untilMessages(10_000);
      expect(numbers(s.messages)).toEqual(range(10_000));
      expect(s.messages.every((m) => m.length === 64)).toBe(true);
    });

    it('close is seen by both ends exactly once, with its code', async () => {
      const h = make();
      const { client, server } = await pair(h);
      const c = new Collector(client).attach();
      const s = new Collector(server).attach();
      client.close(CloseCode.NORMAL, 'bye');
      client.close(CloseCode.PROTOCOL_ERROR, 'again');
      await Promise.all([c.untilClosed(), s.untilClosed()]);
      server.close();
      client.send(Buffer.from('after close'));
      // A full round trip on a fresh link gives any late, duplicate close event time to show.
      const probe = await pair(h);
      const echo = new Collector(probe.client).attach();
      new Collector(probe.server).attach();
      probe.server.send(Buffer.from('ping'));
      await echo.untilMessages(1);
      expect(c.closes).toEqual([{ code: CloseCode.NORMAL, reason: 'bye' }]);
      expect(s.closes).toHaveLength(1);
      expect(s.closes[0].code).toBe(CloseCode.NORMAL);
      expect(s.messages).toEqual([]);
      expect([client.closed, server.closed]).toEqual([true, true]);
    });

    it('messages sent before a close arrive before it', async () => {
      const { client, server } = await pair(make());
      const s = new Collector(server).attach();
      client.send(numbered(1));
      client.send(numbered(2));
      client.close(CloseCode.NORMAL, 'done');
      await s.untilClosed();
      expect(numbers(s.messages)).toEqual([1, 2]);
    });

    it('listening where something already listens rejects with ADDRESS_IN_USE, naming the address', async () => {
      const h = make();
      const first = await h.server.listen({ host: h.host, port: 0, maxMessageBytes: MAX }, () => {});
      listeners.push(first);
      const port = Number(first.address.split(':').pop());
      const error = await h.server.listen({ host: h.host, port, maxMessageBytes: MAX }, () => {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BotzError);
      expect(error).toMatchObject({ code: ErrorCode.ADDRESS_IN_USE, details: { address: first.address } });
    });

    it('connecting where nothing listens rejects with UNREACHABLE', async () => {
      const h = make();
      const listener = await h.server.listen({ host: h.host, port: 0, maxMessageBytes: MAX }, () => {});
      await listener.close();
      const error = await h.client.connect(listener.address, { timeoutMs: 5_000, maxMessageBytes: MAX }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BotzError);
      expect((error as BotzError).code).toBe(ErrorCode.UNREACHABLE);
    });

    it('a message over the receiver limit closes the link with 1009 at both ends', async () => {
      const { client, server } = await pair(make(), { serverMax: 1024 });
      const c = new Collector(client).attach();
      const s = new Collector(server).attach();
      client.send(Buffer.alloc(1024, 1));
      client.send(Buffer.alloc(1025, 2));
      await Promise.all([c.untilClosed(), s.untilClosed()]);
      expect(s.messages.map((m) => m.length)).toEqual([1024]);
      expect(s.closes.map((x) => x.code)).toEqual([CloseCode.TOO_BIG]);
      expect(c.closes.map((x) => x.code)).toEqual([CloseCode.TOO_BIG]);
    });

    it('messages (and a close) that arrive before attach are delivered after it, in order', async () => {
      const { client, server } = await pair(make());
      for (let i = 0; i < 3; i++) client.send(numbered(i));
      client.close(CloseCode.NORMAL, 'early');
      // Nothing is attached on the server side yet: wait until the link has seen everything.
      await vi.waitFor(() => expect(server.closed).toBe(true));
      const s = new Collector(server).attach();
      expect(numbers(s.messages)).toEqual([0, 1, 2]);
      expect(s.closes.map((x) => x.code)).toEqual([CloseCode.NORMAL]);
    });

    /** A listener with `limits` that records the links it accepts and what it refuses. */
    async function guarded(h: TransportHarness, limits: Partial<ConnectionLimits>, serverMax = MAX) {
      const accepted: Collector[] = [];
      const refusals: Refusal[] = [];
      const waiters: (() => void)[] = [];
      const listener = await h.server.listen(
        { host: h.host, port: 0, maxMessageBytes: serverMax, limits, onRefused: (r) => refusals.push(r) },
        (link) => {
          accepted.push(new Collector(link).attach());
          for (const w of waiters.splice(0)) w();
        },
      );
      listeners.push(listener);
      /** Dials, and resolves with both ends once the listener has taken the link. */
      const dial = async () => {
        const before = accepted.length;
        const client = new Collector(await h.client.connect(listener.address, { timeoutMs: 5_000, maxMessageBytes: MAX })).attach();
        while (accepted.length <= before) await new Promise<void>((resolve) => waiters.push(resolve));
        return { client, server: accepted[before] };
      };
      return { listener, accepted, refusals, dial };
    }

    it('before authenticated(), a message over the unauthenticated limit closes the link with 1009; after it, up to maxMessageBytes passes', async () => {
      const h = make();
      const { dial } = await guarded(h, { maxUnauthenticatedMessageBytes: 1024 }, 8192);
      const stranger = await dial();
      stranger.client.link.send(Buffer.alloc(1024, 1));
      stranger.client.link.send(Buffer.alloc(1025, 2));
      await Promise.all([stranger.client.untilClosed(), stranger.server.untilClosed()]);
      expect(stranger.server.messages.map((m) => m.length)).toEqual([1024]);
      expect(stranger.server.closes.map((c) => c.code)).toEqual([CloseCode.TOO_BIG]);
      expect(stranger.client.closes.map((c) => c.code)).toEqual([CloseCode.TOO_BIG]);

      const friend = await dial();
      friend.server.link.authenticated();
      friend.client.link.send(Buffer.alloc(8192, 3));
      await friend.server.untilMessages(1);
      expect(friend.server.messages[0].length).toBe(8192);
      friend.client.link.send(Buffer.alloc(8193, 4));
      await friend.server.untilClosed();
      expect(friend.server.closes.map((c) => c.code)).toEqual([CloseCode.TOO_BIG]);
    });

    it('authenticated() called on a message applies to the very next one, even when both arrive together', async () => {
      // A dialer may send its first large packet right behind the one that authenticates it.
      const h = make();
      let onLink!: (link: Link) => void;
      const accepted = new Promise<Link>((resolve) => (onLink = resolve));
      const listener = await h.server.listen({ host: h.host, port: 0, maxMessageBytes: 8192, limits: { maxUnauthenticatedMessageBytes: 1024 } }, onLink);
      listeners.push(listener);
      const client = await h.client.connect(listener.address, { timeoutMs: 5_000, maxMessageBytes: MAX });
      const server = await accepted;
      const received: number[] = [];
      const closes: number[] = [];
      const c = new Collector(client).attach();
      server.attach({
        onMessage: (data) => {
          received.push(data.length);
          server.authenticated();
          if (received.length === 2) server.send(numbered(0));
        },
        onClose: (code) => closes.push(code),
      });
      client.send(Buffer.alloc(100));
      client.send(Buffer.alloc(8192));
      await c.untilMessages(1);
      expect({ received, closes }).toEqual({ received: [100, 8192], closes: [] });
    });

    it('authenticated() is harmless on a dialed link, on a closed one, and when repeated', async () => {
      const { client, server } = await pair(make());
      const c = new Collector(client).attach();
      const s = new Collector(server).attach();
      client.authenticated();
      client.authenticated();
      server.authenticated();
      server.authenticated();
      client.send(numbered(1));
      server.send(numbered(2));
      await Promise.all([s.untilMessages(1), c.untilMessages(1)]);
      client.close();
      await s.untilClosed();
      client.authenticated();
      server.authenticated();
      expect([numbers(s.messages), numbers(c.messages)]).toEqual([[1], [2]]);
    });

    it('a link not authenticated within the handshake timeout is closed with 4002 and reported; an authenticated one stays', async () => {
      const h = make();
      const { listener, refusals, dial } = await guarded(h, { handshakeTimeoutMs: 150 });
      const friend = await dial();
      const stranger = await dial();
      friend.server.link.authenticated();
      expect(listener.connections).toEqual({ total: 2, unauthenticated: 1 });
      // Both deadlines started together: once the stranger's has passed, so has the friend's.
      await Promise.all([stranger.server.untilClosed(), stranger.client.untilClosed()]);
      expect(stranger.server.closes.map((c) => c.code)).toEqual([CloseCode.PROTOCOL_ERROR]);
      expect(stranger.client.closes.map((c) => c.code)).toEqual([CloseCode.PROTOCOL_ERROR]);
      expect(refusals).toEqual([{ code: ErrorCode.HANDSHAKE_TIMEOUT, remote: stranger.server.link.remoteAddress }]);
      friend.client.link.send(numbered(7));
      await friend.server.untilMessages(1);
      expect(friend.server.link.closed).toBe(false);
      expect(listener.connections).toEqual({ total: 1, unauthenticated: 0 });
    });

    it('at the per-source cap the oldest unauthenticated link is evicted with 1013; authenticated links do not count', async () => {
      const h = make();
      const { listener, refusals, dial } = await guarded(h, { maxUnauthenticatedPerSource: 2 });
      const first = await dial();
      const second = await dial();
      const third = await dial();
      await Promise.all([first.server.untilClosed(), first.client.untilClosed()]);
      expect(first.server.closes.map((c) => c.code)).toEqual([CloseCode.TRY_AGAIN_LATER]);
      expect(first.client.closes.map((c) => c.code)).toEqual([CloseCode.TRY_AGAIN_LATER]);
      expect(refusals).toEqual([{ code: ErrorCode.TOO_MANY_CONNECTIONS, remote: first.server.link.remoteAddress }]);
      expect(listener.connections).toEqual({ total: 2, unauthenticated: 2 });
      second.server.link.authenticated();
      third.server.link.authenticated();
      const more = [await dial(), await dial()];
      expect(listener.connections).toEqual({ total: 4, unauthenticated: 2 });
      for (const { client, server } of [second, third, ...more]) {
        client.link.send(numbered(1));
        await server.untilMessages(1);
      }
      expect(refusals).toHaveLength(1);
    });

    it('at the total cap an unauthenticated link makes room; with every slot authenticated the newcomer is refused', async () => {
      const h = make();
      const { listener, refusals, dial } = await guarded(h, { maxConnections: 2 });
      const friend = await dial();
      friend.server.link.authenticated();
      const stranger = await dial();
      const newcomer = await dial();
      await stranger.server.untilClosed();
      expect(stranger.server.closes.map((c) => c.code)).toEqual([CloseCode.TRY_AGAIN_LATER]);
      newcomer.server.link.authenticated();
      const error = await h.client.connect(listener.address, { timeoutMs: 5_000, maxMessageBytes: MAX }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BotzError);
      expect((error as BotzError).code).toBe(ErrorCode.UNREACHABLE);
      expect(refusals.map((r) => r.code)).toEqual([ErrorCode.TOO_MANY_CONNECTIONS, ErrorCode.TOO_MANY_CONNECTIONS]);
      expect(listener.connections).toEqual({ total: 2, unauthenticated: 0 });
      for (const { client, server } of [friend, newcomer]) {
        client.link.send(numbered(1));
        await server.untilMessages(1);
      }
    });

    it('closing the listener closes its links', async () => {
      const { listener, client, server } = await pair(make());
      const c = new Collector(client).attach();
      const s = new Collector(server).attach();
      await listener.close();
      await Promise.all([c.untilClosed(), s.untilClosed()]);
      expect([c.closes.length, s.closes.length]).toEqual([1, 1]);
    });
  });
}

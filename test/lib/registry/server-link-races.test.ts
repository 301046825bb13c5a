/**
 * The server link under races: a component stopped while its link to the server is being
 * re-established, and a registration that fails (the link it opened must not linger holding
 * the name). Real Server, real Component; the faults (a held dial, a lost frame) come from a
 * transport wrapper, so each race happens at exactly the step the test names.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { Component, MemoryNetwork, Server, type Link, type ServerEvent, type ServerOptions, type Transport } from '../../../src/index.js';
import type { LinkHandlers } from '../../../src/lib/transport/transport.js';
import { wsTransport } from '../../../src/lib/transport/ws.js';
import { SECRET } from '../../helpers/network.js';
import { until } from '../../helpers/wait.js';

const stoppers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stoppers.splice(0).reverse()) await stop().catch(() => {});
});

/**
 * Wraps a transport: counts the links it dials (0, 1, 2...), can hold one dial before handing
 * its link to the caller, and can lose chosen messages of a chosen link in either direction.
 */
class ControlledTransport implements Transport {
  readonly links: Link[] = [];
  /** Outgoing messages for which this is true are lost: (dial number, message number on that link). */
  dropOutgoing: (dial: number, message: number) => boolean = () => false;
  /** Incoming messages for which this is true are lost. */
  dropIncoming: (dial: number, message: number) => boolean = () => false;
  private readonly holds = new Map<number, { reached: () => void; released: Promise<void> }>();

  constructor(private readonly inner: Transport) {}

  listen(...args: Parameters<Transport['listen']>): ReturnType<Transport['listen']> {
    return this.inner.listen(...args);
  }

  async connect(address: string, options: Parameters<Transport['connect']>[1]): Promise<Link> {
    const dial = this.links.length;
    const inner = await this.inner.connect(address, options);
    let sent = 0;
    let received = 0;
    const link: Link = {
      get remoteAddress() {
        return inner.remoteAddress;
      },
      get bufferedAmount() {
        return inner.bufferedAmount;
      },
      get closed() {
        return inner.closed;
      },
      attach: (handlers: LinkHandlers) =>
        inner.attach({
          onMessage: (data) => {
            if (!this.dropIncoming(dial, received++)) handlers.onMessage(data);
          },
          onClose: (code, reason) => handlers.onClose(code, reason),
        }),
      send: (data) => {
        if (!this.dropOutgoing(dial, sent++)) inner.send(data);
      },
      close: (code, reason) => inner.close(code, reason),
      authenticated: () => inner.authenticated(),
    };
    this.links.push(link);
    const hold = this.holds.get(dial);
    if (hold) {
      hold.reached();
      await hold.released;
    }
    return link;
  }

  /** Holds dial number `dial` once its link is open, until `release()`. */
  holdDial(dial: number): { reached: Promise<void>; release(): void } {
    let reached!: () => void;
    let release!: () => void;
    const reachedP = new Promise<void>((r) => (reached = r));
    const released = new Promise<void>((r) => (release = r));
    this.holds.set(dial, { reached, released });
    return { reached: reachedP, release };
  }
}

/** The server's membership events, awaited one at a time. */
class ServerEvents {
  private readonly waiters: { match: (e: ServerEvent) => boolean; resolve: (e: ServerEvent) => void }[] = [];

  readonly push = (event: ServerEvent): void => {
    for (const w of [...this.waiters]) {
      if (w.match(event)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(event);
      }
    }
  };

  /** The next event (from now on) matching `match`; fails after `timeoutMs`. */
  next(what: string, match: (e: ServerEvent) => boolean, timeoutMs = 5_000): Promise<ServerEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`the server never reported: ${what} (waited ${timeoutMs} ms)`));
      }, timeoutMs);
      const waiter = {
        match,
        resolve: (e: ServerEvent) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      this.waiters.push(waiter);
    });
  }
}

const is = (type: string, name: string) => (e: ServerEvent) => e.type === type && 'component' in e && e.component.name === name;

async function startServer(options: Partial<ServerOptions>): Promise<Server> {
  // A long grace: the server removes a component because it left, never because it waited it out.
  const server = await Server.start({ host: '127.0.0.1', port: 0, secret: SECRET, closedGraceMs: 60_000, ...options });
  stoppers.push(() => server.stop());
  return server;
}

async function startEcho(server: Server, transport: Transport, connectTimeoutMs = 2_000): Promise<Component> {
  const echo = await Component.start({ server: server.address, secret: SECRET, name: 'echo', transport, connectTimeoutMs, onMessage: (m) => m.body });
  stoppers.push(() => echo.stop());
  return echo;
}

const names = (server: Server) => server.components().map((c) => c.name);

describe('stop() while the link to the server is being re-established', () => {
  it('stopped during the reconnect dial (in memory): the server drops the component and no link of it stays open', async () => {
    const network = new MemoryNetwork();
    const events = new ServerEvents();
    const server = await startServer({ transport: network.transport('server'), onEvent: events.push });
    const transport = new ControlledTransport(network.transport('host-a'));
    const echo = await startEcho(server, transport);

    const hold = transport.holdDial(1);
    const down = once(echo, 'disconnected');
    network.cut((local, remote) => local.startsWith('host-a:') || remote.startsWith('host-a:'));
    await down;
    await hold.reached;
    const left = events.next('echo left', is('leave', 'echo'));
    await echo.stop();
    hold.release();

    await left;
    expect(names(server)).not.toContain('echo');
    await until('every link of echo is closed', () => network.linkCount === 0 && server.stats.links === 0);
    expect(transport.links.map((l) => l.closed)).toEqual([true, true]);
    expect(echo.serverConnected).toBe(false);
  });

  it('stopped during the reconnect dial (ws): the server drops the component and no link of it stays open', async () => {
    const events = new ServerEvents();
    const server = await startServer({ onEvent: events.push });
    const transport = new ControlledTransport(wsTransport);
    const echo = await startEcho(server, transport);

    const hold = transport.holdDial(1);
    const down = once(echo, 'disconnected');
    transport.links[0].close(1001, 'cut');
    await down;
    await hold.reached;
    const left = events.next('echo left', is('leave', 'echo'));
    await echo.stop();
    hold.release();

    await left;
    expect(names(server)).not.toContain('echo');
    await until('every link of echo is closed', () => server.stats.links === 0 && transport.links.every((l) => l.closed));
    expect(echo.serverConnected).toBe(false);
  });

  it('stopped while re-registering: the half-open link is closed at once and the server drops the component', async () => {
    const network = new MemoryNetwork();
    const events = new ServerEvents();
    const server = await startServer({ transport: network.transport('server'), onEvent: events.push });
    const transport = new ControlledTransport(network.transport('host-a'));
    const echo = await startEcho(server, transport);

    // On the reconnect's link the welcome arrives, the answer to `register` never does.
    transport.dropIncoming = (dial, message) => dial === 1 && message >= 1;
    const rejoined = events.next('echo registered again', is('join', 'echo'));
    network.cut((local, remote) => local.startsWith('host-a:') || remote.startsWith('host-a:'));
    await rejoined;
    const left = events.next('echo left', is('leave', 'echo'), 1_500);
    await echo.stop();

    await left;
    expect(names(server)).not.toContain('echo');
    await until('every link of echo is closed', () => network.linkCount === 0 && server.stats.links === 0);
    expect(transport.links.map((l) => l.closed)).toEqual([true, true]);
  });
});

describe('a registration that fails', () => {
  it('closes the link it opened, so a second start with the same name succeeds (register lost, in memory)', async () => {
    const network = new MemoryNetwork();
    const server = await startServer({ transport: network.transport('server') });
    const transport = new ControlledTransport(network.transport('host-a'));
    // The first link's hello and auth go through; its `register` is lost.
    transport.dropOutgoing = (dial, message) => dial === 0 && message === 2; // hello, auth, then register

    await expect(startEcho(server, transport, 300)).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(transport.links[0].closed).toBe(true);
    await until('the server has no link of echo', () => server.stats.links === 0 && network.linkCount === 0);
    expect(names(server)).not.toContain('echo');

    const again = await startEcho(server, transport, 300);
    expect(again.serverConnected).toBe(true);
    expect(server.components()).toMatchObject([{ name: 'echo', state: 'ready' }]);
    expect(server.stats.links).toBe(1);
  });

  it('releases the name at once when the server registered it but its answer was lost', async () => {
    const network = new MemoryNetwork();
    const events = new ServerEvents();
    const server = await startServer({ transport: network.transport('server'), onEvent: events.push });
    const transport = new ControlledTransport(network.transport('host-a'));
    // The welcome arrives; the answer to `register` does not.
    transport.dropIncoming = (dial, message) => dial === 0 && message === 1;
    const joined = events.next('echo registered', is('join', 'echo'));
    const left = events.next('echo left', is('leave', 'echo'));

    await expect(startEcho(server, transport, 300)).rejects.toMatchObject({ code: 'TIMEOUT' });
    await joined;
    expect(transport.links[0].closed).toBe(true);
    await left;
    expect(names(server)).not.toContain('echo');
    await until('the server has no link of echo', () => server.stats.links === 0);

    await startEcho(server, transport, 300);
    expect(server.components()).toMatchObject([{ name: 'echo', state: 'ready' }]);
  });

  it('closes the link it opened, so a second start with the same name succeeds (register lost, ws)', async () => {
    const server = await startServer({});
    const transport = new ControlledTransport(wsTransport);
    transport.dropOutgoing = (dial, message) => dial === 0 && message === 2; // hello, auth, then register

    await expect(startEcho(server, transport, 300)).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(transport.links[0].closed).toBe(true);
    await until('the server has no link of echo', () => server.stats.links === 0);

    await startEcho(server, transport, 300);
    expect(server.components()).toMatchObject([{ name: 'echo', state: 'ready' }]);
    expect(server.stats.links).toBe(1);
  });

  it('on a reconnect, closes the failed attempt’s link before trying again, then recovers', async () => {
    const network = new MemoryNetwork();
    const server = await startServer({ transport: network.transport('server') });
    const transport = new ControlledTransport(network.transport('host-a'));
    const echo = await startEcho(server, transport, 300);

    // The first reconnect loses its `register`; the second is held until we have looked.
    transport.dropOutgoing = (dial, message) => dial === 1 && message === 2; // hello, auth, then register
    const retry = transport.holdDial(2);
    network.cut((local, remote) => local.startsWith('host-a:') || remote.startsWith('host-a:'));
    await retry.reached;
    expect(transport.links[1].closed).toBe(true);

    const back = once(echo, 'reconnected');
    retry.release();
    await back;
    await until('the server holds one link of echo', () => server.stats.links === 1 && network.linkCount === 1);
    expect(server.components()).toMatchObject([{ name: 'echo', state: 'ready' }]);
  });
});

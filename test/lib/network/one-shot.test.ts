/**
 * A cold one-shot call (what `botz send` makes) costs two round trips: the handshake with the
 * server, then the request, relayed, and its answer. It subscribes to nothing, looks nothing up
 * and dials nothing: counted on the wire of an in-memory network. A component's independent
 * start-up requests (register, ready, its subscriptions) travel together too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, Component, MemoryNetwork, Server } from '../../../src/index.js';
import { SECRET } from '../../helpers/network.js';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
});

/** A server and a direct-port echo; `calls` counts what the client host sends, and the links it opens. */
async function network() {
  const net = new MemoryNetwork();
  const sent: string[] = [];
  net.lose((m) => (m.from.startsWith('client:') && sent.push(m.to.split(':')[0]), false));
  const server = await Server.start({ secret: SECRET, transport: net.transport('server') });
  const echo = await Component.start({ server: server.address, secret: SECRET, name: 'echo', port: 0, transport: net.transport('echo'), onMessage: (m) => m.body });
  stops.push(() => server.stop(), () => echo.stop());
  return { net, server, sent };
}

describe('a cold one-shot send', () => {
  it('sends three packets, all to the server (hello, auth, the request), and dials nobody', async () => {
    const { net, server, sent } = await network();
    const client = await Client.connect({ server: server.address, secret: SECRET, transport: net.transport('client'), oneShot: true });
    stops.push(() => client.close());
    expect(await client.send('echo', { n: 1 })).toEqual({ n: 1 });
    expect(sent).toEqual(['server', 'server', 'server']);
    expect(server.stats.relayedPackets).toBe(2); // the request there, the response back
  });

  it('a long-lived client resolves and dials instead: more packets at first, then direct', async () => {
    const { net, server, sent } = await network();
    const client = await Client.connect({ server: server.address, secret: SECRET, transport: net.transport('client') });
    stops.push(() => client.close());
    expect(await client.send('echo', { n: 1 })).toEqual({ n: 1 });
    // hello and auth to the server; the subscription and the lookup in one packet; then the
    // direct link's hello and auth, and the request on it.
    expect(sent).toEqual(['server', 'server', 'server', 'echo', 'echo', 'echo']);
    expect(server.stats.relayedPackets).toBe(0);
  });

  it('to a name nobody registered, says NO_SUCH_COMPONENT from the relay', async () => {
    const { net, server } = await network();
    const client = await Client.connect({ server: server.address, secret: SECRET, transport: net.transport('client'), oneShot: true });
    stops.push(() => client.close());
    await expect(client.send('ghost', {})).rejects.toMatchObject({ code: 'NO_SUCH_COMPONENT' });
  });
});

describe('a component (re)connecting', () => {
  it('sends three packets to the server: hello, auth, then register, ready and its subscription together', async () => {
    const net = new MemoryNetwork();
    const sent: string[] = [];
    net.lose((m) => (m.from.startsWith('worker:') && sent.push(m.to.split(':')[0]), false));
    const server = await Server.start({ secret: SECRET, transport: net.transport('server') });
    stops.push(() => server.stop());
    const worker = await Component.start({ server: server.address, secret: SECRET, name: 'worker', transport: net.transport('worker'), onMessage: () => null });
    stops.push(() => worker.stop());
    await worker.watch(() => {}); // now it follows membership: a reconnect subscribes again
    const back = new Promise((resolve) => worker.once('reconnected', resolve));
    sent.length = 0;
    net.cut((local, remote) => local.startsWith('worker:') && remote.startsWith('server:'));
    await back;
    expect(sent).toEqual(['server', 'server', 'server']);
    expect((await worker.components()).map((c) => [c.name, c.state])).toEqual([['worker', 'ready']]);
  });
});

/**
 * Encrypted links, observed on the wire: the in-memory network shows every message a link
 * carries, so these tests can assert that no body travels in clear once a link is encrypted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, Component, MemoryNetwork, Server } from '../../../src/index.js';
import { Channel } from '../../../src/lib/channel/channel.js';
import { NodeContext } from '../../../src/lib/channel/node-context.js';
import { SECRET } from '../../helpers/network.js';
import { until } from '../../helpers/wait.js';
import { tapProxy } from '../../helpers/tap-proxy.js';

const MARKER = 'a-body-that-must-not-travel-in-clear';
const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
});

/** A network whose every message (after each link's handshake) is captured as text. */
function tappedNetwork() {
  const network = new MemoryNetwork();
  const wire: string[] = [];
  network.lose((m) => {
    wire.push(m.data.toString('latin1'));
    return false;
  });
  return { network, wire };
}

async function start(network: MemoryNetwork, options: { server?: boolean; client?: boolean; echo?: boolean }) {
  const server = await Server.start({ secret: SECRET, transport: network.transport('server'), encrypt: options.server });
  stops.push(() => server.stop());
  const onMessage = (m: { body: unknown }) => m.body as never;
  const direct = await Component.start({ server: server.address, secret: SECRET, name: 'direct-echo', port: 0, transport: network.transport('a'), onMessage, encrypt: options.echo });
  const relayed = await Component.start({ server: server.address, secret: SECRET, name: 'relayed-echo', transport: network.transport('b'), onMessage, encrypt: options.echo });
  const client = await Client.connect({ server: server.address, secret: SECRET, transport: network.transport('c'), encrypt: options.client });
  stops.push(() => direct.stop(), () => relayed.stop(), () => client.close());
  return client;
}

describe('encrypted links', () => {
  it('carry no body in clear, direct and through the relay, when every node encrypts', async () => {
    const { network, wire } = tappedNetwork();
    const client = await start(network, { server: true, client: true, echo: true });
    expect(await client.send('direct-echo', { m: MARKER })).toEqual({ m: MARKER });
    expect(await client.send('relayed-echo', { m: MARKER })).toEqual({ m: MARKER });
    expect(await client.broadcast({ m: MARKER })).toMatchObject({ delivered: ['direct-echo', 'relayed-echo'] });
    expect(wire.length).toBeGreaterThan(10);
    expect(wire.filter((w) => w.includes(MARKER))).toEqual([]);
    // Membership answers are encrypted too (they name components).
    expect(wire.filter((w) => w.includes('"type":"located"'))).toEqual([]);
  });

  it('encrypts a link when either end asks: only the client does here', async () => {
    const { network, wire } = tappedNetwork();
    const client = await start(network, { client: true });
    expect(await client.send('direct-echo', { m: MARKER })).toEqual({ m: MARKER });
    expect(wire.filter((w) => w.includes(MARKER))).toEqual([]);
  });

  it('a relayed message crosses in clear if neither its sender nor anybody on its path encrypts', async () => {
    const { network, wire } = tappedNetwork();
    const client = await start(network, {});
    expect(await client.send('relayed-echo', { m: MARKER })).toEqual({ m: MARKER });
    // The control experiment: without encryption the tap does see the body.
    expect(wire.some((w) => w.includes(MARKER))).toBe(true);
  });
});

describe('an exchange the caller asked to encrypt is encrypted both ways on every hop', () => {
  it('the reply through the relay is encrypted, though its receiver did not ask for encryption', async () => {
    const { network, wire } = tappedNetwork();
    const client = await start(network, { client: true });
    expect(await client.send('relayed-echo', { m: MARKER })).toEqual({ m: MARKER });
    expect(wire.filter((w) => w.includes(MARKER))).toEqual([]);
  });

  it('a server started with encrypt makes it the network rule: direct links of nodes that did not ask are encrypted too', async () => {
    const { network, wire } = tappedNetwork();
    const client = await start(network, { server: true });
    expect(await client.send('direct-echo', { m: MARKER })).toEqual({ m: MARKER });
    expect(await client.send('relayed-echo', { m: MARKER })).toEqual({ m: MARKER });
    expect(await client.broadcast({ m: MARKER })).toMatchObject({ delivered: ['direct-echo', 'relayed-echo'] });
    expect(wire.filter((w) => w.includes(MARKER))).toEqual([]);
  });

  it('a plaintext request relayed to a component that requires encryption is refused with ENCRYPTION_REQUIRED', async () => {
    const { network, wire } = tappedNetwork();
    const client = await start(network, { echo: true });
    await expect(client.send('relayed-echo', { m: MARKER })).rejects.toMatchObject({ code: 'ENCRYPTION_REQUIRED' });
    // Over a direct link the listener's wish encrypts the link both ways: nothing to refuse.
    expect(await client.send('direct-echo', { m: MARKER })).toEqual({ m: MARKER });
    // The refused request itself went out in clear, as its sender chose; no answer did.
    expect(wire.filter((w) => w.includes(MARKER))).toHaveLength(1);
  });

  it('a plaintext packet on a link that negotiated encryption is refused and counted, never handed on', async () => {
    const network = new MemoryNetwork();
    const server = await Server.start({ secret: SECRET, transport: network.transport('server'), encrypt: true });
    stops.push(() => server.stop());
    const seen: unknown[] = [];
    const echo = await Component.start({ server: server.address, secret: SECRET, name: 'echo', transport: network.transport('a'), onMessage: (m) => (seen.push(m.body), m.body) });
    stops.push(() => echo.stop());
    const ctx = new NodeContext({ name: 'rogue', secret: SECRET });
    const { channel } = await Channel.connect(ctx, network.transport('r'), server.address, { expect: '$server', role: 'client', handlers: { onFrame() {} } });
    stops.push(async () => channel.close());
    channel.link.send(channel.sealer.sealFrames([{ v: 1, type: 'request', id: 'r.1', from: 'rogue', body: 'in clear' }], 'echo', false));
    await until('the server counted the plaintext packet', () => server.stats.rejected.ENCRYPTION_REQUIRED === 1);
    expect(seen).toEqual([]);
  });

  it('over the mesh: a request from a node that encrypts crosses a hop whose ends do not ask for it encrypted, and so does the reply', async () => {
    const network = new MemoryNetwork();
    const wire: string[] = [];
    network.lose((m) => (wire.push(m.data.toString('latin1')), false));
    const node = async (name: string, encrypt: boolean, dial?: string) => {
      const n = await Component.start({ name, secret: SECRET, server: null, transport: network.transport(name), encrypt, mesh: {}, onMessage: (m) => m.body });
      stops.push(() => n.stop());
      if (dial) await n.mesh!.node.dial(dial);
      return n;
    };
    const c = await node('c', false);
    const b = await node('b', false, c.mesh!.address);
    const a = await node('a', true, b.mesh!.address);
    await until('a has a route to c', () => a.mesh!.hasRoute('c'));
    expect((await a.mesh!.request('c', { m: MARKER })).body).toEqual({ m: MARKER });
    expect(wire.filter((w) => w.includes(MARKER))).toEqual([]);
  });
});

describe('on real sockets, as a listener on the path sees them', () => {
  async function relayedExchange(encryptClient: boolean) {
    const server = await Server.start({ secret: SECRET, port: 0 });
    stops.push(() => server.stop());
    const toEcho = await tapProxy(server.address);
    const toClient = await tapProxy(server.address);
    stops.push(() => toEcho.close(), () => toClient.close());
    // Neither the echo nor the server asked for encryption; only the caller does (or not).
    const echo = await Component.start({ server: toEcho.address, secret: SECRET, name: 'relayed-echo', onMessage: (m) => m.body });
    const client = await Client.connect({ server: toClient.address, secret: SECRET, encrypt: encryptClient });
    stops.push(() => echo.stop(), () => client.close());
    expect(await client.send('relayed-echo', { m: MARKER })).toEqual({ m: MARKER });
    return { request: toEcho.fromTarget(), reply: toClient.fromTarget() };
  }

  it('a caller that encrypts: neither the relayed request nor the reply crosses in clear', async () => {
    const { request, reply } = await relayedExchange(true);
    expect(request.includes(MARKER)).toBe(false);
    expect(reply.includes(MARKER)).toBe(false);
  });

  it('the control: without encryption the same tap reads both', async () => {
    const { request, reply } = await relayedExchange(false);
    expect(request.includes(MARKER)).toBe(true);
    expect(reply.includes(MARKER)).toBe(true);
  });
});

/**
 * Encrypted links, observed on the wire: the in-memory network shows every message a link
 * carries, so these tests can assert that no body travels in clear once a link is encrypted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, Component, MemoryNetwork, Server } from '../../../src/index.js';
import { SECRET } from '../../helpers/network.js';

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

/**
 * The Botzilla gateway on real loopback sockets, against a Botzilla peer written from the
 * reference document alone (test/helpers/botzilla-peer.ts): registry replies byte for byte,
 * both directions of messages, broadcasts both ways, and hostile input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Component, Server } from '../../../src/index.js';
import { BotzillaGateway } from '../../../src/lib/botzilla/gateway.js';
import { until } from '../../helpers/wait.js';
import { broadcast, exchange, registry, replyOf, request, requestParts, sendMessage, startV1Component, type V1Component } from '../../helpers/botzilla-peer.js';

const secret = 'botzilla gateway test secret, long enough';
let server: Server;
let gateway: BotzillaGateway;
let gw: string;
let client: Client;
const stops: (() => Promise<unknown>)[] = [];
const rejected: string[] = [];

beforeAll(async () => {
  server = await Server.start({ port: 0, secret });
  gateway = await BotzillaGateway.start({
    server: server.address,
    secret,
    port: 0,
    readTimeoutMs: 300,
    probeIntervalMs: 100,
    onRejected: (r) => rejected.push(r.code),
  });
  gw = gateway.address;
  client = await Client.connect({ server: server.address, secret });
});

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await client.close();
  await gateway.stop();
  await server.stop();
});

async function v1Component(name: string, handler?: (b: Record<string, string>) => Record<string, string>): Promise<V1Component> {
  const c = await startV1Component(handler);
  stops.push(() => c.close());
  expect(replyOf(await registry.register(gw, name, c.port)).toString()).toBe('registered');
  return c;
}

describe('Botzilla registry replies, byte for byte as the original server', () => {
  it('list of an empty network is null; unknown opcodes get an empty reply', async () => {
    const list = await registry.list(gw);
    expect('raw' in list && list.raw.toString('hex')).toBe('040000006e756c6c');
    const unknown = await request(gw, Buffer.from([7]));
    expect(unknown.raw.toString('hex')).toBe('00000000');
  });

  it('register answers "registered", and the name is a botz component with a botzilla marker', async () => {
    const c = await startV1Component();
    stops.push(() => c.close());
    const outcome = await registry.register(gw, 'legacy-echo', c.port);
    expect(outcome.raw.toString('hex')).toBe('0a00000072656769737465726564');
    const info = (await client.components()).find((x) => x.name === 'legacy-echo');
    expect(info).toMatchObject({ name: 'legacy-echo', address: null, state: 'ready', meta: { botzilla: `127.0.0.1:${c.port}` } });
    const lookup = await registry.lookup(gw, 'legacy-echo');
    expect(replyOf(lookup).toString()).toBe(`127.0.0.1:${c.port}`);
    expect(lookup.raw.readUInt32LE(0)).toBe(`127.0.0.1:${c.port}`.length);
  });

  it('a duplicate name, an unknown name and a botz name taken are closed without a reply', async () => {
    await v1Component('dup-1');
    expect(await registry.register(gw, 'dup-1', 1)).toEqual({ closed: true, raw: Buffer.alloc(0) });
    expect(await registry.lookup(gw, 'ghost')).toEqual({ closed: true, raw: Buffer.alloc(0) });
    const botz = await Component.start({ server: server.address, secret, name: 'botz-held', onMessage: (m) => m.body });
    stops.push(() => botz.stop());
    expect(await registry.register(gw, 'botz-held', 1)).toEqual({ closed: true, raw: Buffer.alloc(0) });
  });

  it('list names every component, botz and Botzilla', async () => {
    const names = JSON.parse(replyOf(await registry.list(gw)).toString()) as string[];
    expect(names).toEqual(expect.arrayContaining(['legacy-echo', 'dup-1', 'botz-held']));
  });
});

describe('messages across the gateway', () => {
  it('a botz client sends to a Botzilla component: one v1 request, MACed, the reply read to its length', async () => {
    const c = await v1Component('legacy-a', (b) => ({ ...b, seen: 'yes' }));
    expect(await client.send('legacy-a', { a: '1', n: 3 })).toEqual({ a: '1', n: '3', seen: 'yes' });
    expect(c.received.map((b) => b.toString())).toEqual(['{"a":"1","n":"3"}']);
  });

  it('a Botzilla component sends to a botz component through its bridge and gets its reply', async () => {
    const upper = await Component.start({
      server: server.address,
      secret,
      name: 'upper',
      onMessage: (m) => Object.fromEntries(Object.entries(m.body as Record<string, string>).map(([k, v]) => [k, v.toUpperCase()])),
    });
    stops.push(() => upper.stop());
    const bridge = replyOf(await registry.lookup(gw, 'upper')).toString();
    expect(bridge).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await sendMessage(gw, 'upper', { greeting: 'hello', n: '1' })).toEqual({ greeting: 'HELLO', n: '1' });
    // The same bridge for the same name.
    expect(replyOf(await registry.lookup(gw, 'upper')).toString()).toBe(bridge);
  });

  it('bodies near the packet limit go both ways, whatever the TCP segmentation', async () => {
    const big = 'x'.repeat(900 * 1024);
    await v1Component('legacy-big');
    expect(await client.send('legacy-big', { big })).toEqual({ big });
    const echo = await Component.start({ server: server.address, secret, name: 'botz-big', onMessage: (m) => m.body });
    stops.push(() => echo.stop());
    const bridge = replyOf(await registry.lookup(gw, 'botz-big')).toString();
    const payload = Buffer.from(JSON.stringify({ big }));
    // Dribbled in 64 KiB pieces: the gateway reads to the declared length, not one read.
    const [len, body, mac] = requestParts(payload);
    const pieces = [len, ...Array.from({ length: Math.ceil(body.length / 65536) }, (_, i) => body.subarray(i * 65536, (i + 1) * 65536)), mac];
    const reply = replyOf(await exchange(bridge, pieces));
    expect(reply.equals(payload)).toBe(true);
  });

  it('broadcast from botz reaches Botzilla components; Botzilla broadcast (a send to each listed name) reaches botz components', async () => {
    const c = await v1Component('legacy-b');
    const result = await client.broadcast({ reload: 'now' });
    expect(result.delivered).toContain('legacy-b');
    expect(c.received.map((b) => b.toString())).toContain('{"reload":"now"}');
    const got: unknown[] = [];
    const listener = await Component.start({ server: server.address, secret, name: 'botz-listener', onMessage: (m) => (got.push(m.body), {}) });
    stops.push(() => listener.stop());
    await broadcast(gw, { from: 'botzilla' });
    expect(got).toContainEqual({ from: 'botzilla' });
  });

  it('a Botzilla component that stops answering leaves botz at the next probe', async () => {
    const c = await v1Component('legacy-gone');
    await c.close();
    await until('legacy-gone left', async () => !(await client.components()).some((x) => x.name === 'legacy-gone'));
    expect(gateway.components['legacy-gone']).toBeUndefined();
  });
});

describe('hostile input on the Botzilla port', () => {
  it('a wrong key is closed without a reply and counted', async () => {
    const before = gateway.rejected.BAD_MAC ?? 0;
    expect(await registry.list(gw, 'not-ppap')).toEqual({ closed: true, raw: Buffer.alloc(0) });
    expect(gateway.rejected.BAD_MAC).toBe(before + 1);
  });

  it('an HTTP client is closed from its first four bytes, without a reply or an allocation', async () => {
    const outcome = await exchange(gw, [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]);
    expect(outcome).toEqual({ closed: true, raw: Buffer.alloc(0) });
    expect(gateway.rejected.FRAME_TOO_LARGE).toBeGreaterThanOrEqual(1);
  });

  it('a truncated frame is counted; a stalled one is closed at the read timeout', async () => {
    const before = gateway.rejected.MALFORMED_FRAME ?? 0;
    expect(await exchange(gw, [Buffer.from([10, 0, 0, 0, 69])], { end: true })).toEqual({ closed: true, raw: Buffer.alloc(0) });
    expect(gateway.rejected.MALFORMED_FRAME).toBe(before + 1);
    expect(await exchange(gw, [Buffer.from([10, 0, 0, 0, 69])])).toEqual({ closed: true, raw: Buffer.alloc(0) });
    expect(gateway.rejected.TIMEOUT).toBeGreaterThanOrEqual(1);
  });

  it('a bridge refuses a bad MAC and a body that is not a string map, as an original component does', async () => {
    const bridge = replyOf(await registry.lookup(gw, 'upper')).toString();
    expect(await request(bridge, Buffer.from('{"a":"1"}'), 'wrong')).toEqual({ closed: true, raw: Buffer.alloc(0) });
    expect(await request(bridge, Buffer.from('{"a":1}'))).toEqual({ closed: true, raw: Buffer.alloc(0) });
  });

  it('the refusals were reported', () => {
    expect(rejected).toEqual(expect.arrayContaining(['BAD_MAC', 'FRAME_TOO_LARGE', 'MALFORMED_FRAME', 'TIMEOUT']));
  });
});

describe('refusals in a flood', () => {
  it('a flood of bad MACs from one address is a few events and then one summary, not one event each', async () => {
    const events: { code: string; count?: number }[] = [];
    const flooded = await BotzillaGateway.start({ server: server.address, secret, port: 0, onRejected: (r) => events.push(r) });
    stops.push(() => flooded.stop());
    for (let i = 0; i < 20; i++) await registry.list(flooded.address, 'wrong key');
    expect(flooded.rejected.BAD_MAC).toBe(20);
    await until('the summary came', () => events.some((e) => e.count !== undefined));
    expect(events.filter((e) => e.count === undefined).length).toBeLessThanOrEqual(5);
    expect(events.find((e) => e.count !== undefined)).toMatchObject({ code: 'BAD_MAC', count: 20 - events.filter((e) => e.count === undefined).length });
  });
});

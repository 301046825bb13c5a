// A call's timeout covers the whole call: the lookup, the dial and the answer. On a network
// with 40 ms of latency each way those take long enough to tell "the whole call" from "the
// last part of it". Everything runs in virtual time (one ManualClock for the network and every
// node), so the instants below are exact, whatever the machine's load.
import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/lib/clock.js';
import { Client } from '../../../src/lib/component/client.js';
import { Component } from '../../../src/lib/component/component.js';
import { Server } from '../../../src/lib/registry/server.js';
import { MemoryNetwork } from '../../../src/lib/transport/memory.js';

const SECRET = 'call timeouts test secret';
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function slowNetwork() {
  const clock = new ManualClock();
  const network = new MemoryNetwork({ clock });
  const server = await Server.start({ secret: SECRET, transport: network.transport('server'), clock });
  stops.push(() => server.stop());
  const never = () => new Promise<never>(() => {});
  const slow = await Component.start({ server: server.address, secret: SECRET, name: 'slow', port: 0, transport: network.transport('slow'), onMessage: never, clock });
  stops.push(() => slow.stop());
  const client = await Client.connect({ server: server.address, secret: SECRET, transport: network.transport('client'), clock });
  stops.push(() => client.close());
  network.delayMs = 40; // from here on: a lookup is 80 ms, a dial at least as much
  return { client, clock };
}

/** Runs `call` while virtual time goes on; resolves with its outcome and the instant it settled. */
async function settleOf(clock: ManualClock, call: Promise<unknown>, ms: number): Promise<{ outcome: unknown; at: number }> {
  let settled: { outcome: unknown; at: number } | undefined;
  void call.then(
    (value) => (settled = { outcome: value, at: clock.now() }),
    (error: unknown) => (settled = { outcome: error, at: clock.now() }),
  );
  await clock.advance(ms);
  if (!settled) throw new Error(`the call did not settle within ${ms} ms of virtual time`);
  return settled;
}

describe('call timeouts', () => {
  it('a send whose lookup and dial took part of its time still ends at its timeout, and says so', async () => {
    const { client, clock } = await slowNetwork();
    const started = clock.now();
    const { outcome, at } = await settleOf(clock, client.send('slow', {}, { timeout: 400 }), 1_000);
    expect(outcome).toMatchObject({ code: 'TIMEOUT', message: 'the request to "slow" got no answer within 400 ms', details: { timeoutMs: 400 } });
    // Exactly 400 ms after it began: not a fresh 400 ms after the lookup (80 ms) and the dial.
    expect(at - started).toBe(400);
  });

  it('a call whose time ran out waiting for the server says so, and names the server as the peer that did not answer', async () => {
    const { client, clock } = await slowNetwork();
    const { outcome } = await settleOf(clock, client.send('slow', {}, { timeout: 30 }), 1_000);
    expect(outcome).toMatchObject({
      code: 'TIMEOUT',
      message: 'the subscription to membership events got no answer within 30 ms',
      details: { timeoutMs: 30, peer: '$server' },
    });
  });
});

describe('connecting', () => {
  /** A TCP server that accepts every connection and never says a word. */
  async function silentServer(): Promise<string> {
    const sockets: Socket[] = [];
    const server = createServer((s) => void sockets.push(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stops.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    });
    return `127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  it('Client.connect is bounded by its timeoutMs when the server accepts and stalls, and says which server', async () => {
    const address = await silentServer();
    const started = performance.now();
    const error = await Client.connect({ server: address, secret: SECRET, timeoutMs: 300 }).catch((e: unknown) => e);
    // Without the bound it waited the 3 s connect default.
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error).toMatchObject({
      code: 'TIMEOUT',
      message: `the botz server at ${address} did not complete the handshake within 300 ms`,
      details: { server: address, peer: '$server', timeoutMs: 300 },
    });
  });

  it('a hello that is never answered counts against the same timeout', async () => {
    const network = new MemoryNetwork();
    const listener = await network.transport('mute').listen({ host: 'mute', port: 1, maxMessageBytes: 1 << 20 }, () => {});
    stops.push(() => listener.close());
    const started = performance.now();
    const error = await Client.connect({ server: listener.address, secret: SECRET, timeoutMs: 300, transport: network.transport('client') }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error).toMatchObject({ code: 'TIMEOUT', message: `the botz server at ${listener.address} did not complete the handshake within 300 ms` });
  });

  it('an explicit connectTimeoutMs still wins over timeoutMs', async () => {
    const address = await silentServer();
    const error = await Client.connect({ server: address, secret: SECRET, timeoutMs: 5_000, connectTimeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TIMEOUT', details: { timeoutMs: 200 } });
  });
});

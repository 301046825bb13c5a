// A call's timeout covers the whole call: the lookup, the dial and the answer. On a network
// with 40 ms of latency each way those take long enough to tell "the whole call" from "the
// last part of it".
import { afterEach, describe, expect, it } from 'vitest';
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
  const network = new MemoryNetwork();
  const server = await Server.start({ secret: SECRET, transport: network.transport('server') });
  stops.push(() => server.stop());
  const never = () => new Promise<never>(() => {});
  const slow = await Component.start({ server: server.address, secret: SECRET, name: 'slow', port: 0, transport: network.transport('slow'), onMessage: never });
  stops.push(() => slow.stop());
  const client = await Client.connect({ server: server.address, secret: SECRET, transport: network.transport('client') });
  stops.push(() => client.close());
  network.delayMs = 40; // from here on: a lookup is 80 ms, a dial at least as much
  return client;
}

describe('call timeouts', () => {
  it('a send whose lookup and dial took part of its time still ends within its timeout, and says so', async () => {
    const client = await slowNetwork();
    const started = performance.now();
    const error = await client.send('slow', {}, { timeout: 400 }).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(error).toMatchObject({ code: 'TIMEOUT', message: 'the request to "slow" got no answer within 400 ms', details: { timeoutMs: 400 } });
    expect(elapsed).toBeGreaterThanOrEqual(395);
    expect(elapsed).toBeLessThan(560); // the lookup alone is 80 ms: a fresh 400 ms after it would end past 480
  });

  it('a call whose time ran out waiting for the server says so, and names the server as the peer that did not answer', async () => {
    const client = await slowNetwork();
    const error = await client.send('slow', {}, { timeout: 30 }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'TIMEOUT',
      message: 'the subscription to membership events got no answer within 30 ms',
      details: { timeoutMs: 30, peer: '$server' },
    });
  });
});

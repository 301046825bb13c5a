// A call given an AbortSignal ends with CANCELLED as soon as the signal fires — while its
// request waits for an answer, while its lookup is still on the way, or before anything is
// sent — and leaves nothing waiting behind it.
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '../../../src/lib/component/client.js';
import { Component } from '../../../src/lib/component/component.js';
import { Server } from '../../../src/lib/registry/server.js';
import { MemoryNetwork } from '../../../src/lib/transport/memory.js';
import { until } from '../../helpers/wait.js';

const SECRET = 'cancel test secret, long enough';
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A server, a component `stuck` whose handler never answers, and a client. */
async function network() {
  const net = new MemoryNetwork();
  const server = await Server.start({ secret: SECRET, transport: net.transport('server') });
  stops.push(() => server.stop());
  const received: string[] = [];
  let gotOne: () => void = () => {};
  const arrived = new Promise<void>((resolve) => (gotOne = resolve));
  const stuck = await Component.start({
    server: server.address,
    secret: SECRET,
    name: 'stuck',
    port: 0,
    transport: net.transport('stuck'),
    onMessage: (m) => {
      received.push(m.kind);
      gotOne();
      return new Promise<never>(() => {});
    },
  });
  stops.push(() => stuck.stop());
  const client = await Client.connect({ server: server.address, secret: SECRET, transport: net.transport('client') });
  stops.push(() => client.close());
  return { net, client, received, arrived };
}

describe('cancelling a call', () => {
  it('ends a send that waits for its answer, on a new link and on an open one, and stops listening to the signal', async () => {
    const { client, received } = await network();
    for (const link of ['new', 'open']) {
      const controller = new AbortController();
      const started = performance.now();
      const call = client.send('stuck', { link }, { timeout: 10_000, signal: controller.signal }).catch((e: unknown) => e);
      await until(`stuck got the request on the ${link} link`, () => received.length === (link === 'new' ? 1 : 2));
      controller.abort();
      expect(await call).toMatchObject({ code: 'CANCELLED', message: 'the request to "stuck" was cancelled' });
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    }
  });

  it('ends a send whose lookup is still on the way', async () => {
    const { net, client, received } = await network();
    net.delayMs = 200; // the lookup alone now takes 400 ms
    const controller = new AbortController();
    const call = client.send('stuck', {}, { timeout: 10_000, signal: controller.signal }).catch((e: unknown) => e);
    const cancelledAt = performance.now();
    setTimeout(() => controller.abort(), 20);
    expect(await call).toMatchObject({ code: 'CANCELLED' });
    expect(performance.now() - cancelledAt).toBeLessThan(300);
    expect(received).toEqual([]);
  });

  it('sends nothing when the signal fired before the call', async () => {
    const { client, received } = await network();
    await client.send('stuck', {}, { timeout: 200 }).catch(() => {}); // stuck is known and dialed: the fast path
    received.length = 0;
    await expect(client.send('stuck', {}, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(client.components({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(client.shutdown('stuck', { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
    // A request sent after them is the first thing stuck sees.
    await client.send('stuck', { after: true }, { timeout: 200 }).catch(() => {});
    expect(received).toEqual(['request']);
  });

  it('ends a broadcast that waits for its acks', async () => {
    const { client, arrived } = await network();
    const controller = new AbortController();
    const call = client.broadcast({ hello: 1 }, { timeout: 10_000, signal: controller.signal }).catch((e: unknown) => e);
    await arrived;
    controller.abort();
    expect(await call).toMatchObject({ code: 'CANCELLED', message: 'the broadcast was cancelled' });
  });
});

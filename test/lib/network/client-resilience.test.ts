// What a client does when its own bookkeeping traffic fails: tracing never fails the call it
// reports, and a membership subscription that was lost is asked for again.
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '../../../src/lib/component/client.js';
import { Component } from '../../../src/lib/component/component.js';
import { Server } from '../../../src/lib/registry/server.js';
import { MemoryNetwork } from '../../../src/lib/transport/memory.js';
import type { TailEvent } from '../../../src/index.js';
import { Network } from '../../helpers/network.js';
import { until } from '../../helpers/wait.js';

const net = new Network();
afterEach(() => net.stopAll());

describe('tracing', () => {
  it('a send whose trace is too large to travel with its body still succeeds, and the tail sees it without the body', async () => {
    // Every node at a 1 MiB packet limit, so the search below stays small.
    const maxPacketBytes = 1_048_576;
    await net.serve({ maxPacketBytes });
    await net.echo('echo', { maxPacketBytes });
    const alice = await net.component({ name: 'alice', maxPacketBytes });
    // Before anyone tails: the largest body whose request and reply fit a packet. Its trace event,
    // a little larger than the request, will not.
    let big: string;
    for (let n = 1_048_576 - 80; ; n -= 4) {
      big = 'b'.repeat(n);
      const outcome = await alice.send('echo', { big }).catch((e: unknown) => e);
      if ((outcome as { code?: string }).code !== 'FRAME_TOO_LARGE') break;
    }
    const watcher = await net.client({ name: 'watcher-with-a-rather-long-name', maxPacketBytes });
    const seen: TailEvent[] = [];
    await watcher.tail({ bodies: true }, (e) => seen.push(e));
    // The tail is on once alice's calls show up in it.
    const traced = () => seen.some((e) => e.kind === 'traffic' && e.event.from === 'alice');
    await until("alice's calls show in the tail", async () => (await alice.send('echo', { probe: 1 }), traced()));

    expect(await alice.send('echo', { big })).toEqual({ big });
    await until('the tail saw the big call', () => seen.some((e) => e.kind === 'traffic' && e.event.size > 1_000_000));
    const bigEvents = seen.flatMap((e) => (e.kind === 'traffic' && e.event.size > 1_000_000 ? [e.event] : []));
    expect(bigEvents.every((e) => e.body === undefined)).toBe(true);
  });
});

describe('membership subscription', () => {
  it('is asked for again after it was lost, so group and broadcast targets stay current', async () => {
    const memory = new MemoryNetwork();
    const server = await Server.start({ secret: 'resilience test secret 0123', transport: memory.transport('server') });
    net.add(() => server.stop());
    const start = async (name: string) => {
      const c = await Component.start({ server: server.address, secret: 'resilience test secret 0123', name, port: 0, transport: memory.transport(name), onMessage: () => 'ok' });
      net.add(() => c.stop());
    };
    await start('first');
    const client = await Client.connect({ server: server.address, secret: 'resilience test secret 0123', transport: memory.transport('client'), timeoutMs: 300 });
    net.add(() => client.close());

    const restore = memory.lose((m) => m.from.startsWith('client:') && m.data.includes('"type":"subscribe"'));
    await expect(client.broadcast({ n: 1 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    restore();
    expect(await client.broadcast({ n: 2 })).toMatchObject({ delivered: ['first'] });
    // Only membership events tell the client about a component that registers from now on.
    await start('second');
    await until('a broadcast reaches second too', async () => (await client.broadcast({ n: 3 })).delivered.length === 2, 3_000);
  });

  it('a tail whose subscription failed leaves no listener behind for a later subscription to feed', async () => {
    const memory = new MemoryNetwork();
    const secret = 'resilience test secret 0123';
    const server = await Server.start({ secret, transport: memory.transport('server') });
    net.add(() => server.stop());
    const first = await Component.start({ server: server.address, secret, name: 'first', port: 0, transport: memory.transport('first'), onMessage: () => 'ok' });
    net.add(() => first.stop());
    const client = await Client.connect({ server: server.address, secret, transport: memory.transport('client'), timeoutMs: 300 });
    net.add(() => client.close());

    const got = { failed: 0, working: 0 };
    const restore = memory.lose((m) => m.from.startsWith('client:') && m.data.includes('"type":"subscribe"'));
    await expect(client.tail({}, () => got.failed++)).rejects.toMatchObject({ code: 'TIMEOUT' });
    restore();
    await client.tail({}, () => got.working++);
    await until('the working tail sees traffic', async () => (await client.send('first', {}), got.working > 0));
    expect(got.failed).toBe(0);
  });
});

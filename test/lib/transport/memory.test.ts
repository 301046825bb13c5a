import { describe, expect, it } from 'vitest';
import { BotzError, ErrorCode } from '../../../src/lib/errors.js';
import { MemoryNetwork } from '../../../src/lib/transport/memory.js';
import { CloseCode, type Link } from '../../../src/lib/transport/transport.js';
import { Collector, transportCompliance } from './compliance.js';

transportCompliance('memory', () => {
  const network = new MemoryNetwork();
  return { server: network.transport('srv'), client: network.transport('cli'), host: 'srv' };
});

describe('memory network fault hooks', () => {
  async function link(network: MemoryNetwork, from = 'a', to = 'b') {
    let accepted!: (l: Link) => void;
    const server = new Promise<Link>((resolve) => (accepted = resolve));
    const listener = await network.transport(to).listen({ host: to, port: 0, maxMessageBytes: 1 << 20 }, accepted);
    const client = await network.transport(from).connect(listener.address, { timeoutMs: 1_000, maxMessageBytes: 1 << 20 });
    return { listener, client: new Collector(client).attach(), server: new Collector(await server).attach() };
  }
  const msg = (n: number) => Buffer.of(n);
  const values = (c: Collector) => c.messages.map((m) => m[0]);

  it('delay holds messages back but keeps their order, even when the delay shrinks', async () => {
    const network = new MemoryNetwork();
    const { client, server } = await link(network);
    network.delayMs = 40;
    const sentAt = Date.now();
    client.link.send(msg(1));
    client.link.send(msg(2));
    network.delayMs = 0;
    client.link.send(msg(3));
    await server.untilMessages(3);
    expect(values(server)).toEqual([1, 2, 3]);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(39);
  });

  it('lose drops what the filter matches until it is removed', async () => {
    const network = new MemoryNetwork();
    const { client, server } = await link(network);
    const seen: string[] = [];
    const restore = network.lose((m) => {
      seen.push(`${m.from}>${m.to}`);
      return m.data[0] === 0xff;
    });
    client.link.send(msg(1));
    client.link.send(msg(0xff));
    client.link.send(msg(2));
    await server.untilMessages(2);
    restore();
    client.link.send(msg(0xff));
    await server.untilMessages(3);
    expect(values(server)).toEqual([1, 2, 0xff]);
    expect(seen).toHaveLength(3);
    expect(seen[0]).toMatch(/^a:\d+>b:\d+$/);
  });

  it('lossRate with a seeded random loses exactly the chosen messages', async () => {
    const network = new MemoryNetwork();
    const { client, server } = await link(network);
    const rolls = [0.9, 0.1, 0.9, 0.1, 0.9];
    network.random = () => rolls.shift() ?? 0.9;
    network.lossRate = 0.5;
    for (let i = 1; i <= 5; i++) client.link.send(msg(i));
    network.lossRate = 0;
    client.link.send(msg(6));
    await server.untilMessages(4);
    expect(values(server)).toEqual([1, 3, 5, 6]);
  });

  it('cut closes the matching links abruptly at both ends and says how many', async () => {
    const network = new MemoryNetwork();
    const one = await link(network, 'a', 'b');
    const two = await link(network, 'c', 'd');
    expect(network.linkCount).toBe(2);
    one.client.link.send(msg(9));
    expect(network.cut((local) => local.startsWith('a:'))).toBe(1);
    await Promise.all([one.client.untilClosed(), one.server.untilClosed()]);
    expect(one.client.closes.map((c) => c.code)).toEqual([CloseCode.GOING_AWAY]);
    expect(one.server.closes.map((c) => c.code)).toEqual([CloseCode.GOING_AWAY]);
    expect(one.server.messages).toEqual([]);
    expect(two.client.link.closed).toBe(false);
    expect(network.linkCount).toBe(1);
  });

  it('partition cuts links across the sides and refuses new ones until heal', async () => {
    const network = new MemoryNetwork();
    const across = await link(network, 'a', 'b');
    const inside = await link(network, 'b', 'c');
    network.partition(['a'], ['b']);
    await Promise.all([across.client.untilClosed(), across.server.untilClosed()]);
    const error = await network
      .transport('a')
      .connect(across.listener.address, { timeoutMs: 1_000, maxMessageBytes: 1024 })
      .catch((e: unknown) => e);
    expect((error as BotzError).code).toBe(ErrorCode.UNREACHABLE);
    expect(inside.client.link.closed).toBe(false);
    inside.client.link.send(msg(7));
    await inside.server.untilMessages(1);
    network.heal();
    const again = await network.transport('a').connect(across.listener.address, { timeoutMs: 1_000, maxMessageBytes: 1024 });
    expect(again.closed).toBe(false);
  });
});

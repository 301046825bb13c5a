/**
 * Servers sharing one store, in virtual time (issue 16): one ManualClock drives the in-memory
 * network, the servers, their leases and the MemoryDatabase, so a lease runs out at an exact
 * instant whatever the machine's load.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BotzError, Client, Component, ErrorCode, ManualClock, MemoryDatabase, MemoryNetwork, MemoryStore, Server, type MembershipNotice, type RegistryStore, type TailEvent } from '../../../src/index.js';
import { SECRET } from '../../helpers/network.js';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
});

const LEASE = 6_000;

/** A store one server reaches through a link that a test can cut (a partition, a dead Redis for that server only). */
function cuttable(inner: RegistryStore): RegistryStore & { cut: boolean } {
  const guard = <T>(call: () => T): T => {
    if (wrapper.cut) throw new BotzError(ErrorCode.STORE_UNAVAILABLE, 'cut');
    return call();
  };
  const wrapper = {
    cut: false,
    description: 'cuttable memory',
    open: (o: Parameters<RegistryStore['open']>[0], now: number) => inner.open(o, now),
    claim: async (...a: Parameters<RegistryStore['claim']>) => guard(() => inner.claim(...a)),
    remove: async (...a: Parameters<RegistryStore['remove']>) => guard(() => inner.remove(...a)),
    renew: async (now: number) => guard(() => inner.renew(now)),
    snapshot: async (now: number) => guard(() => inner.snapshot(now)),
    servers: async (now: number) => guard(() => inner.servers(now)),
    purge: async (...a: Parameters<RegistryStore['purge']>) => guard(() => inner.purge(...a)),
    sendPacket: (...a: Parameters<RegistryStore['sendPacket']>) => guard(() => inner.sendPacket(...a)),
    setTails: async (...a: Parameters<RegistryStore['setTails']>) => guard(() => inner.setTails(...a)),
    publishTrace: (...a: Parameters<RegistryStore['publishTrace']>) => guard(() => inner.publishTrace(...a)),
    close: () => inner.close(),
  };
  return wrapper;
}

async function world() {
  const clock = new ManualClock();
  const network = new MemoryNetwork({ clock });
  const db = new MemoryDatabase(clock);
  const storeA = cuttable(new MemoryStore(db));
  const a = await Server.start({ secret: SECRET, transport: network.transport('a'), clock, store: storeA, leaseMs: LEASE });
  const b = await Server.start({ secret: SECRET, transport: network.transport('b'), clock, store: new MemoryStore(db), leaseMs: LEASE });
  stops.push(() => a.stop(), () => b.stop());
  const watcher = await Client.connect({ server: b.address, secret: SECRET, transport: network.transport('w'), clock, timeoutMs: 60_000 });
  stops.push(() => watcher.close());
  const events: MembershipNotice[] = [];
  await watcher.watch((e) => events.push(e));
  const component = (name: string, server: string) =>
    Component.start({ name, server, secret: SECRET, transport: network.transport(name), clock, timeoutMs: 60_000, onMessage: (m) => m.body }).then((c) => {
      stops.push(() => c.stop());
      return c;
    });
  return { clock, network, db, storeA, a, b, watcher, events, component };
}

describe('servers on one store, in virtual time', () => {
  it('a component on A is listed, watched and answered through B', async () => {
    const { a, b, watcher, events, component } = await world();
    await component('on-a', a.address);
    await watcher.components(); // a round trip: the events before it have arrived
    expect(events.map((e) => [e.type, e.component.name, e.component.server])).toEqual([
      ['join', 'on-a', a.address],
      ['ready', 'on-a', a.address],
    ]);
    expect(b.components().map((c) => [c.name, c.server])).toEqual([['on-a', a.address]]);
    expect(await watcher.request('on-a', { hello: 'relayed' })).toMatchObject({ body: { hello: 'relayed' }, from: 'on-a', path: 'relay' });
  });

  it('a tail on B sees the traffic of a client of A with a component on A', async () => {
    const { a, watcher, component, network, clock } = await world();
    await component('on-a', a.address);
    const seen: TailEvent[] = [];
    await watcher.tail({ bodies: true }, (e) => seen.push(e));
    const caller = await Client.connect({ server: a.address, secret: SECRET, transport: network.transport('caller'), clock, timeoutMs: 60_000 });
    stops.push(() => caller.close());
    await caller.request('on-a', { n: 1 });
    await clock.advance(0);
    await watcher.components(); // a round trip to B: what A published before has arrived
    const traffic = seen.flatMap((e) => (e.kind === 'traffic' ? [[e.event.kind, e.event.from, e.event.to, e.event.body]] : []));
    expect(traffic).toContainEqual(['request', caller.name, 'on-a', { n: 1 }]);
    expect(traffic).toContainEqual(['response', 'on-a', caller.name, { n: 1 }]);
  });

  it('a server cut off from the store loses its names when its lease ends, to the lease, and gives up those taken meanwhile when it is back', async () => {
    const { clock, a, b, storeA, events, component } = await world();
    const onA = await component('held', a.address);
    await clock.advance(LEASE / 3); // a renewal: A's lease now ends LEASE after this instant
    const renewedAt = clock.now();
    storeA.cut = true;
    events.length = 0;
    await clock.advance(LEASE - 1);
    expect(events).toEqual([]);
    await clock.advance(1);
    expect(events.map((e) => [e.type, e.component.name, e.at - renewedAt])).toEqual([['leave', 'held', LEASE]]);
    expect(b.components()).toEqual([]);
    // The name is free: a newcomer on B takes it.
    await component('held', b.address);
    expect(b.components().map((c) => [c.name, c.server])).toEqual([['held', b.address]]);
    // A reaches the store again: its claim of "held" fails, and its own component is let go.
    const replaced = new Promise((resolve) => onA.once('disconnected', resolve));
    storeA.cut = false;
    await clock.advance(LEASE / 3);
    await replaced;
    expect(a.components().filter((c) => c.server === a.address)).toEqual([]);
  });

  it('a server stops under reliable traffic: both ends fail over to the other, keep their names, and every message arrives once', async () => {
    const { clock, network, a, b, component } = await world();
    const both = `${a.address},${b.address}`;
    const received: number[] = [];
    // The receiver takes messages but acknowledges none until A has gone: every one is in flight at the failover.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const onMessage = async (m: { body: unknown }): Promise<void> => {
      received.push((m.body as { n: number }).n);
      await gate;
    };
    const receiver = await Component.start({ name: 'rx', server: both, secret: SECRET, transport: network.transport('rx'), clock, timeoutMs: 60_000, onMessage });
    stops.push(() => receiver.stop());
    const sender = await component('tx', both);
    const sent = Array.from({ length: 40 }, (_, n) => n);
    const deliveries = sent.map((n) => sender.deliver('rx', { n }, { timeout: 50_000 }));
    await clock.advance(1);
    const beforeFailover = received.length;
    await a.stop(); // both were on A (the first of their list)
    open();
    await clock.advance(5_000); // reconnect backoff: well under one second each
    await Promise.all(deliveries);
    expect(beforeFailover).toBeGreaterThan(0);
    expect([...received].sort((x, y) => x - y)).toEqual(sent);
    expect(b.components().map((c) => [c.name, c.server]).sort()).toEqual([
      ['rx', b.address],
      ['tx', b.address],
    ]);
  });
});

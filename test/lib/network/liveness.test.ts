/**
 * Liveness in virtual time: heartbeats, suspect and removal, a silent server, reconnect
 * backoff, mesh announcements and their ageing. One ManualClock drives the in-memory network
 * and every node, so each event happens at an exact instant, whatever the machine's load.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, Component, ManualClock, MemoryNetwork, Server, type MembershipNotice } from '../../../src/index.js';
import { Channel } from '../../../src/lib/channel/channel.js';
import { NodeContext } from '../../../src/lib/channel/node-context.js';
import { SECRET } from '../../helpers/network.js';
import { until } from '../../helpers/wait.js';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
});

const BEAT = 2_000; // the server's default heartbeat interval

async function world() {
  const clock = new ManualClock();
  const network = new MemoryNetwork({ clock });
  const server = await Server.start({ secret: SECRET, transport: network.transport('server'), clock });
  stops.push(() => server.stop());
  const watcher = await Client.connect({ server: server.address, secret: SECRET, transport: network.transport('watcher'), clock, timeoutMs: 60_000 });
  stops.push(() => watcher.close());
  const events: (MembershipNotice & { t: number })[] = [];
  const t0 = clock.now();
  await watcher.watch((e) => events.push({ ...e, t: e.at - t0 }));
  return { clock, network, server, watcher, events, t0 };
}

describe('heartbeats and liveness, in virtual time', () => {
  it('a component that answers every heartbeat stays ready through ten of them', async () => {
    const { clock, network, server, events } = await world();
    const steady = await Component.start({ server: server.address, secret: SECRET, name: 'steady', transport: network.transport('steady'), clock, onMessage: (m) => m.body });
    stops.push(() => steady.stop());
    // Membership events leave at the end of the server's event-loop iteration (member-fanout.ts).
    await until('the watcher saw steady ready', () => events.some((e) => e.type === 'ready' && e.component.name === 'steady'));
    events.length = 0;
    await clock.advance(10 * BEAT);
    expect(events).toEqual([]);
    expect(server.components()).toMatchObject([{ name: 'steady', state: 'ready' }]);
  });

  it('one that stops answering is suspect after three silent beats and removed after five, to the tick', async () => {
    const { clock, network, server, events } = await world();
    // A raw peer that registers and then never says another word.
    const ctx = new NodeContext({ name: 'hung', secret: SECRET, clock });
    const { channel } = await Channel.connect(ctx, network.transport('hung'), server.address, { expect: '$server', role: 'component', handlers: { onFrame() {} } });
    stops.push(async () => channel.close());
    const registered = clock.now();
    await channel.request({ type: 'register', address: null, port: null, groups: [], meta: {} }, { timeoutMs: 1_000 });
    await channel.request({ type: 'ready' }, { timeoutMs: 1_000 });
    await until('the watcher saw hung ready', () => events.some((e) => e.type === 'ready' && e.component.name === 'hung'));
    events.length = 0;
    await clock.advance(7 * BEAT);
    const seen = events.map((e) => [e.type, e.at - registered]);
    // The server's sweep runs once a beat: the first sweep at or past 3 beats of silence marks it,
    // the first at or past 5 removes it.
    expect(seen).toEqual([
      ['suspect', 3 * BEAT],
      ['leave', 5 * BEAT],
    ]);
    expect(server.components()).toEqual([]);
  });

  it('a node that hears nothing from its server for three beats closes the link and comes back with backoff', async () => {
    const { clock, network, server } = await world();
    const echo = await Component.start({ server: server.address, secret: SECRET, name: 'echo', transport: network.transport('echo'), clock, onMessage: (m) => m.body });
    stops.push(() => echo.stop());
    const down: number[] = [];
    const back: number[] = [];
    echo.on('disconnected', () => down.push(clock.now()));
    echo.on('reconnected', () => back.push(clock.now()));
    // Everything the server sends echo's way is lost from now on: to echo, the server went silent.
    const start = clock.now();
    const unmute = network.lose((m) => m.from.startsWith('server:') && m.to.startsWith('echo:'));
    await clock.advance(4 * BEAT);
    expect(down).toHaveLength(1);
    // Its watchdog checks once a beat; it gives up once more than three beats passed in silence.
    expect(down[0] - start).toBeGreaterThan(3 * BEAT);
    expect(down[0] - start).toBeLessThanOrEqual(4 * BEAT);
    unmute();
    // Reconnect backoff: full jitter below 100 ms, then 200, 400... (backoff.ts): within 5 s it is back.
    await clock.advance(5_000);
    expect(back).toHaveLength(1);
    expect(server.components()).toMatchObject([{ name: 'echo', state: 'ready' }]);
  });
});

describe('mesh announcements, in virtual time', () => {
  it('a node announces every period, and the state of a node that went silent ages out after 3.5 periods', async () => {
    const clock = new ManualClock();
    const network = new MemoryNetwork({ clock });
    const start = (name: string) => Component.start({ name, secret: SECRET, server: null, transport: network.transport(name), clock, mesh: {} });
    const a = await start('a');
    const b = await start('b');
    stops.push(() => a.stop(), () => b.stop());
    await a.mesh!.node.dial(b.mesh!.address);
    await clock.advance(1);
    expect(a.mesh!.hasRoute('b')).toBe(true);
    const sent = a.mesh!.node.counters().msaSent;
    await clock.advance(10 * 2_000);
    // One announcement a period over its one link (and the floods of the link coming up before).
    expect(a.mesh!.node.counters().msaSent - sent).toBe(10);
    // b goes silent without closing its link: every frame from b is lost.
    network.lose((m) => m.from.startsWith('b:'));
    const silent = clock.now();
    await clock.advance(3 * 2_000);
    expect(a.mesh!.node.topology.get('b')).toBeDefined();
    await clock.advance(2_000);
    // 3.5 periods without a refresh: aged out at the first tick past it (the 4th).
    expect(a.mesh!.node.topology.get('b')).toBeUndefined();
    expect(clock.now() - silent).toBe(4 * 2_000);
  });
});

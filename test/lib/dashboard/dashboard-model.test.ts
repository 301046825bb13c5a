import { describe, expect, it } from 'vitest';
import { DashboardModel, type DashboardLimits } from '../../../src/lib/dashboard/dashboard-model.js';
import type { ComponentInfo, TrafficEvent } from '../../../src/lib/wire/frames.js';

const T0 = Date.UTC(2026, 0, 1);
const info = (name: string, state: ComponentInfo['state'] = 'ready'): ComponentInfo => ({ name, address: null, groups: [], state, meta: {}, lastHeartbeat: T0, registeredAt: T0 });
const traffic = (from: string, to: string, extra: Partial<TrafficEvent> = {}): TrafficEvent => ({ at: T0, from, to, kind: 'request', id: 'x', size: 10, path: 'relay', ...extra });
const small: DashboardLimits = { traffic: 5, trafficPerPush: 3, events: 4, ratePoints: 3, bodyChars: 8 };

describe('DashboardModel', () => {
  it('sends only what changed since the last flush, and everything in a snapshot', () => {
    const m = new DashboardModel(T0);
    m.setComponents([info('a'), info('b')]);
    const first = m.flush(T0 + 1000);
    expect(first.full).toBe(false);
    expect(first.components.map((c) => c.name).sort()).toEqual(['a', 'b']);
    m.member('suspect', info('a', 'suspect'), T0 + 1500);
    m.member('leave', info('b'), T0 + 1600);
    const second = m.flush(T0 + 2000);
    expect(second.components).toEqual([info('a', 'suspect')]);
    expect(second.removed).toEqual(['b']);
    expect(second.events.map((e) => `${e.type} ${e.name}`)).toEqual(['suspect a', 'leave b']);
    expect(m.flush(T0 + 3000)).toMatchObject({ components: [], removed: [], events: [] });
    const snap = m.snapshot(T0 + 3000);
    expect(snap).toMatchObject({ full: true, components: [info('a', 'suspect')] });
    expect(snap.rates).toHaveLength(3);
  });

  it.each([
    { events: 0, seconds: 1, network: 0 },
    { events: 10, seconds: 1, network: 10 },
    { events: 10, seconds: 2, network: 5 },
    { events: 3, seconds: 0.5, network: 6 },
  ])('rates: $events messages in $seconds s are $network msgs/s', ({ events, seconds, network }) => {
    const m = new DashboardModel(T0);
    for (let i = 0; i < events; i++) m.traffic(traffic('a', 'b'));
    const point = m.flush(T0 + seconds * 1000).rates[0];
    expect(point.network).toBe(network);
    expect(point.byComponent).toEqual(events === 0 ? {} : { a: network, b: network });
  });

  it('holds bounded rings however much arrives: traffic rows and their bodies, events, rate points, and per push', () => {
    const m = new DashboardModel(T0, small);
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 50; i++) m.traffic(traffic('a', 'b', { body: { n: 'x'.repeat(100) } }));
      const update = m.flush(T0 + (round + 1) * 1000);
      expect(update.traffic).toHaveLength(3);
      expect(update.trafficSkipped).toBe(47);
      expect(update.rates[0].network).toBe(50);
    }
    for (let i = 0; i < 10; i++) m.member('join', info(`c${i}`), T0);
    const snap = m.snapshot(T0 + 9000);
    expect(snap.traffic.map((t) => t.seq)).toEqual([8, 9, 10, 11, 12]);
    expect(snap.events).toHaveLength(4);
    expect(snap.rates).toHaveLength(3);
    expect(m.body(7)).toBeUndefined();
    expect(m.body(12)).toBe(`{"n":"xx… (100 more characters)`);
  });

  it('traffic the server dropped for our tail counts in the network rate and the total, in no row', () => {
    const m = new DashboardModel(T0);
    m.traffic(traffic('a', 'b'));
    m.droppedTraffic(9);
    const u = m.flush(T0 + 1000);
    expect(u).toMatchObject({ trafficDropped: 9, rates: [{ network: 10, byComponent: { a: 1, b: 1 } }] });
    expect(u.traffic).toHaveLength(1);
    expect(m.snapshot(T0 + 1000).trafficDropped).toBe(9);
  });

  it('a topology is pushed when it changed, not each time it is read', () => {
    const m = new DashboardModel(T0);
    const line = { self: 'a', nodes: ['a', 'b'], edges: [['a', 'b']] as [string, string][] };
    m.setTopology(line);
    expect(m.flush(T0 + 1000).topology).toEqual(line);
    m.setTopology({ ...line, nodes: ['a', 'b'] });
    expect(m.flush(T0 + 2000).topology).toBeUndefined();
    m.setTopology({ self: 'a', nodes: ['a'], edges: [] });
    expect(m.flush(T0 + 3000).topology).toEqual({ self: 'a', nodes: ['a'], edges: [] });
    expect(m.snapshot(T0 + 3000).topology).toEqual({ self: 'a', nodes: ['a'], edges: [] });
  });

  it('a body is kept only when the event carried one', () => {
    const m = new DashboardModel(T0);
    m.traffic(traffic('a', 'b'));
    m.traffic(traffic('a', 'b', { body: { ok: true } }));
    expect(m.flush(T0 + 1000).traffic.map((t) => t.hasBody)).toEqual([false, true]);
    expect(m.body(1)).toBeUndefined();
    expect(m.body(2)).toBe('{"ok":true}');
  });

  it('a fresh component list replaces the old one: who is missing from it left', () => {
    const m = new DashboardModel(T0);
    m.setComponents([info('a'), info('b')]);
    m.flush(T0 + 1000);
    m.setComponents([info('b'), info('c')]);
    const u = m.flush(T0 + 2000);
    expect(u.removed).toEqual(['a']);
    expect(u.components.map((c) => c.name).sort()).toEqual(['b', 'c']);
    expect(m.componentCount).toBe(2);
  });
});

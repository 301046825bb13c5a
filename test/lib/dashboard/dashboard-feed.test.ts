import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/lib/clock.js';
import { DashboardFeed, type DashboardSource, type Viewer } from '../../../src/lib/dashboard/dashboard-feed.js';
import type { DashboardUpdate } from '../../../src/lib/dashboard/dashboard-model.js';
import type { TailEvent } from '../../../src/lib/node/subscriptions.js';
import type { ComponentInfo } from '../../../src/lib/wire/frames.js';

const info = (name: string): ComponentInfo => ({ name, address: null, groups: [], state: 'ready', meta: {}, lastHeartbeat: 0, registeredAt: 0 });

/** A network source that counts what the feed asks of it. */
function fakeSource() {
  const calls = { components: 0, tail: 0, untail: 0, bodies: [] as boolean[] };
  let listener: ((e: TailEvent) => void) | undefined;
  const source: DashboardSource = {
    components: async () => (calls.components++, [info('a')]),
    tail: async (options, l) => {
      calls.tail++;
      calls.bodies.push(options.bodies === true);
      listener = l;
      return async () => {
        calls.untail++;
        listener = undefined;
      };
    },
  };
  return { source, calls, emit: (e: TailEvent) => listener?.(e) };
}

function fakeViewer() {
  const got: DashboardUpdate[] = [];
  const viewer: Viewer & { backlogged: boolean } = { backlogged: false, push: (u) => got.push(u) };
  return { viewer, got };
}

const trafficEvent = (i: number): TailEvent => ({ kind: 'traffic', event: { at: i, from: 'a', to: 'b', kind: 'request', id: String(i), size: 1, path: 'relay' } });

describe('DashboardFeed', () => {
  it('costs nothing while no page is open: no tail, no list, no pushes', async () => {
    const clock = new ManualClock();
    const { source, calls } = fakeSource();
    const feed = new DashboardFeed({ source, clock });
    await clock.advance(60_000);
    expect(calls).toEqual({ components: 0, tail: 0, untail: 0, bodies: [] });
    expect(feed.active).toBe(false);
  });

  it('follows while a page is open: a snapshot, then one update per interval however much traffic came', async () => {
    const clock = new ManualClock();
    const { source, calls, emit } = fakeSource();
    const feed = new DashboardFeed({ source, clock, pushIntervalMs: 1000 });
    const { viewer, got } = fakeViewer();
    const close = feed.add(viewer);
    await clock.advance(0);
    expect(calls.tail).toBe(1);
    await clock.advance(1000);
    expect(got.map((u) => u.full)).toEqual([true]);
    expect(got[0].components.map((c) => c.name)).toEqual(['a']);
    for (let i = 0; i < 5000; i++) emit(trafficEvent(i));
    await clock.advance(1000);
    expect(got).toHaveLength(2);
    expect(got[1]).toMatchObject({ full: false, trafficSkipped: 5000 - 100 });
    expect(got[1].rates[0].network).toBe(5000);
    close();
    await clock.advance(0);
    expect(calls.untail).toBe(1);
    const listed = calls.components;
    await clock.advance(60_000);
    expect(got).toHaveLength(2);
    expect(calls.components).toBe(listed);
    expect(feed.active).toBe(false);
  });

  it('reads the server\'s rejection counts at every push (they are in-process), not only at the 5 s list refresh', async () => {
    const clock = new ManualClock();
    const { source } = fakeSource();
    const counts: Record<string, number> = {};
    const feed = new DashboardFeed({ source: { ...source, rejected: () => counts }, clock, pushIntervalMs: 1000, refreshIntervalMs: 5000 });
    const { viewer, got } = fakeViewer();
    feed.add(viewer);
    await clock.advance(1000);
    counts.BAD_MAC = 3;
    await clock.advance(1000);
    expect(got.at(-1)!.rejected).toEqual({ BAD_MAC: 3 });
    await feed.close();
  });

  it('skips a page that does not read, then sends it one snapshot once it drained', async () => {
    const clock = new ManualClock();
    const { source } = fakeSource();
    const feed = new DashboardFeed({ source, clock, pushIntervalMs: 1000 });
    const slow = fakeViewer();
    const fast = fakeViewer();
    feed.add(slow.viewer);
    feed.add(fast.viewer);
    await clock.advance(1000);
    slow.viewer.backlogged = true;
    await clock.advance(3000);
    expect(slow.got).toHaveLength(1);
    expect(fast.got).toHaveLength(4);
    slow.viewer.backlogged = false;
    await clock.advance(1000);
    expect(slow.got.map((u) => u.full)).toEqual([true, true]);
    expect(fast.got.map((u) => u.full)).toEqual([true, false, false, false, false]);
  });

  it('takes the tail again with bodies when a page asks for them, and without when it stops', async () => {
    const clock = new ManualClock();
    const { source, calls } = fakeSource();
    const feed = new DashboardFeed({ source, clock });
    feed.add(fakeViewer().viewer);
    await clock.advance(0);
    feed.setBodies(true);
    feed.setBodies(true);
    feed.setBodies(false);
    await clock.advance(0);
    expect(calls.bodies).toEqual([false, true, false]);
    expect(calls.untail).toBe(2);
  });

  it('forgets the bodies when the last page closes: the next page starts without them, as its checkbox does', async () => {
    const clock = new ManualClock();
    const { source, calls } = fakeSource();
    const feed = new DashboardFeed({ source, clock });
    const close = feed.add(fakeViewer().viewer);
    feed.setBodies(true);
    close();
    await clock.advance(0);
    feed.add(fakeViewer().viewer);
    await clock.advance(0);
    expect(calls.bodies).toEqual([false, true, false]);
  });
});

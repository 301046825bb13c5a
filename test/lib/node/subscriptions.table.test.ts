import { describe, expect, it } from 'vitest';
import { describeSubscription, Subscriptions, type TailEvent } from '../../../src/lib/node/subscriptions.js';
import type { ComponentInfo, DroppedTraffic, LinkChange, Topic, TrafficEvent } from '../../../src/lib/wire/frames.js';

const info: ComponentInfo = { name: 'a', address: null, groups: [], state: 'ready', meta: {}, lastHeartbeat: 0, registeredAt: 0 };

/** One listener inside the node: a watcher, or a tail with its name filter. */
type Listener = { watcher: true } | { tail: string[]; bodies?: boolean };

/** Subscriptions with these listeners; each tail records what reaches it. */
function setUp(listeners: Listener[], memberFeed = false) {
  const subs = new Subscriptions();
  subs.memberFeed = memberFeed;
  const seen: string[][] = listeners.map(() => []);
  const tails: ((e: TailEvent) => void)[] = [];
  listeners.forEach((l, i) => {
    if ('watcher' in l) {
      subs.addWatcher((e) => seen[i].push(`member:${e.type}`));
      return;
    }
    const tail = (e: TailEvent) => seen[i].push(show(e));
    tails.push(tail);
    subs.addTail(tail, l.tail, l.bodies === true);
  });
  return { subs, seen, tails };
}

function show(e: TailEvent): string {
  switch (e.kind) {
    case 'traffic':
      return `traffic:${e.event.from}>${e.event.to}`;
    case 'member':
      return `member:${e.type}`;
    case 'dropped':
      return `dropped:${e.dropped}`;
    case 'link':
      return `link:${e.event.node}-${e.event.peer}`;
  }
}

const traffic = (from: string, to: string): TrafficEvent => ({ at: 1, from, to, kind: 'request', id: 'x.1', size: 3, path: 'relay' });
const link = (node: string, peer: string): LinkChange => ({ at: 1, kind: 'link', node, peer, change: 'up' });
const dropped = (n: number): DroppedTraffic => ({ at: 1, kind: 'dropped', dropped: n });

describe('Subscriptions: what to subscribe to', () => {
  // Listeners, whether the node follows members itself → topics, and the subscribe frame for them.
  const cases: { name: string; listeners: Listener[]; memberFeed?: boolean; topics: Topic[]; names: string[]; bodies?: true }[] = [
    { name: 'nobody listens: nothing', listeners: [], topics: [], names: [] },
    { name: 'the node follows members itself', listeners: [], memberFeed: true, topics: ['members'], names: [] },
    { name: 'a watcher', listeners: [{ watcher: true }], topics: ['members'], names: [] },
    { name: 'a tail of everything', listeners: [{ tail: [] }], topics: ['members', 'traffic'], names: [] },
    { name: 'a tail of two names', listeners: [{ tail: ['b', 'a'] }], topics: ['members', 'traffic'], names: ['b', 'a'] },
    { name: 'tails of names: the union, once each', listeners: [{ tail: ['a', 'b'] }, { tail: ['b', 'c'] }], topics: ['members', 'traffic'], names: ['a', 'b', 'c'] },
    { name: 'one tail of everything makes it everything', listeners: [{ tail: ['a'] }, { tail: [] }], topics: ['members', 'traffic'], names: [] },
    { name: 'bodies when one tail wants them', listeners: [{ tail: ['a'] }, { tail: ['b'], bodies: true }], topics: ['members', 'traffic'], names: ['a', 'b'], bodies: true },
    { name: 'a watcher and a tail', listeners: [{ watcher: true }, { tail: ['a'] }], memberFeed: true, topics: ['members', 'traffic'], names: ['a'] },
  ];
  it.each(cases)('$name', ({ listeners, memberFeed, topics, names, bodies }) => {
    const { subs } = setUp(listeners, memberFeed);
    expect(subs.topics()).toEqual(topics);
    expect(subs.tailing).toBe(topics.includes('traffic'));
    expect(subs.frame(topics)).toEqual({ type: 'subscribe', topics, names, ...(bodies ? { bodies } : {}) });
  });

  // What happens to the listeners → topics and bodies after it.
  const changes: { name: string; listeners: Listener[]; change: (s: ReturnType<typeof setUp>) => void; topics: Topic[]; bodies: boolean }[] = [
    { name: 'the last tail leaves: back to members', listeners: [{ watcher: true }, { tail: ['a'], bodies: true }], change: (s) => s.subs.removeTail(s.tails[0]), topics: ['members'], bodies: false },
    { name: 'one of two tails leaves: still traffic', listeners: [{ tail: ['a'] }, { tail: ['b'] }], change: (s) => s.subs.removeTail(s.tails[0]), topics: ['members', 'traffic'], bodies: false },
    { name: 'removeTails forgets every tail', listeners: [{ tail: ['a'], bodies: true }, { tail: [] }], change: (s) => s.subs.removeTails(), topics: [], bodies: false },
    { name: 'removeTails keeps the watchers', listeners: [{ watcher: true }, { tail: [] }], change: (s) => s.subs.removeTails(), topics: ['members'], bodies: false },
    { name: 'removing a tail never added changes nothing', listeners: [{ tail: ['a'], bodies: true }], change: (s) => s.subs.removeTail(() => {}), topics: ['members', 'traffic'], bodies: true },
  ];
  it.each(changes)('$name', (c) => {
    const s = setUp(c.listeners);
    c.change(s);
    expect(s.subs.topics()).toEqual(c.topics);
    expect((s.subs.frame(s.subs.topics()) as { bodies?: boolean }).bodies === true).toBe(c.bodies);
  });

  it('a watcher unwatched is no reason to follow members any more', () => {
    const subs = new Subscriptions();
    const unwatch = subs.addWatcher(() => {});
    expect(subs.topics()).toEqual(['members']);
    unwatch();
    expect(subs.topics()).toEqual([]);
  });
});

describe('Subscriptions: fan-out', () => {
  // Listeners, one event from the server → what each listener saw.
  const cases: { name: string; listeners: Listener[]; deliver: (s: Subscriptions) => void; seen: string[][] }[] = [
    {
      name: 'a member event reaches every watcher and every tail, whatever its names',
      listeners: [{ watcher: true }, { tail: ['zz'] }, { tail: [] }],
      deliver: (s) => s.member('join', info, 5),
      seen: [['member:join'], ['member:join'], ['member:join']],
    },
    {
      name: 'traffic reaches the tails that name its sender',
      listeners: [{ watcher: true }, { tail: ['a'] }, { tail: ['c'] }, { tail: [] }],
      deliver: (s) => s.traffic(traffic('a', 'b')),
      seen: [[], ['traffic:a>b'], [], ['traffic:a>b']],
    },
    {
      name: 'traffic reaches the tails that name its receiver',
      listeners: [{ tail: ['b'] }, { tail: ['a', 'x'] }],
      deliver: (s) => s.traffic(traffic('x', 'b')),
      seen: [['traffic:x>b'], ['traffic:x>b']],
    },
    {
      name: 'dropped reaches every tail: which of them missed what, nobody can say',
      listeners: [{ watcher: true }, { tail: ['a'] }, { tail: ['b'] }],
      deliver: (s) => s.traffic(dropped(7)),
      seen: [[], ['dropped:7'], ['dropped:7']],
    },
    {
      name: 'a mesh link change reaches the tails that name either end',
      listeners: [{ tail: ['n1'] }, { tail: ['n2'] }, { tail: ['zz'] }, { tail: [] }],
      deliver: (s) => s.traffic(link('n1', 'n2')),
      seen: [['link:n1-n2'], ['link:n1-n2'], [], ['link:n1-n2']],
    },
  ];
  it.each(cases)('$name', ({ listeners, deliver, seen }) => {
    const s = setUp(listeners);
    deliver(s.subs);
    expect(s.seen).toEqual(seen);
  });

  it('a member event carries its time; a removed tail hears nothing more', () => {
    const subs = new Subscriptions();
    const heard: TailEvent[] = [];
    const tail = (e: TailEvent) => heard.push(e);
    subs.addTail(tail, [], false);
    subs.member('leave', info, 42);
    subs.removeTail(tail);
    subs.member('join', info, 43);
    subs.traffic(traffic('a', 'b'));
    expect(heard).toEqual([{ kind: 'member', type: 'leave', component: info, at: 42 }]);
  });
});

describe('describeSubscription', () => {
  it.each([
    [['members'], 'the subscription to membership events'],
    [['members', 'traffic'], 'the subscription to membership and traffic events'],
  ] as [Topic[], string][])('%j: %s', (topics, text) => {
    expect(describeSubscription(topics)).toBe(text);
  });
});

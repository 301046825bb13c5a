/**
 * The Locator's contract as tables: where a name (or `@group`) resolves, from the directory or
 * by asking the server, how membership events and failed calls change that, and which errors
 * it passes on. Its host (the node: ask the server, follow membership) is an interface it
 * takes, so a fake stands in for it: a small registry that answers lookup and list as the
 * server does (lookup: ready entries only).
 */
import { describe, expect, it } from 'vitest';
import { BotzError, ErrorCode, NoSuchComponent, Timeout, Unreachable } from '../../../src/lib/errors.js';
import { Locator, type LocatorHost } from '../../../src/lib/node/locator.js';
import type { ComponentInfo, ComponentState, Frame, MemberEvent } from '../../../src/lib/wire/frames.js';

const DEADLINE = 1_000_000;

function entry(name: string, state: ComponentState = 'ready', groups: string[] = [], address: string | null = null): ComponentInfo {
  return { name, address, groups, state, meta: {}, lastHeartbeat: 0, registeredAt: 0 };
}

/** A frame from the server answering something (its `re` does not matter to the locator). */
const reply = (init: { type: string; [field: string]: unknown }): Frame => ({ v: 1, id: 's.1', from: '$server', re: 'x', ...init }) as unknown as Frame;

interface FakeOptions {
  /** The server's registry. */
  registry?: ComponentInfo[];
  /** False: a one-shot node, which follows no membership events. */
  follows?: boolean;
  /** What asking the server fails with (the link is down, the answer is late...). */
  askFails?: BotzError;
  followFails?: BotzError;
  /** Answers a lookup with this frame instead. */
  lookupAnswer?: Frame;
}

/** A host whose server is a plain list; it records what was asked and the deadlines given. */
function fakeHost(options: FakeOptions = {}) {
  const registry = new Map((options.registry ?? []).map((c) => [c.name, c]));
  const asked: string[] = [];
  const deadlines: number[] = [];
  let follows = 0;
  const host: LocatorHost = {
    name: 'me',
    async ask(init, deadline) {
      asked.push(init.type === 'lookup' ? `lookup ${init.name}` : init.type);
      deadlines.push(deadline);
      await Promise.resolve();
      if (options.askFails) throw options.askFails;
      if (init.type === 'list') return reply({ type: 'components', components: [...registry.values()] });
      if (init.type !== 'lookup') throw new Error(`unexpected ${init.type}`);
      if (options.lookupAnswer) return options.lookupAnswer;
      const found = registry.get(init.name);
      if (found?.state !== 'ready') throw new NoSuchComponent(init.name);
      return reply({ type: 'located', component: found });
    },
    ...(options.follows === false
      ? {}
      : {
          async followMembers(deadline: number) {
            follows++;
            deadlines.push(deadline);
            if (options.followFails) throw options.followFails;
          },
        }),
  };
  const locator = new Locator(host);
  return { locator, registry, asked, deadlines, follows: () => follows };
}

/** What a resolve ends in: `name state` or the error code. */
const outcome = (p: Promise<ComponentInfo>): Promise<string> =>
  p.then(
    (c) => `${c.name} ${c.state}`,
    (e: BotzError) => e.code,
  );

describe('Locator.resolve: a name', () => {
  // Server's registry, directory before, the name → the outcome, what was asked, directory after.
  const cases: {
    name: string;
    server?: FakeOptions;
    cached?: ComponentInfo[];
    target: string;
    result: string;
    asked: string[];
    after: string[];
  }[] = [
    { name: 'unknown, ready at the server: a lookup, then kept', server: { registry: [entry('a')] }, target: 'a', result: 'a ready', asked: ['lookup a'], after: ['a'] },
    { name: 'known ready: from the directory, nothing asked', cached: [entry('a')], target: 'a', result: 'a ready', asked: [], after: ['a'] },
    { name: 'known suspect: still from the directory', cached: [entry('a', 'suspect')], target: 'a', result: 'a suspect', asked: [], after: ['a'] },
    {
      name: 'known but only registered (not ready yet): asks again',
      server: { registry: [entry('a')] },
      cached: [entry('a', 'registered')],
      target: 'a',
      result: 'a ready',
      asked: ['lookup a'],
      after: ['a'],
    },
    { name: 'not registered: NO_SUCH_COMPONENT, nothing kept', target: 'a', result: ErrorCode.NO_SUCH_COMPONENT, asked: ['lookup a'], after: [] },
    { name: 'registered but not ready at the server: NO_SUCH_COMPONENT', server: { registry: [entry('a', 'registered')] }, target: 'a', result: ErrorCode.NO_SUCH_COMPONENT, asked: ['lookup a'], after: [] },
    { name: 'the server link is down: UNREACHABLE passed on', server: { askFails: new Unreachable('down') }, target: 'a', result: ErrorCode.UNREACHABLE, asked: ['lookup a'], after: [] },
    { name: 'the server does not answer in time: TIMEOUT passed on', server: { askFails: new Timeout('late') }, target: 'a', result: ErrorCode.TIMEOUT, asked: ['lookup a'], after: [] },
    {
      name: 'following membership fails: that error, nothing kept',
      server: { registry: [entry('a')], followFails: new BotzError(ErrorCode.CLOSED, 'closed') },
      target: 'a',
      result: ErrorCode.CLOSED,
      asked: ['lookup a'],
      after: [],
    },
    {
      name: 'a lookup answered with another frame: MALFORMED_FRAME',
      server: { lookupAnswer: reply({ type: 'components', components: [] }) },
      target: 'a',
      result: ErrorCode.MALFORMED_FRAME,
      asked: ['lookup a'],
      after: [],
    },
    { name: 'a one-shot node looks up but keeps nothing', server: { registry: [entry('a')], follows: false }, target: 'a', result: 'a ready', asked: ['lookup a'], after: [] },
  ];
  it.each(cases)('$name', async ({ server, cached, target, result, asked, after }) => {
    const fake = fakeHost(server);
    for (const c of cached ?? []) fake.locator.directory.set(c);
    expect(await outcome(fake.locator.resolve(target, DEADLINE))).toBe(result);
    expect(fake.asked).toEqual(asked);
    expect(fake.locator.directory.all().map((c) => c.name)).toEqual(after);
    expect(fake.locator.knows(target)).toBe(after.includes(target));
  });

  it.each([
    // follows membership → lookups for three resolves in a row, subscriptions asked for
    [true, ['lookup a'], 1],
    [false, ['lookup a', 'lookup a', 'lookup a'], 0],
  ])('following members %s: three resolves in a row ask %j', async (follows, asked, subscriptions) => {
    const fake = fakeHost({ registry: [entry('a')], follows });
    for (let i = 0; i < 3; i++) await fake.locator.resolve('a', DEADLINE);
    expect(fake.asked).toEqual(asked);
    expect(fake.follows()).toBe(subscriptions);
  });

  it('passes the caller deadline to the lookup and to the subscription', async () => {
    const fake = fakeHost({ registry: [entry('a', 'ready', ['g'])] });
    await fake.locator.resolve('a', 1234);
    await fake.locator.resolve('@g', 5678);
    expect(fake.deadlines).toEqual([1234, 1234, 5678, 5678]);
  });

  it('concurrent resolves of one unknown name all get its entry, and it is kept once', async () => {
    const fake = fakeHost({ registry: [entry('a')] });
    const results = await Promise.all([1, 2, 3].map(() => outcome(fake.locator.resolve('a', DEADLINE))));
    expect(results).toEqual(['a ready', 'a ready', 'a ready']);
    expect(fake.locator.directory.all().map((c) => c.name)).toEqual(['a']);
    expect(fake.asked.every((a) => a === 'lookup a')).toBe(true);
  });
});

describe('Locator: membership events and failed calls change what it knows', () => {
  // Event the server pushed about "a" (the feed applies it to the directory) → resolve afterwards.
  const cases: { name: string; event: MemberEvent; state: ComponentState; result: string; asked: string[] }[] = [
    { name: 'leave: forgotten, looked up again', event: 'leave', state: 'ready', result: ErrorCode.NO_SUCH_COMPONENT, asked: ['lookup a'] },
    { name: 'join (registered anew): looked up again', event: 'join', state: 'registered', result: ErrorCode.NO_SUCH_COMPONENT, asked: ['lookup a'] },
    { name: 'suspect: the entry, as suspect', event: 'suspect', state: 'suspect', result: 'a suspect', asked: [] },
    { name: 'alive: the entry, ready', event: 'alive', state: 'ready', result: 'a ready', asked: [] },
    { name: 'ready of a name never looked up: known without asking', event: 'ready', state: 'ready', result: 'a ready', asked: [] },
  ];
  it.each(cases)('$name', async ({ event, state, result, asked }) => {
    // The server's registry has no "a" (any lookup fails): what resolves came from the events.
    const fake = fakeHost();
    if (event !== 'ready') fake.locator.directory.set(entry('a'));
    fake.locator.directory.apply(event, entry('a', state));
    expect(await outcome(fake.locator.resolve('a', DEADLINE))).toBe(result);
    expect(fake.asked).toEqual(asked);
  });

  it.each([
    // error of a call to "a" → is "a" forgotten?
    [new NoSuchComponent('a'), true],
    [new Unreachable('down'), true],
    [new Timeout('late'), false],
    [new BotzError(ErrorCode.REMOTE_ERROR, 'handler threw'), false],
    [new BotzError(ErrorCode.TOO_MANY_PENDING, 'busy'), false],
    [new Error('not a botz error'), false],
  ])('a call failing with %s forgets the entry: %s', (error, forgotten) => {
    const fake = fakeHost();
    fake.locator.directory.set(entry('a'));
    fake.locator.directory.set(entry('b'));
    fake.locator.forgetOnFailure('a', error);
    expect(fake.locator.knows('a')).toBe(!forgotten);
    expect(fake.locator.knows('b')).toBe(true);
  });
});

describe('Locator: groups and broadcast receivers', () => {
  const registry = [entry('b1', 'ready', ['g']), entry('b2', 'ready', ['g']), entry('me', 'ready', ['g']), entry('new', 'registered', ['g']), entry('sus', 'suspect', ['g']), entry('x', 'ready', ['h'])];

  it.each([
    // group, picks in a row (after one sync of the whole registry)
    ['g', ['b1', 'b2', 'b1']],
    ['h', ['x', 'x']],
  ])('@%s picks ready members round robin, not itself: %j', async (group, picks) => {
    const fake = fakeHost({ registry });
    const picked = [];
    for (const _ of picks) picked.push((await fake.locator.resolve(`@${group}`, DEADLINE)).name);
    expect(picked).toEqual(picks);
    expect(fake.asked).toEqual(['list']);
  });

  it.each([
    // registry, target → outcome
    [[], '@g'],
    [[entry('a', 'registered', ['g']), entry('b', 'suspect', ['g'])], '@g'],
    [[entry('a', 'ready', ['other'])], '@g'],
  ])('%j: %s is NO_SUCH_COMPONENT naming the group', async (members, target) => {
    const fake = fakeHost({ registry: members });
    await expect(fake.locator.resolve(target, DEADLINE)).rejects.toMatchObject({ code: ErrorCode.NO_SUCH_COMPONENT, details: { name: target, group: 'g' } });
  });

  it('@group falls back to itself when it is the only ready member', async () => {
    const fake = fakeHost({ registry: [entry('me', 'ready', ['g'])] });
    expect((await fake.locator.resolve('@g', DEADLINE)).name).toBe('me');
  });

  it.each([
    // group → receivers (ready and suspect members but itself; not those only registered)
    [undefined, ['b1', 'b2', 'sus', 'x']],
    ['g', ['b1', 'b2', 'sus']],
    ['h', ['x']],
    ['none', []],
  ])('receivers(%s) are %j', async (group, names) => {
    const fake = fakeHost({ registry });
    expect((await fake.locator.receivers(group, DEADLINE)).map((c) => c.name).sort()).toEqual(names);
  });

  // How the copy of the registry is kept: calls in order → what was asked of the server.
  const syncCases: { name: string; follows: boolean; calls: ((l: Locator) => unknown)[]; asked: string[] }[] = [
    { name: 'synced once, then kept by events', follows: true, calls: [(l) => l.receivers('g', DEADLINE), (l) => l.resolve('@g', DEADLINE), (l) => l.receivers(undefined, DEADLINE)], asked: ['list'] },
    { name: 'a synced copy answers names too', follows: true, calls: [(l) => l.receivers(undefined, DEADLINE), (l) => l.resolve('x', DEADLINE)], asked: ['list'] },
    { name: 'reset (the server link came back): synced again', follows: true, calls: [(l) => l.receivers('g', DEADLINE), (l) => l.reset(), (l) => l.receivers('g', DEADLINE)], asked: ['list', 'list'] },
    { name: 'a one-shot node lists every time', follows: false, calls: [(l) => l.receivers('g', DEADLINE), (l) => l.resolve('@g', DEADLINE)], asked: ['list', 'list'] },
  ];
  it.each(syncCases)('$name', async ({ follows, calls, asked }) => {
    const fake = fakeHost({ registry, follows });
    for (const call of calls) await call(fake.locator);
    expect(fake.asked).toEqual(asked);
  });

  it('a member that joins the group after the sync is picked without another list', async () => {
    const fake = fakeHost({ registry: [entry('b1', 'ready', ['g'])] });
    expect((await fake.locator.resolve('@g', DEADLINE)).name).toBe('b1');
    fake.locator.directory.apply('ready', entry('a0', 'ready', ['g']));
    fake.locator.directory.apply('leave', entry('b1', 'ready', ['g']));
    expect((await fake.locator.resolve('@g', DEADLINE)).name).toBe('a0');
    expect(fake.asked).toEqual(['list']);
  });

  it('reset forgets every name it knew', async () => {
    const fake = fakeHost({ registry: [entry('a')] });
    await fake.locator.resolve('a', DEADLINE);
    fake.locator.reset();
    expect(fake.locator.knows('a')).toBe(false);
    await fake.locator.resolve('a', DEADLINE);
    expect(fake.asked).toEqual(['lookup a', 'lookup a']);
  });
});

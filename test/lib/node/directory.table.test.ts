import { describe, expect, it } from 'vitest';
import { Directory } from '../../../src/lib/node/directory.js';
import type { ComponentInfo, ComponentState, MemberEvent } from '../../../src/lib/wire/frames.js';

/** A registry entry; `stamp` tells two versions of one name apart. */
function entry(name: string, state: ComponentState = 'ready', groups: string[] = [], stamp = 0): ComponentInfo {
  return { name, address: null, groups, state, meta: {}, lastHeartbeat: stamp, registeredAt: 0 };
}

/** The directory's content as `name:state@stamp`, sorted. */
function contents(directory: Directory, group?: string): string[] {
  return directory
    .all(group)
    .map((c) => `${c.name}:${c.state}@${c.lastHeartbeat}`)
    .sort();
}

function filled(...entries: ComponentInfo[]): Directory {
  const directory = new Directory();
  for (const e of entries) directory.set(e);
  return directory;
}

describe('Directory: what it holds', () => {
  // Given entries, one operation, then what all() holds.
  const cases: { name: string; given: ComponentInfo[]; op: (d: Directory) => void; holds: string[] }[] = [
    { name: 'set adds a name', given: [], op: (d) => d.set(entry('a')), holds: ['a:ready@0'] },
    { name: 'set replaces the entry of a known name', given: [entry('a', 'ready', [], 1)], op: (d) => d.set(entry('a', 'suspect', [], 2)), holds: ['a:suspect@2'] },
    { name: 'forget deletes one name', given: [entry('a'), entry('b')], op: (d) => d.forget('a'), holds: ['b:ready@0'] },
    { name: 'forget of an unknown name changes nothing', given: [entry('a')], op: (d) => d.forget('zz'), holds: ['a:ready@0'] },
    { name: 'clear empties it', given: [entry('a'), entry('b')], op: (d) => d.clear(), holds: [] },
    {
      name: 'replaceAll drops what the list lacks and takes what it has',
      given: [entry('a', 'ready', [], 1), entry('b')],
      op: (d) => d.replaceAll([entry('a', 'suspect', [], 2), entry('c')]),
      holds: ['a:suspect@2', 'c:ready@0'],
    },
    { name: 'replaceAll with an empty list empties it', given: [entry('a')], op: (d) => d.replaceAll([]), holds: [] },
  ];
  it.each(cases)('$name', ({ given, op, holds }) => {
    const directory = filled(...given);
    op(directory);
    expect(contents(directory)).toEqual(holds);
  });

  it.each([
    // group asked for, entries' groups, names all(group) returns
    [undefined, { a: ['x'], b: [], c: ['x', 'y'] }, ['a', 'b', 'c']],
    ['x', { a: ['x'], b: [], c: ['x', 'y'] }, ['a', 'c']],
    ['y', { a: ['x'], b: [], c: ['x', 'y'] }, ['c']],
    ['z', { a: ['x'], b: [], c: ['x', 'y'] }, []],
  ] as const)('all(%s) of %j is %j', (group, groups, names) => {
    const directory = filled(...Object.entries(groups).map(([name, g]) => entry(name, 'ready', [...g])));
    expect(directory.all(group).map((c) => c.name).sort()).toEqual(names);
  });

  it.each([
    ['a', 'ready'],
    ['zz', undefined],
  ])('get(%s) has state %s', (name, state) => {
    expect(filled(entry('a')).get(name)?.state).toBe(state);
  });
});

describe('Directory: membership events', () => {
  // Event, whether the name was known before, what the directory holds after it.
  const cases: [MemberEvent, boolean, string[]][] = [
    ['join', false, ['a:registered@2']],
    ['join', true, ['a:registered@2']],
    ['ready', false, ['a:ready@2']],
    ['ready', true, ['a:ready@2']],
    ['suspect', true, ['a:suspect@2']],
    ['alive', true, ['a:ready@2']],
    ['alive', false, ['a:ready@2']],
    ['leave', true, []],
    ['leave', false, []],
  ];
  const stateAfter: Record<MemberEvent, ComponentState> = { join: 'registered', ready: 'ready', suspect: 'suspect', alive: 'ready', leave: 'ready' };

  it.each(cases)('%s (known before: %s) leaves %j', (event, known, holds) => {
    const directory = known ? filled(entry('a', 'ready', [], 1)) : new Directory();
    directory.apply(event, entry('a', stateAfter[event], [], 2));
    expect(contents(directory)).toEqual(holds);
  });

  it('an event about one name leaves the others alone', () => {
    const directory = filled(entry('a', 'ready', [], 1), entry('b', 'ready', [], 1));
    directory.apply('leave', entry('a'));
    directory.apply('suspect', entry('c', 'suspect', [], 3));
    expect(contents(directory)).toEqual(['b:ready@1', 'c:suspect@3']);
  });
});

describe('Directory: pick (round robin within a group)', () => {
  const g = ['g'];
  // Members offered, self, how many picks, the names picked in order.
  const cases: { name: string; members: ComponentInfo[]; self?: string; picks: number; expected: (string | undefined)[] }[] = [
    { name: 'nobody: nothing', members: [], picks: 1, expected: [undefined] },
    { name: 'only members not ready: nothing', members: [entry('a', 'registered', g), entry('b', 'suspect', g)], picks: 2, expected: [undefined, undefined] },
    { name: 'one ready member, every time', members: [entry('a', 'ready', g)], picks: 3, expected: ['a', 'a', 'a'] },
    {
      name: 'in name order whatever the order given, wrapping round',
      members: [entry('c', 'ready', g), entry('a', 'ready', g), entry('b', 'ready', g)],
      picks: 4,
      expected: ['a', 'b', 'c', 'a'],
    },
    {
      name: 'skips members not ready',
      members: [entry('a', 'ready', g), entry('b', 'suspect', g), entry('c', 'ready', g)],
      picks: 3,
      expected: ['a', 'c', 'a'],
    },
    {
      name: 'skips members of other groups, even when offered',
      members: [entry('a', 'ready', ['other']), entry('b', 'ready', g)],
      picks: 2,
      expected: ['b', 'b'],
    },
    { name: 'prefers others to self', members: [entry('a', 'ready', g), entry('me', 'ready', g)], self: 'me', picks: 3, expected: ['a', 'a', 'a'] },
    { name: 'self when nobody else is ready', members: [entry('a', 'suspect', g), entry('me', 'ready', g)], self: 'me', picks: 2, expected: ['me', 'me'] },
  ];
  it.each(cases)('$name', ({ members, self, picks, expected }) => {
    const directory = new Directory();
    const picked = Array.from({ length: picks }, () => directory.pick('g', members, self)?.name);
    expect(picked).toEqual(expected);
  });

  it('keeps one turn per group: picks in one do not move the other', () => {
    const directory = new Directory();
    const members = [entry('a', 'ready', ['x', 'y']), entry('b', 'ready', ['x', 'y'])];
    const picked = ['x', 'x', 'y', 'x', 'y'].map((group) => directory.pick(group, members)?.name);
    expect(picked).toEqual(['a', 'b', 'a', 'a', 'b']);
  });
});

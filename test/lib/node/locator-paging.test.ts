/**
 * The Locator's full copy of the registry from a paged listing (issue 16): every page is
 * walked, and membership events that arrive between pages win over the pages (a page may
 * predate them). Its host is a fake server that pages as the real one does (listPage).
 */
import { describe, expect, it } from 'vitest';
import { Locator, type LocatorHost } from '../../../src/lib/node/locator.js';
import { MAX_EVENTS_DURING_SYNC } from '../../../src/lib/node/directory.js';
import { listPage } from '../../../src/lib/wire/list-paging.js';
import type { ComponentInfo, Frame, MemberEvent } from '../../../src/lib/wire/frames.js';

const DEADLINE = 1_000_000;
const entry = (name: string, groups: string[] = ['g']): ComponentInfo => ({ name, address: null, groups, state: 'ready', meta: {}, lastHeartbeat: 0, registeredAt: 0 });
const reply = (init: Record<string, unknown>): Frame => ({ v: 1, id: 's.1', from: '$server', re: 'x', ...init }) as unknown as Frame;

/** A server of `names` that pages `perPage` at a time; `betweenPages(n)` runs after page n is answered. */
function pagingHost(names: string[], perPage: number, betweenPages: (page: number, locator: Locator) => void = () => {}) {
  const registry = new Map(names.map((n) => [n, entry(n)]));
  let pages = 0;
  const host: LocatorHost & { locator?: Locator } = {
    name: 'me',
    async ask(init) {
      await Promise.resolve();
      if (init.type !== 'list') throw new Error(`unexpected ${init.type}`);
      const page = listPage([...registry.values()], init.cursor, Math.min(init.limit ?? Infinity, perPage));
      betweenPages(++pages, host.locator!);
      return reply({ type: 'components', ...page });
    },
    async followMembers() {},
  };
  const locator = new Locator(host);
  host.locator = locator;
  return { locator, registry, pages: () => pages };
}

const event = (locator: Locator, e: MemberEvent, name: string) => locator.directory.apply(e, entry(name));

describe('a paged sync of the directory', () => {
  it('walks every page: a broadcast reaches all 25 over 5 pages', async () => {
    const names = Array.from({ length: 25 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    const { locator, pages } = pagingHost(names, 5);
    expect((await locator.receivers(undefined, DEADLINE)).map((c) => c.name).sort()).toEqual(names);
    expect(pages()).toBe(5);
  });

  it('events that arrive between pages win over the pages', async () => {
    const { locator, registry } = pagingHost(['a', 'b', 'c', 'd', 'e', 'f'], 2, (page, l) => {
      if (page !== 1) return;
      // The server changed after page 1 (a, b): its events arrive before page 2.
      registry.delete('a');
      event(l, 'leave', 'a');
      registry.set('aa', entry('aa'));
      event(l, 'join', 'aa'); // behind the cursor: no page will list it
      registry.delete('e');
      event(l, 'leave', 'e'); // ahead of it: no page will list it either
    });
    expect((await locator.receivers(undefined, DEADLINE)).map((c) => c.name).sort()).toEqual(['aa', 'b', 'c', 'd', 'f']);
  });

  it('a group send resolves a member that only a later page lists', async () => {
    const { locator } = pagingHost(['a', 'b', 'c', 'z-worker'], 1);
    expect((await locator.resolve('@g', DEADLINE)).name).toBe('a');
    expect(locator.directory.all().map((c) => c.name)).toContain('z-worker');
  });

  it('a flood of events during a sync is not kept past the cap: the copy is not trusted, the next call syncs again', async () => {
    const { locator, pages } = pagingHost(['a', 'b'], 1, (page, l) => {
      if (page === 1) for (let i = 0; i <= MAX_EVENTS_DURING_SYNC; i++) event(l, 'alive', 'a');
    });
    await locator.receivers(undefined, DEADLINE);
    expect(pages()).toBe(2);
    await locator.receivers(undefined, DEADLINE);
    expect(pages()).toBe(4);
  });
});

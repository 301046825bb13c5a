/**
 * Paged listing (issue 16): the server's page of a registry after a cursor, bounded by count and
 * bytes, and the client's walk over the pages, against a registry that changes between pages.
 */
import { describe, expect, it } from 'vitest';
import { BotzError, ErrorCode, type ComponentInfo } from '../../../src/index.js';
import type { Frame, FrameInit } from '../../../src/lib/wire/frames.js';
import { listAll, listAnswer, listPage, MAX_LIST_PAGE } from '../../../src/lib/wire/list-paging.js';
import { validateFrame } from '../../../src/lib/wire/validate.js';

const info = (name: string, meta: Record<string, string> = {}): ComponentInfo => ({ name, address: null, groups: [], meta, state: 'ready', lastHeartbeat: 0, registeredAt: 0 });
const names = (list: ComponentInfo[]) => list.map((c) => c.name);

/** A server's answers to `list` frames over a registry the test can change between pages. */
function fakeServer(registry: Map<string, ComponentInfo>) {
  const asked: FrameInit[] = [];
  const ask = async (init: FrameInit): Promise<Frame> => {
    asked.push(init);
    if (init.type !== 'list') throw new Error('not a list');
    const page = listPage([...registry.values()], init.cursor, init.limit ?? Infinity);
    return { v: 1, id: String(asked.length), from: 'server', type: 'components', re: 'x', ...page } as Frame;
  };
  return { ask, asked };
}

describe('listPage', () => {
  const all = ['d', 'a', 'c', 'b', 'e'].map((n) => info(n));

  it('gives the entries after the cursor in name order, with the next cursor while more remain', () => {
    expect(listPage(all, undefined, 2)).toEqual({ components: [info('a'), info('b')], next: 'b' });
    expect(listPage(all, 'b', 2)).toEqual({ components: [info('c'), info('d')], next: 'd' });
    expect(listPage(all, 'd', 2)).toEqual({ components: [info('e')] });
    expect(listPage(all, 'e', 2)).toEqual({ components: [] });
  });

  it('a cursor that names nobody still pages from where it falls', () => {
    expect(listPage(all, 'bb', 10)).toEqual({ components: [info('c'), info('d'), info('e')] });
  });

  it('clamps the limit, and ends a page before it passes the byte budget (at least one entry)', () => {
    const many = Array.from({ length: MAX_LIST_PAGE + 5 }, (_, i) => info(`n${String(i).padStart(5, '0')}`));
    expect(listPage(many, undefined, 1e9, Infinity).components).toHaveLength(MAX_LIST_PAGE);
    const big = ['a', 'b', 'c'].map((n) => info(n, { blob: 'x'.repeat(600) }));
    const page = listPage(big, undefined, 10, 1000);
    expect(names(page.components)).toEqual(['a']);
    expect(page.next).toBe('a');
    expect(names(listPage(big, undefined, 10, 1500).components)).toEqual(['a', 'b']);
  });
});

describe('listAll', () => {
  it('walks every page: 2,500 components in pages of at most MAX_LIST_PAGE', async () => {
    const registry = new Map(Array.from({ length: 2_500 }, (_, i) => [`c${i}`, info(`c${i}`)]));
    const { ask, asked } = fakeServer(registry);
    const { components: list } = await listAll(ask, undefined);
    expect(new Set(names(list)).size).toBe(2_500);
    expect(list).toHaveLength(2_500);
    expect(asked).toHaveLength(3);
    expect(asked[1]).toMatchObject({ type: 'list', limit: MAX_LIST_PAGE, cursor: expect.any(String) });
  });

  it('a component present throughout is listed exactly once however the registry changes between pages', async () => {
    const registry = new Map(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => [n, info(n)]));
    const { ask: inner } = fakeServer(registry);
    let pages = 0;
    const ask = async (init: FrameInit) => {
      const reply = await inner(init);
      if (++pages === 1) {
        registry.delete('a'); // already listed
        registry.delete('e'); // not yet listed: gone
        registry.set('aa', info('aa')); // joins behind the cursor: not listed this time
        registry.set('ee', info('ee')); // joins ahead of it: listed
      }
      return reply;
    };
    expect(names((await listAll(ask, undefined, 2)).components)).toEqual(['a', 'b', 'c', 'd', 'ee', 'f']);
  });

  it('passes the group on every page', async () => {
    const { ask, asked } = fakeServer(new Map(['a', 'b', 'c'].map((n) => [n, info(n)])));
    await listAll(ask, 'workers', 1);
    expect(asked.map((f) => (f.type === 'list' ? f.group : undefined))).toEqual(['workers', 'workers', 'workers']);
  });

  it('a server whose cursor does not move forward fails the listing instead of looping', async () => {
    const ask = async (): Promise<Frame> => ({ v: 1, id: '1', from: 's', type: 'components', re: 'x', components: [info('a')], next: 'a' }) as Frame;
    const error = await listAll(ask, undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BotzError);
    expect((error as BotzError).code).toBe(ErrorCode.MALFORMED_FRAME);
  });

  it('says the store is down when a page says so (issue 16: the list is the server\'s last view)', async () => {
    let page = 0;
    const ask = async (): Promise<Frame> =>
      (++page === 1
        ? { v: 1, id: '1', from: 's', type: 'components', re: 'x', components: [info('a')], next: 'a' }
        : { v: 1, id: '2', from: 's', type: 'components', re: 'x', components: [info('b')], storeDown: 'redis://127.0.0.1:1' }) as Frame;
    expect(await listAll(ask, undefined)).toEqual({ components: [info('a'), info('b')], storeDown: 'redis://127.0.0.1:1' });
  });

  it('a server that does not page (everything at once, no next) is one round trip', async () => {
    const ask = async (): Promise<Frame> => ({ v: 1, id: '1', from: 's', type: 'components', re: 'x', components: [info('a'), info('b')] }) as Frame;
    expect(names((await listAll(ask, undefined)).components)).toEqual(['a', 'b']);
  });
});

describe('the frames', () => {
  const stamp = { v: 1, id: '1', from: 'c' };
  it('list takes a positive limit and a bounded cursor; components an optional next', () => {
    expect(() => validateFrame({ ...stamp, type: 'list', limit: 10, cursor: 'x' })).not.toThrow();
    expect(() => validateFrame({ ...stamp, type: 'list', limit: 0 })).toThrow(/limit/);
    expect(() => validateFrame({ ...stamp, type: 'list', cursor: 'x'.repeat(5000) })).toThrow(/cursor/);
    expect(() => validateFrame({ ...stamp, type: 'components', re: '1', components: [], next: 7 })).toThrow(/next/);
  });
});

describe('listAnswer (the server)', () => {
  const all = Array.from({ length: 300 }, (_, i) => info(`n${String(i).padStart(3, '0')}`, { blob: 'x'.repeat(100) }));
  const list = (fields: Record<string, unknown>) => ({ v: 1, id: 'q', from: 'c', type: 'list', ...fields }) as Frame & { type: 'list' };

  it('without limit: everything in one answer, as before paging', () => {
    expect(listAnswer(list({}), all, 1 << 20)).toEqual({ type: 'components', re: 'q', components: all });
  });

  it('with limit: a page that takes at most half the packet limit', () => {
    const page = listAnswer(list({ limit: 1000 }), all, 8_192);
    expect(page.type === 'components' && JSON.stringify(page.components).length).toBeLessThanOrEqual(4_096);
    expect(page).toMatchObject({ type: 'components', re: 'q', next: expect.any(String) });
  });
});

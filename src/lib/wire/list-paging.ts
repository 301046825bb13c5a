/**
 * Paged listing (issue 16): `list {group?, limit?, cursor?}` → `components {components, next?}`.
 * A network of tens of thousands of components does not fit one packet, so a client asks for
 * pages and follows `next`. The cursor is opaque to clients; this implementation's is the last
 * name of the page (keyset paging): the server keeps nothing between pages, and a component
 * registered throughout the listing appears exactly once however the registry changes meanwhile.
 */
import type { ComponentInfo, Frame, FrameInit, FrameOf } from './frames.js';
import { BotzError, ErrorCode } from '../errors.js';

/** The most components one page carries, whatever `limit` a client asks. */
export const MAX_LIST_PAGE = 1000;
/**
 * The most bytes of entries (their JSON) one page carries: a page ends at the first entry that
 * would pass it. Kept near the 64 KiB batches (PROTOCOL.md §10) because a receiver decodes a
 * payload as one string and V8 pays far more per byte for strings of 128 KiB or more.
 */
export const MAX_LIST_PAGE_BYTES = 96 * 1024;
/** The longest cursor a server takes (a name is at most 255 bytes; room for other encodings). */
export const MAX_LIST_CURSOR_CHARS = 1024;

/** A whole listing, and the store its server could not reach while answering, if any (issue 16). */
export interface Listing {
  components: ComponentInfo[];
  storeDown?: string;
}

/** One page of a listing: entries after `cursor`, in the server's order, and the cursor of the next page if any. */
export interface ListPage {
  components: ComponentInfo[];
  next?: string;
}

/**
 * The page of `all` after `cursor` (absent: from the start), at most `limit` entries (clamped to
 * MAX_LIST_PAGE) and `maxBytes` of JSON; at least one entry when any remain. Pure.
 */
export function listPage(all: readonly ComponentInfo[], cursor: string | undefined, limit: number, maxBytes = MAX_LIST_PAGE_BYTES): ListPage {
  const max = Math.max(1, Math.min(limit, MAX_LIST_PAGE));
  const rest = (cursor === undefined ? [...all] : all.filter((c) => c.name > cursor)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const components: ComponentInfo[] = [];
  let bytes = 0;
  for (const c of rest) {
    if (components.length === max) break;
    const size = JSON.stringify(c).length;
    if (components.length > 0 && bytes + size > maxBytes) break;
    components.push(c);
    bytes += size;
  }
  return components.length < rest.length ? { components, next: components[components.length - 1].name } : { components };
}

/** How a client asks its server, for `listAll`. */
export type Ask = (init: FrameInit, describe: string) => Promise<Frame>;

/**
 * Every component (of `group`), page by page. Each page must move the cursor forward: a
 * server that repeats itself fails the listing (MALFORMED_FRAME) instead of looping forever.
 * A server that does not page answers the first `list` with everything and no `next`.
 */
export async function listAll(ask: Ask, group: string | undefined, pageSize = MAX_LIST_PAGE): Promise<Listing> {
  const all: ComponentInfo[] = [];
  let storeDown: string | undefined;
  let cursor: string | undefined;
  for (;;) {
    const init: FrameInit = { type: 'list', limit: pageSize, ...(group === undefined ? {} : { group }), ...(cursor === undefined ? {} : { cursor }) };
    const reply = await ask(init, 'the component list');
    if (reply.type !== 'components') throw new BotzError(ErrorCode.MALFORMED_FRAME, `unexpected ${reply.type} to a list`);
    all.push(...reply.components);
    storeDown ??= reply.storeDown;
    if (reply.next === undefined) return storeDown === undefined ? { components: all } : { components: all, storeDown };
    if (cursor !== undefined && reply.next <= cursor) {
      throw new BotzError(ErrorCode.MALFORMED_FRAME, `the server's list went back (cursor ${JSON.stringify(reply.next)} after ${JSON.stringify(cursor)})`);
    }
    cursor = reply.next;
  }
}

/**
 * The server's answer to `list`: with `limit`, one page of `all` whose entries take at most
 * half the packet limit (and MAX_LIST_PAGE_BYTES); without, everything at once as before paging,
 * which fails FRAME_TOO_LARGE when it does not fit one packet. `storeDown`: the shared store
 * this server cannot reach, said on every page.
 */
export function listAnswer(request: FrameOf<'list'>, all: readonly ComponentInfo[], maxPacketBytes: number, storeDown?: string): FrameInit {
  const down = storeDown === undefined ? {} : { storeDown };
  if (request.limit === undefined) return { type: 'components', re: request.id, components: [...all], ...down };
  return { type: 'components', re: request.id, ...listPage(all, request.cursor, request.limit, Math.min(MAX_LIST_PAGE_BYTES, Math.floor(maxPacketBytes / 2))), ...down };
}

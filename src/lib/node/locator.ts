/**
 * Where a target lives, for a node's calls: the registry's entry of a name or of one member of
 * a group. (Which link then reaches it is the router's business: router.ts.)
 *
 * A name resolves through the directory: a lookup on first use, then kept current by the
 * membership events the server pushes (a one-shot client follows none: it looks up what it
 * needs). `@group` picks one ready member, round robin, from a full copy of the registry
 * (synced once, then kept by the same events) or, without events, from a fresh list.
 */
import { BotzError, ErrorCode, NoSuchComponent, isBotzError } from '../errors.js';
import type { ComponentInfo, FrameInit, Frame } from '../wire/frames.js';
import { Directory } from './directory.js';
import { listAll, type Ask } from '../wire/list-paging.js';

/** What the locator needs of its node: asking the server, and following its events. */
export interface LocatorHost {
  readonly name: string;
  /** Asks the server (lookup, list) and waits for the answer, until `deadline`. */
  ask(init: FrameInit, deadline: number, describe: string): Promise<Frame>;
  /** Subscribes to membership events (once): they keep the directory current. Absent: the node follows none. */
  followMembers?(deadline: number): Promise<void>;
}

export class Locator {
  readonly directory = new Directory();
  /** True once the directory holds the whole registry, not only the names looked up. */
  private synced = false;
  private syncing: Promise<void> | undefined;

  constructor(private readonly host: LocatorHost) {}

  /** After the server link came back: what we knew may have changed while it was down. */
  reset(): void {
    this.directory.clear();
    this.synced = false;
  }

  /** Every ready component (of `group`) but ourselves: who a broadcast goes to. */
  async receivers(group: string | undefined, deadline: number): Promise<ComponentInfo[]> {
    await this.syncAll(deadline);
    return this.directory.all(group).filter((c) => c.name !== this.host.name && c.state !== 'registered');
  }

  /** Where a name (or `@group`) lives right now. Throws NO_SUCH_COMPONENT. */
  async resolve(target: string, deadline: number): Promise<ComponentInfo> {
    if (target.startsWith('@')) {
      const group = target.slice(1);
      await this.syncAll(deadline);
      const pick = this.directory.pick(group, this.directory.all(group), this.host.name);
      if (!pick) throw new NoSuchComponent(target, { details: { group } });
      return pick;
    }
    const known = this.directory.get(target);
    if (known && known.state !== 'registered') return known;
    // Subscribe and look up together: independent requests travel in one packet.
    const [, reply] = await Promise.all([
      this.host.followMembers?.(deadline),
      this.host.ask({ type: 'lookup', name: target }, deadline, `the lookup of "${target}"`),
    ]);
    if (reply.type !== 'located') throw new BotzError(ErrorCode.MALFORMED_FRAME, `unexpected ${reply.type} to a lookup`);
    // Without membership events the entry could go stale: a one-shot keeps none.
    if (this.host.followMembers) this.directory.set(reply.component);
    return reply.component;
  }

  /** True when the directory holds an entry for `name` (a lookup would not be needed). */
  knows(name: string): boolean {
    return this.directory.get(name) !== undefined;
  }

  /** A call to `name` failed in a way that says our entry is wrong: look it up afresh next time. */
  forgetOnFailure(name: string, error: unknown): void {
    if (isBotzError(error) && (error.code === ErrorCode.NO_SUCH_COMPONENT || error.code === ErrorCode.UNREACHABLE)) {
      this.directory.forget(name);
    }
  }

  /**
   * Makes the directory a full, live copy of the registry (the list once, then membership
   * events), so broadcasts and group sends need no round trip to the server.
   */
  private async syncAll(deadline: number): Promise<void> {
    if (this.synced) return;
    // One sync at a time: the events kept for the replay belong to it.
    this.syncing ??= this.syncPages(deadline).finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async syncPages(deadline: number): Promise<void> {
    // Subscribed first: an event the server sends after a page reaches us after it, in order;
    // the listing comes in pages (list-paging.ts), so the events that arrive meanwhile are
    // replayed over it. The subscription and the first page go in one packet.
    this.directory.beginSync();
    let list: ComponentInfo[] | undefined;
    try {
      const ask: Ask = (init, describe) => this.host.ask(init, deadline, describe);
      [, { components: list }] = await Promise.all([this.host.followMembers?.(deadline), listAll(ask, undefined)]);
    } finally {
      // A failed listing ends the sync too, leaving the directory as the events made it.
      list = this.directory.finishSync(list ?? this.directory.all()) ? list : undefined;
    }
    const complete = list !== undefined;
    // Without membership events the copy is good for this call only.
    this.synced = complete && this.host.followMembers !== undefined;
  }
}

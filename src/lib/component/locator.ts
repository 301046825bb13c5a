/**
 * Where a target lives and which link reaches it, for a Client's calls.
 *
 * A name resolves through the directory: a lookup on first use, then kept current by the
 * membership events the server pushes. `@group` picks one ready member, round robin, from a full
 * copy of the registry (synced once, then kept by the same events). A target with an address is
 * reached over a direct, reused link; one without, or one we cannot dial, through the server's
 * relay. Both are authenticated end to end.
 */
import type { Channel } from '../channel/channel.js';
import { BotzError, ErrorCode, NoSuchComponent, isBotzError } from '../errors.js';
import type { ServerLink } from '../registry/server-link.js';
import type { ComponentInfo } from '../wire/frames.js';
import { Directory } from './directory.js';
import type { PeerPool } from './peer-pool.js';

/** What the locator needs from its Client. */
export interface LocatorHost {
  readonly name: string;
  /** The link to the server (there once the Client connected). */
  serverLink(): ServerLink;
  /** Subscribes to membership events (once): they keep the directory current. */
  followMembers(deadline: number): Promise<void>;
  /** The registry's list, fresh from the server. */
  list(deadline: number): Promise<ComponentInfo[]>;
}

export type CallPath = 'direct' | 'relay';

export class Locator {
  readonly directory = new Directory();
  /** True once the directory holds the whole registry, not only the names looked up. */
  private synced = false;

  constructor(
    private readonly host: LocatorHost,
    private readonly peers: PeerPool,
    private readonly connectTimeoutMs: number,
  ) {}

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
    await this.host.followMembers(deadline);
    const ch = await this.host.serverLink().ready(deadline);
    const reply = await ch.request({ type: 'lookup', name: target }, { timeoutMs: remaining(deadline), describe: `the lookup of "${target}"` });
    if (reply.type !== 'located') throw new BotzError(ErrorCode.MALFORMED_FRAME, `unexpected ${reply.type} to a lookup`);
    this.directory.set(reply.component);
    return reply.component;
  }

  /** The link that reaches `info`: a direct one if it has an address we can dial, else the relay. */
  async route(info: ComponentInfo, deadline: number): Promise<{ channel: Channel; path: CallPath }> {
    if (info.address && !this.peers.recentlyFailed(info.name)) {
      try {
        const dialTimeout = Math.min(remaining(deadline), this.connectTimeoutMs);
        return { channel: await this.peers.get(info.name, info.address, dialTimeout), path: 'direct' };
      } catch (error) {
        // Cannot dial it (NAT, firewall, stale address): the server can still reach it.
        if (Date.now() >= deadline) throw error;
      }
    }
    return { channel: await this.host.serverLink().ready(deadline), path: 'relay' };
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
    // Subscribe first: an event the server sends after the list reaches us after it, in order.
    await this.host.followMembers(deadline);
    this.directory.replaceAll(await this.host.list(deadline));
    this.synced = true;
  }
}

/** Milliseconds left until `deadline`, at least 1 (a timer of 0 would not mean "no time left"). */
export function remaining(deadline: number): number {
  return Math.max(1, deadline - Date.now());
}

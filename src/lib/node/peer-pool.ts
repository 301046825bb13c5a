/**
 * Direct links to other components, one per peer name, reused for every message. Concurrent
 * senders to a peer share one dial. Closed links drop out of the pool by themselves.
 *
 * Only links we dialed are routes. A link a peer dialed to us is kept apart (`accepted`): its
 * hello names the dialer, but with a shared secret that name is only a claim (any holder may
 * dial us as anyone), so traffic we send to that name never takes it. Frames that arrive on it
 * are answered on it: the dialer asked. Two components that talk both ways therefore hold two
 * sockets, one dialed by each.
 */
import { Channel, type ChannelHandlers } from '../channel/channel.js';
import type { BotzError } from '../errors.js';
import type { NodeContext } from '../channel/node-context.js';
import type { Transport } from '../transport/transport.js';
import type { LinkRole } from '../wire/frames.js';

/** How long after a failed dial we go straight to the relay instead of dialing again. */
export const DIAL_FAILURE_MEMORY_MS = 5_000;

export class PeerPool {
  private readonly links = new Map<string, Promise<Channel>>();
  /** The same links once established, for callers that must not wait a microtask. */
  private readonly ready = new Map<string, Channel>();
  private readonly dialFailedAt = new Map<string, number>();
  /** Open links peers dialed to us: never routes, but closeAll closes them too, or a stopped component would go on answering. */
  readonly accepted = new Set<Channel>();

  constructor(
    private readonly ctx: NodeContext,
    private readonly transport: Transport,
    private readonly role: LinkRole,
    private readonly handlers: ChannelHandlers,
  ) {}

  /** The open link to `name` at `address`, dialing if needed. Rejects (UNREACHABLE...) if it cannot. */
  get(name: string, address: string, timeoutMs: number): Promise<Channel> {
    const existing = this.links.get(name);
    if (existing) return existing;
    const dial = Channel.connect(this.ctx, this.transport, address, {
      expect: name,
      role: this.role,
      timeoutMs,
      handlers: { ...this.handlers, onClose: (ch, e) => this.closed(name, ch, e) },
    }).then(({ channel }) => {
      if (this.links.get(name) === dial && !channel.link.closed) this.ready.set(name, channel);
      return channel;
    });
    this.links.set(name, dial);
    dial.catch(() => {
      if (this.links.get(name) === dial) this.links.delete(name);
      this.rememberFailure(name);
    });
    return dial;
  }

  /** The established, open link to `name`, if there is one right now. */
  open(name: string): Channel | undefined {
    const ch = this.ready.get(name);
    return ch && !ch.link.closed ? ch : undefined;
  }

  /** Failed dials still remembered (for tests of the bound). */
  get failuresRemembered(): number {
    return this.dialFailedAt.size;
  }

  /**
   * Oldest first (a name failing again moves to the end): what expired goes, so the map holds
   * only the last few seconds' failures however many names a peer makes us dial.
   */
  private rememberFailure(name: string): void {
    const now = this.ctx.clock.now();
    this.dialFailedAt.delete(name);
    this.dialFailedAt.set(name, now);
    for (const [old, at] of this.dialFailedAt) {
      if (now - at < DIAL_FAILURE_MEMORY_MS) break;
      this.dialFailedAt.delete(old);
    }
  }

  /** True when a dial to `name` failed recently: use the relay instead. */
  recentlyFailed(name: string): boolean {
    const at = this.dialFailedAt.get(name);
    if (at === undefined) return false;
    if (this.ctx.clock.now() - at < DIAL_FAILURE_MEMORY_MS) return true;
    this.dialFailedAt.delete(name);
    return false;
  }

  /**
   * Keeps a link a peer dialed to us until it closes, only so that closeAll closes it: it is
   * never a route (see the top of this file), and its closing is no path of ours going down.
   */
  accept(channel: Channel): void {
    if (channel.link.closed) return;
    this.accepted.add(channel);
  }

  /** A link a peer dialed to us closed. */
  acceptedClosed(channel: Channel): void {
    this.accepted.delete(channel);
  }

  /** Drops the link to `name` (after it misbehaved or its address changed). */
  drop(name: string): void {
    const link = this.links.get(name);
    this.links.delete(name);
    this.ready.delete(name);
    link?.then((ch) => ch.close()).catch(() => {});
  }

  /** Every open link to a peer, dialed or accepted (to cut those of a revoked credential). */
  *openLinks(): Iterable<Channel> {
    for (const ch of this.ready.values()) if (!ch.link.closed) yield ch;
    for (const ch of this.accepted) if (!ch.link.closed) yield ch;
  }

  closeAll(): void {
    // Established links close now; dials still on the way close when they complete.
    for (const ch of this.ready.values()) ch.close();
    for (const [name, link] of this.links) if (!this.ready.has(name)) link.then((ch) => ch.close()).catch(() => {});
    for (const ch of this.accepted) ch.close();
    this.accepted.clear();
    this.links.clear();
    this.ready.clear();
  }

  get size(): number {
    return this.links.size;
  }

  /** A link we dialed closed: forget it and tell the owner (a path to `name` went down). */
  private closed(name: string, ch: Channel, error: BotzError): void {
    if (this.ready.get(name) === ch) this.ready.delete(name);
    const current = this.links.get(name);
    if (current) {
      void current.then((c) => {
        if (c === ch && this.links.get(name) === current) this.links.delete(name);
      }, () => {});
    }
    this.handlers.onClose?.(ch, error);
  }
}

/**
 * Direct links to other components, one per peer name, reused for every message. Concurrent
 * senders to a peer share one dial. A link a peer opened to us is adopted too, so traffic
 * both ways rides the same socket. Closed links drop out of the pool by themselves.
 */
import { Channel, type ChannelHandlers } from '../channel/channel.js';
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
  /**
   * Every open link of the pool, also those no longer the one in use for their peer: when two
   * components dial each other at once, each adopts the other's link while its own dial is on
   * the way. closeAll must close those too, or a stopped component would go on answering.
   */
  private readonly everyOpen = new Set<Channel>();

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
      if (!channel.link.closed) this.everyOpen.add(channel);
      if (this.links.get(name) === dial && !channel.link.closed) this.ready.set(name, channel);
      return channel;
    });
    this.links.set(name, dial);
    dial.catch(() => {
      if (this.links.get(name) === dial) this.links.delete(name);
      this.dialFailedAt.set(name, Date.now());
    });
    return dial;
  }

  /** The established, open link to `name`, if there is one right now. */
  open(name: string): Channel | undefined {
    const ch = this.ready.get(name);
    return ch && !ch.link.closed ? ch : undefined;
  }

  /** True when a dial to `name` failed recently: use the relay instead. */
  recentlyFailed(name: string): boolean {
    const at = this.dialFailedAt.get(name);
    if (at === undefined) return false;
    if (Date.now() - at < DIAL_FAILURE_MEMORY_MS) return true;
    this.dialFailedAt.delete(name);
    return false;
  }

  /** Adopts a link the peer dialed to us (it is already established). */
  adopt(name: string, channel: Channel): void {
    this.everyOpen.add(channel);
    this.links.set(name, Promise.resolve(channel));
    this.ready.set(name, channel);
    this.dialFailedAt.delete(name);
  }

  /** Drops the link to `name` (after it misbehaved or its address changed). */
  drop(name: string): void {
    const link = this.links.get(name);
    this.links.delete(name);
    this.ready.delete(name);
    link?.then((ch) => ch.close()).catch(() => {});
  }

  closeAll(): void {
    // Dials still on the way close when they complete; established links close now.
    for (const link of this.links.values()) link.then((ch) => ch.close()).catch(() => {});
    for (const ch of this.everyOpen) ch.close();
    this.everyOpen.clear();
    this.links.clear();
    this.ready.clear();
  }

  get size(): number {
    return this.links.size;
  }

  closed(name: string, ch: Channel, error: import('../errors.js').BotzError): void {
    this.everyOpen.delete(ch);
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

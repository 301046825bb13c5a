/**
 * A peer that stops reading would make us queue whatever we write for it, without bound (a
 * relay's traffic, membership events, answers). A burst may queue much for a moment; a peer
 * that keeps more than the node's limit queued for longer than the grace period, or four times
 * the limit at any moment, is a slow consumer: the link is closed (4012), and counted. Whoever
 * still waits on it learns of the closed link.
 */
import { BotzError, ErrorCode } from '../errors.js';
import { CloseCode, type Link } from '../transport/transport.js';
import type { NodeContext } from './node-context.js';

/** How long a peer may leave more than the limit unread: a slow reader catching up is not dead. */
const SLOW_CONSUMER_GRACE_MS = 10_000;

export class SlowConsumerWatch {
  /** When the bytes queued for the peer went over the limit, if they still are. */
  private overLimitSince: number | undefined;

  constructor(
    private readonly ctx: NodeContext,
    private readonly link: Link,
    /** Who is at the other end, once known. */
    private readonly peer: () => string | undefined,
  ) {}

  /** Called after every write to the link. */
  check(): void {
    const queued = this.link.bufferedAmount;
    const limit = this.ctx.maxBufferedBytes;
    if (queued <= limit) {
      this.overLimitSince = undefined;
      return;
    }
    const now = this.ctx.clock.now();
    this.overLimitSince ??= now;
    if (this.link.closed || (queued <= 4 * limit && now - this.overLimitSince < SLOW_CONSUMER_GRACE_MS)) return;
    const peer = this.peer();
    this.ctx.reject({
      error: new BotzError(ErrorCode.SLOW_CONSUMER, `${peer ?? this.link.remoteAddress} stopped reading: ${queued} bytes queued for it`),
      remote: this.link.remoteAddress,
      peer,
    });
    this.link.close(CloseCode.SLOW_CONSUMER, `slow consumer: ${queued} bytes queued`);
  }
}

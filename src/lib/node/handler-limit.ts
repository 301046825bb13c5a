/**
 * How many calls of its handler a node runs at once, per sending peer and in total. A sender
 * bounds what it waits for (TOO_MANY_PENDING past 10,000 per link), but a receiver that ran its
 * handler for every request that arrives would hold one call per request a peer chooses to send:
 * a handler that is slow, or never answers, becomes memory that grows with the attacker's rate.
 * Past either limit a call is refused at once, before it runs, with TOO_MANY_PENDING (saying the
 * receiver is busy), so the sender learns it may retry without the handler having run twice.
 *
 * The peer is the name a frame claims (`from`), which any holder of the secret may vary: the
 * per-peer limit keeps one busy peer from taking every slot from the others; the total is the
 * bound on memory, whatever names a flood uses.
 */
import { BotzError, ErrorCode } from '../errors.js';

/**
 * Calls from one peer running at once. A well-behaved sender keeps far fewer in flight (the
 * bench's default is 64); 1,000 lets a pipelining peer through while ten such peers still fit
 * in the total.
 */
export const DEFAULT_MAX_HANDLING_PER_PEER = 1_000;
/**
 * Calls running at once on a node. Matches what one sender may wait for on one link
 * (DEFAULT_MAX_PENDING in channel/pending.ts); each held call costs well under a kilobyte, so
 * this bounds them to a few megabytes.
 */
export const DEFAULT_MAX_HANDLING = 10_000;

export interface HandlerLimits {
  /** Calls from one peer running at once (default DEFAULT_MAX_HANDLING_PER_PEER). */
  perPeer?: number;
  /** Calls running at once in total (default DEFAULT_MAX_HANDLING). */
  total?: number;
}

export class HandlerLimit {
  private readonly perPeer: number;
  private readonly total: number;
  private readonly byPeer = new Map<string, number>();
  private runningNow = 0;
  private refusedSoFar = 0;

  constructor(
    /** The node's name, for the refusal's message. */
    private readonly self: string,
    limits: HandlerLimits = {},
  ) {
    this.perPeer = positive(limits.perPeer, DEFAULT_MAX_HANDLING_PER_PEER, 'perPeer');
    this.total = positive(limits.total, DEFAULT_MAX_HANDLING, 'total');
  }

  /** Handler calls running now. */
  get running(): number {
    return this.runningNow;
  }

  /** Calls refused since the start because a limit was reached. */
  get refused(): number {
    return this.refusedSoFar;
  }

  /** Takes a slot for a call from `peer`; throws TOO_MANY_PENDING (nothing taken) at the limit. */
  take(peer: string): void {
    const mine = this.byPeer.get(peer) ?? 0;
    if (mine >= this.perPeer || this.runningNow >= this.total) {
      this.refusedSoFar++;
      const which = mine >= this.perPeer ? `${mine} from "${peer}"` : `${this.runningNow} in all`;
      throw new BotzError(ErrorCode.TOO_MANY_PENDING, `"${this.self}" is busy: it is already handling ${which}; retry later`, {
        details: { receiver: this.self, limit: mine >= this.perPeer ? this.perPeer : this.total },
      });
    }
    this.byPeer.set(peer, mine + 1);
    this.runningNow++;
  }

  /** Frees the slot a settled call from `peer` held. */
  release(peer: string): void {
    const mine = (this.byPeer.get(peer) ?? 1) - 1;
    if (mine === 0) this.byPeer.delete(peer);
    else this.byPeer.set(peer, mine);
    this.runningNow--;
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new BotzError(ErrorCode.INVALID_ARGUMENT, `handler limit ${name} must be a positive integer, not ${value}`);
  return value;
}

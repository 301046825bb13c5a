/**
 * The receiver side of one reliable stream: drops duplicates with bounded state, hands messages
 * to the application exactly once and in order, and says what to acknowledge. Pure, no timers.
 *
 * A message goes through three points, and only the last is confirmed to the sender:
 * - held: it arrived, in order, and waits in the inbox (it dies with this process);
 * - handed out: `read()` gave it to the application (a handler that has not settled yet);
 * - taken: `confirm()` said the application is done with it (handler settled, loop went on).
 *
 *            taken (cumulative)   handed out   inbox (held, unread)   out of order      window edge
 *   app <- ... m1 m2 |                m3      | m4 m5 m6 |   held = 6  | 8 9 . 11 |  ...  taken + window
 *
 * State is bounded by `capacity`: everything at or below `held` is a duplicate by definition,
 * and only sequence numbers up to `cumulative + window` are accepted, so what is handed out,
 * held and buffered out of order never exceeds `capacity` messages. Reading alone frees no room:
 * a message is ours to hold until the application took it.
 */
import { MAX_SACK_RANGES, type AckFields, type SeqRange } from '../wire/reliable-frames.js';

export interface ReceiveWindowOptions {
  /** Messages held at most (handed out but not taken, unread, out of order). */
  capacity: number;
  /** Selective ranges reported per ack; the lowest holes matter most to the sender. */
  maxSackRanges: number;
}

export const DEFAULT_INBOX_CAPACITY = 1_024;

export function defaultReceiveWindowOptions(): ReceiveWindowOptions {
  return { capacity: DEFAULT_INBOX_CAPACITY, maxSackRanges: MAX_SACK_RANGES };
}

/** What one data frame did: `new` (held for delivery), `duplicate`, or `refused` (beyond the window). */
export type DataOutcome = 'new' | 'duplicate' | 'refused';

export type AckState = AckFields;

export class ReceiveWindow<T> {
  readonly options: ReceiveWindowOptions;
  /** Every sequence number up to here arrived and went to the inbox. */
  private arrived = 0;
  /** Every sequence number up to here was taken by the application: what acks confirm. */
  private taken = 0;
  /** Messages of this stream handed out and not yet confirmed: `taken + 1 .. taken + handedOut`. */
  private handedOut = 0;
  private readonly outOfOrder = new Map<number, T>();
  private inbox: T[] = [];
  private inboxHead = 0;
  /** Left by an earlier stream (see reset): unread at the head of the inbox, and handed out. */
  private orphansUnread = 0;
  private orphansHandedOut = 0;

  constructor(options: Partial<ReceiveWindowOptions> = {}) {
    this.options = { ...defaultReceiveWindowOptions(), ...options };
    if (!(this.options.capacity >= 1)) throw new RangeError('capacity must be at least 1');
  }

  /** Every sequence number up to here was taken by the application (confirmed). */
  get cumulative(): number {
    return this.taken;
  }
  /** Every sequence number up to here arrived (held, handed out or taken). */
  get held(): number {
    return this.arrived;
  }
  /** Messages handed out and not yet confirmed: the application has them in hand. */
  get inHand(): number {
    return this.handedOut + this.orphansHandedOut;
  }
  /** Messages waiting to be read. */
  get available(): number {
    return this.inbox.length - this.inboxHead;
  }
  /** Messages received above a hole, waiting for it. */
  get buffered(): number {
    return this.outOfOrder.size;
  }
  /** How many sequence numbers beyond `cumulative` are accepted now. */
  get window(): number {
    return this.options.capacity - this.orphansUnread - this.orphansHandedOut;
  }

  onData(seq: number, body: T): DataOutcome {
    if (seq <= this.arrived || this.outOfOrder.has(seq)) return 'duplicate';
    if (seq > this.taken + this.window) return 'refused';
    if (seq !== this.arrived + 1) {
      this.outOfOrder.set(seq, body);
      return 'new';
    }
    this.inbox.push(body);
    this.arrived = seq;
    for (let next = seq + 1; this.outOfOrder.has(next); next++) {
      this.inbox.push(this.outOfOrder.get(next)!);
      this.outOfOrder.delete(next);
      this.arrived = next;
    }
    return 'new';
  }

  /** The acknowledgement that describes this receiver now. */
  ack(): AckState {
    return { cumulative: this.taken, held: this.arrived, ranges: this.ranges(), window: this.window };
  }

  private ranges(): SeqRange[] {
    if (this.outOfOrder.size === 0) return [];
    const seqs = [...this.outOfOrder.keys()].sort((a, b) => a - b);
    const out: SeqRange[] = [];
    for (const s of seqs) {
      const last = out[out.length - 1];
      if (last && last[1] === s - 1) last[1] = s;
      else if (out.length === this.options.maxSackRanges) break;
      else out.push([s, s]);
    }
    return out;
  }

  /**
   * Hands up to `max` messages to the application, in order; each is returned exactly once. They
   * are not confirmed (nor is their room freed) until `confirm()` says the application took them.
   */
  read(max = Infinity): T[] {
    const n = Math.min(max, this.available);
    const out = this.inbox.slice(this.inboxHead, this.inboxHead + n);
    this.inboxHead += n;
    const orphans = Math.min(n, this.orphansUnread);
    this.orphansUnread -= orphans;
    this.orphansHandedOut += orphans;
    this.handedOut += n - orphans;
    // Compact lazily so reading one at a time stays O(1) amortised.
    if (this.inboxHead > 64 && this.inboxHead * 2 > this.inbox.length) {
      this.inbox = this.inbox.slice(this.inboxHead);
      this.inboxHead = 0;
    }
    return out;
  }

  /**
   * The application took the oldest `count` messages handed out and not yet confirmed (its
   * handler settled, or its loop went on): they count as delivered from now on. Returns how many
   * of this stream were newly confirmed (an earlier stream's are confirmed to no one).
   */
  confirm(count = 1): number {
    const orphans = Math.min(count, this.orphansHandedOut);
    this.orphansHandedOut -= orphans;
    const mine = Math.min(count - orphans, this.handedOut);
    this.handedOut -= mine;
    this.taken += mine;
    return mine;
  }

  /**
   * Starts a new stream (the sender restarted with a new session): forgets the stream's points
   * and its out-of-order buffer. What the inbox already holds, and what the application has in
   * hand, still goes to the application (it arrived), but confirms nothing of the new stream.
   */
  reset(): void {
    this.arrived = 0;
    this.taken = 0;
    this.orphansHandedOut += this.handedOut;
    this.handedOut = 0;
    this.orphansUnread = this.available;
    this.outOfOrder.clear();
  }
}

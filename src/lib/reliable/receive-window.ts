/**
 * The receiver side of one reliable stream: drops duplicates with bounded state, releases
 * messages to the application exactly once and in order, says what to acknowledge, and holds
 * released messages in a bounded inbox until the application pulls them. Pure, no timers.
 *
 * State is bounded by `capacity`: everything at or below `cumulative` is a duplicate by
 * definition, and only sequence numbers within the advertised window are accepted, so the
 * inbox plus the out-of-order buffer never hold more than `capacity` messages.
 *
 *            inbox (released, unread)     cumulative   out of order      window edge
 *   app <- [ m3 m4 m5 ]                       5      | 7 8 . 10 |  ...   5 + (capacity - inbox)
 */
import { MAX_SACK_RANGES, type SeqRange } from './reliable-frames.js';

export interface ReceiveWindowOptions {
  /** Messages held at most (unread inbox + out-of-order); the advertised window shrinks as it fills. */
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

export interface AckState {
  cumulative: number;
  ranges: SeqRange[];
  window: number;
}

export class ReceiveWindow<T> {
  readonly options: ReceiveWindowOptions;
  private received = 0;
  private readonly outOfOrder = new Map<number, T>();
  private inbox: T[] = [];
  private inboxHead = 0;

  constructor(options: Partial<ReceiveWindowOptions> = {}) {
    this.options = { ...defaultReceiveWindowOptions(), ...options };
    if (!(this.options.capacity >= 1)) throw new RangeError('capacity must be at least 1');
  }

  /** Every sequence number up to here was received and released to the inbox. */
  get cumulative(): number {
    return this.received;
  }
  /** Messages released and waiting to be read. */
  get available(): number {
    return this.inbox.length - this.inboxHead;
  }
  /** Messages received above a hole, waiting for it. */
  get buffered(): number {
    return this.outOfOrder.size;
  }
  /** How many sequence numbers beyond `cumulative` are accepted now. */
  get window(): number {
    return this.options.capacity - this.available;
  }

  onData(seq: number, body: T): DataOutcome {
    if (seq <= this.received || this.outOfOrder.has(seq)) return 'duplicate';
    if (seq > this.received + this.window) return 'refused';
    if (seq !== this.received + 1) {
      this.outOfOrder.set(seq, body);
      return 'new';
    }
    this.inbox.push(body);
    this.received = seq;
    for (let next = seq + 1; this.outOfOrder.has(next); next++) {
      this.inbox.push(this.outOfOrder.get(next)!);
      this.outOfOrder.delete(next);
      this.received = next;
    }
    return 'new';
  }

  /** The acknowledgement that describes this receiver now. */
  ack(): AckState {
    return { cumulative: this.received, ranges: this.ranges(), window: this.window };
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

  /** Takes up to `max` messages from the inbox, in order; each is returned exactly once. */
  read(max = Infinity): T[] {
    const n = Math.min(max, this.available);
    const out = this.inbox.slice(this.inboxHead, this.inboxHead + n);
    this.inboxHead += n;
    // Compact lazily so reading one at a time stays O(1) amortised.
    if (this.inboxHead > 64 && this.inboxHead * 2 > this.inbox.length) {
      this.inbox = this.inbox.slice(this.inboxHead);
      this.inboxHead = 0;
    }
    return out;
  }

  /**
   * Starts a new stream (the sender restarted with a new session): forgets the cumulative point
   * and the out-of-order buffer, but keeps what the inbox already holds, which was delivered.
   */
  reset(): void {
    this.received = 0;
    this.outOfOrder.clear();
  }
}

/**
 * The sender side of one reliable stream: sequence numbers, a bounded sliding window of
 * unconfirmed messages, cumulative and selective acks, and retransmission on a timeout
 * derived from measured RTT (rto.ts). Pure: it never sends and never sets a timer; the caller
 * asks `poll(now)` what to transmit and `nextDeadline()` when to ask again.
 *
 *   confirmed (cumulative)   held   in flight / sacked    unsent          refused
 *   ... 4 5 6 |  7h 8h  9  10s | 11 12 | (offer() returns undefined)
 *              ^ acked+1                  ^ acked + min(peerWindow, windowSize): send limit
 *
 * A message is confirmed (released, its sender told "delivered") only when the receiving
 * application took it. Until then the receiver may report it held (arrived, in order) or in a
 * selective range: either way it is not retransmitted, since resending what the receiver has
 * would only repeat while its application is slow. That leaves one gap: the sack carrying the
 * confirmation may be lost, and with nothing left to retransmit no further sack would come.
 * So while the first unconfirmed message is held and no ack arrived for a while, it is sent
 * again alone, as a probe the receiver answers with a sack, backing off (like TCP's persist
 * timer): one frame per interval, not the window.
 */
import { addRttSample, backOff, defaultRtoOptions, initialRtt, resetBackoff, type RtoOptions, type RttState } from './rto.js';
import type { AckFields } from '../wire/reliable-frames.js';

export interface SendWindowOptions extends RtoOptions {
  /** Most messages held unconfirmed (sent or not); beyond it `offer()` refuses: backpressure. */
  windowSize: number;
  /** Selectively acked messages above a hole that make us resend the hole before its RTO (TCP uses 3). */
  dupThreshold: number;
}

export const DEFAULT_WINDOW_SIZE = 256;
export const DEFAULT_DUP_THRESHOLD = 3;

export function defaultSendWindowOptions(): SendWindowOptions {
  return { ...defaultRtoOptions(), windowSize: DEFAULT_WINDOW_SIZE, dupThreshold: DEFAULT_DUP_THRESHOLD };
}

export interface Outgoing<T> {
  seq: number;
  body: T;
}

interface Entry<T> {
  seq: number;
  body: T;
  /** Time of the last transmission; undefined when it must be (re)sent as soon as the window allows. */
  sentAt: number | undefined;
  transmissions: number;
  /** The receiver has it (held or in a selective range): never retransmitted, not yet confirmed. */
  sacked: boolean;
  fastRetransmitted: boolean;
}

export class SendWindow<T> {
  readonly options: SendWindowOptions;
  private entries: Entry<T>[] = [];
  private nextSeq = 1;
  private acked = 0;
  /** Highest in-order sequence number the receiver said it holds (entries up to it are sacked). */
  private held = 0;
  private peerWindow: number;
  private lastAckAt = 0;
  private rttState: RttState;
  /** First sequence number never transmitted: the common case of poll() starts here, O(1). */
  private nextToSend = 1;
  /** A lower bound of the last transmission time of what is in flight within the limit. */
  private minSentAt: number | undefined;
  /** Something other than new messages may be due (marked holes, resume, window regrown): scan all. */
  private needScan = false;
  /** Confirmation probes sent since the cumulative point last moved (each doubles the interval). */
  private probes = 0;
  private lastProbeAt = 0;

  constructor(options: Partial<SendWindowOptions> = {}) {
    this.options = { ...defaultSendWindowOptions(), ...options };
    if (!(this.options.windowSize >= 1)) throw new RangeError('windowSize must be at least 1');
    this.peerWindow = this.options.windowSize;
    this.rttState = initialRtt(this.options);
  }

  /** Highest sequence number the peer confirmed cumulatively (its application took it). */
  get cumulative(): number {
    return this.acked;
  }
  /** Messages in the window: offered and not yet confirmed. Never above windowSize. */
  get size(): number {
    return this.entries.length;
  }
  get full(): boolean {
    return this.entries.length >= this.options.windowSize;
  }
  get rto(): number {
    return this.rttState.rto;
  }
  get srtt(): number | undefined {
    return this.rttState.srtt;
  }

  /** Takes a message into the window and returns its sequence number, or undefined when full. */
  offer(body: T): number | undefined {
    if (this.full) return undefined;
    const seq = this.nextSeq++;
    this.entries.push({ seq, body, sentAt: undefined, transmissions: 0, sacked: false, fastRetransmitted: false });
    return seq;
  }

  /**
   * Applies an acknowledgement. Returns the messages it newly confirmed cumulatively, in order
   * (the ones whose senders may now be told "delivered"). Stale and impossible acks change nothing.
   */
  onAck({ cumulative, held, ranges, window }: AckFields, now: number): Outgoing<T>[] {
    // Nobody can hold what was never sent, nor have taken what it does not hold: such an ack is
    // forged or corrupt (and would leave the window pointing before its first entry).
    if (cumulative < this.acked || cumulative >= this.nextToSend) return [];
    if (held < cumulative || held >= this.nextToSend) return [];
    const oldLimit = this.limit();
    this.peerWindow = window;
    this.lastAckAt = now;
    let sample: Entry<T> | undefined;
    const noteSample = (e: Entry<T>) => {
      // Karn's rule: an ack of a retransmitted message cannot be matched to one transmission.
      if (e.transmissions === 1 && e.sentAt !== undefined && (!sample || e.sentAt > sample.sentAt!)) sample = e;
    };
    // Held first: the RTT is measured to the message's arrival, not to the application's pace.
    for (let s = Math.max(this.held, this.acked) + 1; s <= held; s++) {
      const e = this.entries[s - this.acked - 1];
      if (!e.sacked) {
        e.sacked = true;
        noteSample(e);
      }
    }
    if (held > this.held) this.held = held;
    const done = cumulative - this.acked;
    const released = this.entries.splice(0, done);
    for (const e of released) if (!e.sacked) noteSample(e);
    this.acked = cumulative;
    if (done > 0) this.probes = 0;
    for (const [first, last] of ranges) {
      for (let s = Math.max(first, this.acked + 1); s <= Math.min(last, this.nextSeq - 1); s++) {
        const e = this.entries[s - this.acked - 1];
        if (!e.sacked) {
          e.sacked = true;
          noteSample(e);
        }
      }
    }
    if (sample) this.rttState = addRttSample(this.rttState, now - sample.sentAt!, this.options);
    if (ranges.length > 0) this.markHoles();
    // Messages sent beyond an earlier, smaller window were left out of minSentAt.
    if (this.limit() > oldLimit && oldLimit < this.nextToSend - 1) this.needScan = true;
    if (this.entries.length === 0) this.minSentAt = undefined;
    return released.map(({ seq, body }) => ({ seq, body }));
  }

  /** A hole with `dupThreshold` sacked messages above it is lost: resend it now, once. */
  private markHoles(): void {
    let sackedAbove = 0;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i];
      if (e.sacked) sackedAbove++;
      else if (sackedAbove >= this.options.dupThreshold && e.sentAt !== undefined && !e.fastRetransmitted) {
        e.fastRetransmitted = true;
        e.sentAt = undefined;
        this.needScan = true;
      }
    }
  }

  /**
   * After a reconnect: the peer's application took everything up to `cumulative`; the rest is
   * resent now, except what the peer already said it holds (it keeps that across paths: only a
   * new session, see reset, loses it). Returns the messages this confirmed, as `onAck` does.
   */
  resume(cumulative: number, window: number, now: number): Outgoing<T>[] {
    const point = Math.min(Math.max(cumulative, this.acked), this.nextToSend - 1);
    const released = this.onAck({ cumulative: point, held: point, ranges: [], window }, now);
    this.rttState = resetBackoff(this.rttState, this.options);
    for (const e of this.entries) if (!e.sacked) e.sentAt = undefined;
    this.needScan = true;
    return released;
  }

  /**
   * Forgets the stream (the peer lost its state): returns every message not acknowledged, for
   * the caller to fail, and starts numbering again from 1.
   */
  reset(): Outgoing<T>[] {
    const dropped = this.entries.map(({ seq, body }) => ({ seq, body }));
    this.entries = [];
    this.nextSeq = 1;
    this.nextToSend = 1;
    this.acked = 0;
    this.held = 0;
    this.probes = 0;
    this.minSentAt = undefined;
    this.needScan = false;
    this.peerWindow = this.options.windowSize;
    this.rttState = resetBackoff(this.rttState, this.options);
    return dropped;
  }

  /** Highest sequence number the peer's window lets us have in flight. */
  private limit(): number {
    return this.acked + Math.min(this.peerWindow, this.options.windowSize);
  }

  /**
   * A closed window would deadlock if the ack that reopens it were lost, so the first message is
   * sent anyway as a probe, one RTO after the ack that closed it, then retransmitted like any
   * other (with backoff). Returns the time it may go, or undefined when the window is open.
   */
  private probeAt(): number | undefined {
    const first = this.entries[0];
    if (!first || first.sacked || first.seq <= this.limit()) return undefined;
    return first.sentAt === undefined ? this.lastAckAt + this.rttState.rto : first.sentAt + this.rttState.rto;
  }

  /**
   * When to ask again whether the first message, which the receiver holds, was taken: an
   * interval after the latest ack or probe, doubling with each unanswered probe, up to maxRtoMs.
   */
  private confirmProbeAt(): number | undefined {
    const first = this.entries[0];
    if (!first || !first.sacked) return undefined;
    const interval = Math.min(this.options.maxRtoMs, this.rttState.rto * 2 ** Math.min(this.probes, 30));
    return Math.max(this.lastAckAt, this.lastProbeAt) + interval;
  }

  /**
   * What to transmit now, in sequence order: messages never sent, messages whose RTO expired
   * (the RTO then backs off once), and lost holes. Each returned message counts as transmitted.
   */
  poll(now: number): Outgoing<T>[] {
    const out: Outgoing<T>[] = [];
    const confirmProbe = this.confirmProbeAt();
    if (confirmProbe !== undefined && now >= confirmProbe) {
      const first = this.entries[0];
      first.transmissions++;
      this.probes++;
      this.lastProbeAt = now;
      out.push({ seq: first.seq, body: first.body });
    }
    let limit = this.limit();
    const probe = this.probeAt();
    if (probe !== undefined && (now >= probe || this.entries[0].sentAt !== undefined)) limit = this.entries[0].seq;
    const rto = this.rttState.rto;
    const scan = this.needScan || probe !== undefined || (this.minSentAt !== undefined && now >= this.minSentAt + rto);
    // Without anything to retransmit, only never-sent messages can be due: start at the first.
    const from = scan ? 0 : this.nextToSend - this.acked - 1;
    let timedOut = false;
    let minSentAt: number | undefined;
    for (let i = from; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e.seq > limit) break;
      if (e.sacked) continue;
      const expired = e.sentAt !== undefined && now >= e.sentAt + rto;
      if (e.sentAt !== undefined && !expired) {
        if (minSentAt === undefined || e.sentAt < minSentAt) minSentAt = e.sentAt;
        continue;
      }
      if (expired) timedOut = true;
      e.sentAt = now;
      e.transmissions++;
      if (e.seq >= this.nextToSend) this.nextToSend = e.seq + 1;
      if (minSentAt === undefined || now < minSentAt) minSentAt = now;
      out.push({ seq: e.seq, body: e.body });
    }
    if (scan) {
      this.minSentAt = minSentAt;
      this.needScan = false;
    } else if (this.minSentAt === undefined) {
      this.minSentAt = minSentAt;
    }
    if (timedOut) this.rttState = backOff(this.rttState, this.options);
    return out;
  }

  /** When `poll` has something to do next: now, a retransmission deadline, a probe, or never. */
  nextDeadline(now: number): number | undefined {
    if (this.needScan) return now;
    const first = this.entries[this.nextToSend - this.acked - 1];
    if (first !== undefined && first.seq <= this.limit()) return now;
    // minSentAt may be stale-low (acked since): then poll() scans once and corrects it.
    let next = this.minSentAt === undefined ? undefined : this.minSentAt + this.rttState.rto;
    for (const probe of [this.probeAt(), this.confirmProbeAt()]) {
      if (probe !== undefined && (next === undefined || probe < next)) next = probe;
    }
    return next;
  }
}

/**
 * Frames of the reliable-delivery layer (src/lib/reliable): their types and bounds. Their field
 * checks are in the one table of validate.ts, with every other frame's.
 *
 * Every reliable frame names two sessions: `session`, the one of the end that sent the frame,
 * and `peer`, the one of the end it is meant for. A frame whose `peer` is not the receiver's
 * current session is stale (it was meant for an earlier incarnation) and is dropped, so two
 * streams can never mix after a restart, even over paths that reorder across reconnects.
 *
 *   sender (session S)                                  receiver (session R)
 *     | -- resume {S, epoch, peer:R?, received} ----------> |   both ends send one after a (re)connect
 *     | <- resume {R, epoch, peer:S,  received, reply} ---- |   received: how far my application took your stream
 *     | -- data {S, peer:R, seq:1..n, body} --------------> |   only within the advertised window
 *     | <- sack {R, peer:S, cumulative, held, ranges, window}  one per burst of data or of messages taken
 *
 * A confirmation means the receiving application took the message (its handler settled, or
 * `messages()`/`read()` returned it), not merely that the receiver's process has it: what
 * arrived and waits for the application is `held`, which stops retransmission but confirms
 * nothing, since it dies with the process.
 *
 *   seq:  1 .. cumulative | cumulative+1 .. held | hole | ranges ... |        ... cumulative + window
 *         taken: confirmed   arrived, not taken    lost?  arrived out of order     accepted up to here
 */
import type { Body, FramesOf, Headers, Unstamped } from './values.js';

/** The fields of each reliable frame type beyond the envelope, by type. */
export interface ReliableFrameFields {
  /** One application message of a stream. `seq` counts from 1 per (session, peer) pair. */
  data: {
    session: string;
    peer: string;
    seq: number;
    body: Body;
    headers?: Headers;
  };
  /**
   * Acknowledgement of a stream: the application took everything up to `cumulative` (the sender
   * may report those delivered); the receiver holds everything up to `held` and the `ranges`
   * (do not resend them, but they are not delivered yet).
   */
  sack: {
    session: string;
    peer: string;
    cumulative: number;
    /** Arrived in order up to here (≥ cumulative): held for the application, not yet taken. */
    held: number;
    /** Arrived out of order above `held`, ascending, at most a few (see MAX_SACK_RANGES). */
    ranges: SeqRange[];
    /** How many sequence numbers beyond `cumulative` the receiver accepts now (flow control). */
    window: number;
  };
  /**
   * Opens (or reopens) the exchange on a new path. `peer` is null when the sender knows no session
   * of the other end yet. `received` is the cumulative point of the other end's stream (as a
   * sack's `cumulative`: taken by the application), meaningful only when `peer` is the other
   * end's current session. `reply` marks an answer, never answered.
   */
  resume: {
    session: string;
    epoch: number;
    peer: string | null;
    received: number;
    window: number;
    reply: boolean;
  };
}

/** An inclusive range of sequence numbers `[first, last]`. */
export type SeqRange = [number, number];

/** What a sack (or a resume, with held = received and no ranges) tells the sender. */
export type AckFields = Pick<SackFrame, 'cumulative' | 'held' | 'ranges' | 'window'>;

export type ReliableFrame = FramesOf<ReliableFrameFields>;
export type DataFrame = Extract<ReliableFrame, { type: 'data' }>;
export type SackFrame = Extract<ReliableFrame, { type: 'sack' }>;
export type ResumeFrame = Extract<ReliableFrame, { type: 'resume' }>;
/** A reliable frame before the channel stamps it with `v`, `id` and `from`. */
export type ReliableFrameInit<T extends ReliableFrame = ReliableFrame> = Unstamped<T>;

/** Bounded so that a hostile sack cannot make the sender loop over a huge list. */
export const MAX_SACK_RANGES = 8;

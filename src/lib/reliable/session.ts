/**
 * Session identity and the resume exchange. Each end has a random session id for its lifetime
 * and an epoch that counts the paths (connections) it resumed on. After every (re)connect both
 * ends send `resume`, saying how far their application took the other's stream (what they
 * merely hold is left out: the other end resends what it does not know to be held, and they
 * drop the duplicates); each answers a resume with its own (marked `reply`, never answered),
 * and repeats its own until it has heard one, so one lost frame cannot stall the exchange.
 *
 *   A (knows B=b1)                                   B
 *     | -- resume {a1, epoch 3, peer b1, received 40} --> |  b1: same session, 1..40 taken: resend from 41
 *     | <- resume {b1, epoch 2, peer a1, received 17, reply} |  A resends its stream from 18
 *
 *   if B restarted: its resume says {b2, peer null}; A reports `peerRestarted`, fails what b1
 *   never confirmed (held or not), and starts fresh streams with b2 rather than mixing the two.
 *
 * Pure: the caller supplies the confirmed point and window, and sends what it is given.
 */
import { randomBytes } from 'node:crypto';
import type { ReliableFrameInit, ResumeFrame } from '../wire/reliable-frames.js';

/** 8 random bytes: collisions between incarnations of one peer are negligible. */
export function newSessionId(): string {
  return randomBytes(8).toString('base64url');
}

/**
 * What a resume told us:
 * - `first`: the first session we learn of this peer;
 * - `same`: the peer we knew, so streams continue; `received` is how far its application took ours;
 *   `newPath` when the peer resumed on a path (epoch) we had not heard of: what we had in
 *   flight to it may be lost, so it must be resent (a mere answer on a known path need not);
 * - `restarted`: a new session of the peer (it lost its state): reset both streams;
 * - `stale`: an old resume (earlier epoch, or a session the peer already left behind): ignore.
 */
export type ResumeOutcome =
  | { kind: 'first'; peer: string; received: number; window: number }
  | { kind: 'same'; peer: string; received: number; window: number; newPath: boolean }
  | { kind: 'restarted'; previous: string; peer: string; received: number; window: number }
  | { kind: 'stale' };

/** Sessions of the peer we left behind, remembered so their late frames cannot look like a restart. */
const RETIRED_SESSIONS_KEPT = 8;

export class Session {
  readonly id: string;
  /** Paths resumed on; the peer ignores resumes of earlier epochs. */
  epoch = 0;
  /** The peer's current session, once known. */
  peer: string | undefined;
  /** True once the peer's resume was heard on the current path. */
  heard = false;
  private peerEpoch = -1;
  private readonly retired: string[] = [];

  constructor(id: string = newSessionId()) {
    this.id = id;
  }

  /** A new path: returns the resume to send on it (and to repeat until `heard`). */
  begin(received: number, window: number): ReliableFrameInit<ResumeFrame> {
    this.epoch++;
    this.heard = false;
    return this.resumeFrame(received, window, false);
  }

  /** Our resume again, for a repeat while the peer's was not heard. */
  resumeFrame(received: number, window: number, reply: boolean): ReliableFrameInit<ResumeFrame> {
    return { type: 'resume', session: this.id, epoch: this.epoch, peer: this.peer ?? null, received, window, reply };
  }

  /** Judges a resume from the other end. The caller answers non-reply resumes with `resumeFrame(…, true)`. */
  onResume(frame: Pick<ResumeFrame, 'session' | 'epoch' | 'peer' | 'received' | 'window'>): ResumeOutcome {
    if (this.retired.includes(frame.session)) return { kind: 'stale' };
    // What it says it received of our stream counts only if it speaks of this session of ours.
    const received = frame.peer === this.id ? frame.received : 0;
    const { window } = frame;
    if (this.peer === frame.session) {
      if (frame.epoch < this.peerEpoch) return { kind: 'stale' };
      const newPath = frame.epoch > this.peerEpoch;
      this.peerEpoch = frame.epoch;
      this.heard = true;
      return { kind: 'same', peer: frame.session, received, window, newPath };
    }
    const previous = this.peer;
    this.peer = frame.session;
    this.peerEpoch = frame.epoch;
    this.heard = true;
    if (previous === undefined) return { kind: 'first', peer: frame.session, received, window };
    this.retired.push(previous);
    if (this.retired.length > RETIRED_SESSIONS_KEPT) this.retired.shift();
    return { kind: 'restarted', previous, peer: frame.session, received, window };
  }

  /** Whether a data or sack frame belongs to the current pair of sessions (else it is stale). */
  accepts(frame: { session: string; peer: string }): boolean {
    return this.peer !== undefined && frame.session === this.peer && frame.peer === this.id;
  }
}

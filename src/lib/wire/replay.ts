/**
 * Replay protection. Every packet header carries the sender's link instance (16 random bytes,
 * fresh per link), a counter that grows by one per packet on that link, and a timestamp.
 *
 * A packet is accepted when
 *   1. its timestamp is within `windowMs` of our clock, and not earlier than `startSkewMs`
 *      before this guard was created: a restarted process has forgotten what it saw, so it
 *      refuses packets sealed before it existed (the skew allowance covers clock drift), and
 *   2. its (instance, counter) has not been seen: per instance we keep the highest counter and
 *      a 32-bit bitmap of the counters just below it (as IPsec does), so state is O(1) per
 *      live instance. Counters more than 32 below the highest are refused as replays.
 * Instances idle for longer than the window are forgotten: any packet of theirs is stale anyway.
 */
import { BotzError, ErrorCode } from '../errors.js';

export const DEFAULT_REPLAY_WINDOW_MS = 30_000;
export const DEFAULT_START_SKEW_MS = 2_000;
const BITMAP_BITS = 32;

interface InstanceState {
  highest: number;
  /** bit i set: counter (highest - i) was seen; bit 0 is `highest` itself. */
  bitmap: number;
  /** The later of our clock and the packet's stamp, at the newest packet: swept windowMs after. */
  lastSeen: number;
}

export interface ReplayGuardOptions {
  windowMs?: number;
  startSkewMs?: number;
  now?: () => number;
}

export class ReplayGuard {
  private readonly instances = new Map<string, InstanceState>();
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly notBefore: number;
  private nextSweep: number;

  constructor(options: ReplayGuardOptions = {}) {
    this.windowMs = options.windowMs ?? DEFAULT_REPLAY_WINDOW_MS;
    this.now = options.now ?? Date.now;
    const started = this.now();
    this.notBefore = started - (options.startSkewMs ?? DEFAULT_START_SKEW_MS);
    this.nextSweep = started + this.windowMs;
  }

  /** Throws STALE_TIMESTAMP or REPLAY; otherwise records the packet as seen. */
  check(instance: string, counter: number, ts: number): void {
    const now = this.now();
    if (ts > now + this.windowMs || ts < now - this.windowMs || ts < this.notBefore) {
      throw new BotzError(ErrorCode.STALE_TIMESTAMP, `packet timestamp ${ts} is outside the accepted window`, {
        details: { ts, now, windowMs: this.windowMs },
      });
    }
    if (now >= this.nextSweep) this.sweep(now);
    // Remembered until its newest packet can no longer pass the timestamp check: a sender whose
    // clock runs ahead stamps packets that stay fresh past our own `now + windowMs`.
    const seen = Math.max(now, ts);
    const state = this.instances.get(instance);
    if (state === undefined) {
      this.instances.set(instance, { highest: counter, bitmap: 1, lastSeen: seen });
      return;
    }
    if (seen > state.lastSeen) state.lastSeen = seen;
    if (counter > state.highest) {
      const shift = counter - state.highest;
      state.bitmap = shift >= BITMAP_BITS ? 1 : ((state.bitmap << shift) | 1) >>> 0;
      state.highest = counter;
      return;
    }
    const back = state.highest - counter;
    if (back >= BITMAP_BITS) throw replay(instance, counter);
    const bit = (1 << back) >>> 0;
    if ((state.bitmap & bit) !== 0) throw replay(instance, counter);
    state.bitmap = (state.bitmap | bit) >>> 0;
  }

  /** Number of sender instances currently remembered. */
  get size(): number {
    return this.instances.size;
  }

  private sweep(now: number): void {
    for (const [instance, state] of this.instances) {
      if (now - state.lastSeen > this.windowMs) this.instances.delete(instance);
    }
    this.nextSweep = now + this.windowMs;
  }
}

function replay(instance: string, counter: number): BotzError {
  return new BotzError(ErrorCode.REPLAY, `packet ${instance}/${counter} was already received`, {
    details: { instance, counter },
  });
}

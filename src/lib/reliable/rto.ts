/**
 * Retransmission timeout from measured round-trip times, as RFC 6298 computes it, with bounds
 * suited to botz (LAN and loopback links are common, so the floor is far below RFC's 1 s).
 * Pure functions: the send window calls them and keeps the state.
 */

export interface RtoOptions {
  /** RTO before any measurement (RFC 6298 §2.1 says 1 s). */
  initialRtoMs: number;
  /** Floor: stops a fast link from retransmitting on scheduling jitter. */
  minRtoMs: number;
  /** Cap of the exponential backoff, so a peer that comes back is retried within this time. */
  maxRtoMs: number;
}

export const DEFAULT_INITIAL_RTO_MS = 1_000;
export const DEFAULT_MIN_RTO_MS = 50;
export const DEFAULT_MAX_RTO_MS = 10_000;

export function defaultRtoOptions(): RtoOptions {
  return { initialRtoMs: DEFAULT_INITIAL_RTO_MS, minRtoMs: DEFAULT_MIN_RTO_MS, maxRtoMs: DEFAULT_MAX_RTO_MS };
}

export interface RttState {
  /** Smoothed RTT in ms, undefined until the first sample. */
  srtt: number | undefined;
  rttvar: number;
  rto: number;
}

/** Clock granularity G of RFC 6298, in ms. */
const GRANULARITY_MS = 1;
const ALPHA = 1 / 8;
const BETA = 1 / 4;
const K = 4;

export function initialRtt(options: RtoOptions): RttState {
  return { srtt: undefined, rttvar: 0, rto: clamp(options.initialRtoMs, options) };
}

/**
 * Folds one RTT sample in (RFC 6298 §2.2–2.3). Callers apply Karn's rule: never sample a
 * message that was transmitted more than once, since its ack cannot be matched to a send.
 * A fresh sample also undoes any backoff, as §5.7 allows.
 */
export function addRttSample(state: RttState, sampleMs: number, options: RtoOptions): RttState {
  const r = Math.max(0, sampleMs);
  if (state.srtt === undefined) {
    const rttvar = r / 2;
    return { srtt: r, rttvar, rto: clamp(r + Math.max(GRANULARITY_MS, K * rttvar), options) };
  }
  const rttvar = (1 - BETA) * state.rttvar + BETA * Math.abs(state.srtt - r);
  const srtt = (1 - ALPHA) * state.srtt + ALPHA * r;
  return { srtt, rttvar, rto: clamp(srtt + Math.max(GRANULARITY_MS, K * rttvar), options) };
}

/** Doubles the RTO after a timeout (RFC 6298 §5.5), up to the cap. */
export function backOff(state: RttState, options: RtoOptions): RttState {
  return { ...state, rto: clamp(state.rto * 2, options) };
}

/** Undoes any backoff (a new path after a reconnect): the RTO the measurements alone give. */
export function resetBackoff(state: RttState, options: RtoOptions): RttState {
  if (state.srtt === undefined) return initialRtt(options);
  return { ...state, rto: clamp(state.srtt + Math.max(GRANULARITY_MS, K * state.rttvar), options) };
}

function clamp(rto: number, options: RtoOptions): number {
  return Math.min(options.maxRtoMs, Math.max(options.minRtoMs, rto));
}

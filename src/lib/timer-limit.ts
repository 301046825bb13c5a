/**
 * Node's timers hold a signed 32-bit millisecond delay: setTimeout(fn, 2 ** 31) fires after 1 ms
 * (with a TimeoutOverflowWarning), so `--timeout 1000h` would time out at once. Every timer fed
 * a caller's duration goes through `timerDelay`: a longer wait is cut to about 24.8 days, which
 * nobody waits out, or (where it matters) re-armed for the rest, as PendingRequests does.
 */

/** The longest delay Node's setTimeout honours: 2^31-1 ms, about 24.8 days. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `ms` as a delay setTimeout honours: clamped to [0, MAX_TIMER_MS]; NaN counts as 0. */
export function timerDelay(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(MAX_TIMER_MS, ms);
}

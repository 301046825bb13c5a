/**
 * The one backoff of botz (server reconnects, mesh redials, retries of a dial at start):
 * exponential with "full jitter" (a uniform draw below the exponential cap), so a crowd of
 * nodes that lost the same peer does not come back in lockstep.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 100, maxMs: 5_000 };

/** Delay before reconnect attempt `attempt` (0-based). `random` returns [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const cap = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  // Never below a tenth of the base: a zero delay would spin.
  return Math.max(options.baseMs / 10, Math.floor(random() * cap));
}

/**
 * The dashboard's access token, as Jupyter does it: random, printed once in the URL the
 * operator opens, compared in constant time. It is not the network secret and cannot be
 * turned into it: a leaked dashboard URL shows the network, it does not join it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** 24 random bytes, URL-safe (32 characters). */
export function newDashboardToken(): string {
  return randomBytes(24).toString('base64url');
}

/** True when `given` is `token`, compared in constant time. */
export function tokenMatches(token: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(token);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

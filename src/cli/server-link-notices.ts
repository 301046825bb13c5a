/**
 * What a long-running command says when its link to the server drops and when it is back: the
 * library reconnects by itself (events `disconnected` / `reconnected`), and without a word a
 * quiet `register`, `tail` or `--watch` looks healthy while it is cut off. Pure apart from
 * listening; the callers decide where the lines go.
 */
import { ErrorCode } from '../lib/errors.js';
import { formatDuration } from './duration.js';

const LINK_LOST = new Set<string>([ErrorCode.CLOSED, ErrorCode.UNREACHABLE, ErrorCode.SERVER_UNREACHABLE]);

/** True for what a call fails with when the server link dropped under it (it is back after a reconnect). */
export function isLinkLost(error: unknown): boolean {
  return LINK_LOST.has((error as { code?: string } | undefined)?.code ?? '');
}

/** A change of the server link, as printed and as an NDJSON record. */
export type LinkChange =
  | { state: 'lost'; server: string; at: number; reason: string }
  | { state: 'back'; server: string; at: number; downMs: number };

/** The part of a Client (or Component) this needs: its link events. */
export interface LinkEvents {
  once(event: 'disconnected' | 'reconnected', listener: (...args: any[]) => void): unknown;
}

/**
 * Calls `onChange` on every loss and return of the link until the returned function is called.
 * `once` re-armed, not `on`: VerbClient offers only `once`, and a stopped follower must not keep
 * a listener of its own per event.
 */
export function followServerLink(events: LinkEvents, server: string, onChange: (change: LinkChange) => void, now: () => number = Date.now): () => void {
  let stopped = false;
  let lostAt: number | undefined;
  const onLost = (error?: { message?: string }) => {
    if (stopped) return;
    // One "lost" per outage: the reconnect attempts that fail report nothing new.
    if (lostAt === undefined) {
      lostAt = now();
      // The library names the server by its wire name, `$server`.
      onChange({ state: 'lost', server, at: lostAt, reason: (error?.message ?? 'the link closed').replaceAll('$server', 'the server') });
    }
    events.once('disconnected', onLost);
  };
  const onBack = () => {
    if (stopped) return;
    const at = now();
    onChange({ state: 'back', server, at, downMs: lostAt === undefined ? 0 : at - lostAt });
    lostAt = undefined;
    events.once('reconnected', onBack);
  };
  events.once('disconnected', onLost);
  events.once('reconnected', onBack);
  return () => {
    stopped = true;
  };
}

/** register's NDJSON record of a change: `{type: 'disconnected' | 'reconnected', ...}`, as its other records. */
export function linkChangeRecord(change: LinkChange): Record<string, unknown> {
  const { state, ...rest } = change;
  return { type: state === 'lost' ? 'disconnected' : 'reconnected', ...rest };
}

/** The line for people, for stderr or above the REPL's prompt. */
export function linkChangeLine(change: LinkChange): string {
  return change.state === 'lost'
    ? `lost the botz server at ${change.server} (${change.reason}); reconnecting…`
    : `back on the botz server at ${change.server} after ${formatDuration(change.downMs)}`;
}

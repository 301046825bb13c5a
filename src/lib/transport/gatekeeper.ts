/**
 * A listener's guard, shared by every transport: admits each accepted connection under the caps
 * (admission.ts), closes those evicted to make room, closes those not authenticated within the
 * handshake timeout, and reports each of these to the listener's `onRefused`. The transport only
 * says what happened to its connections (accepted, authenticated, closed) and how to drop one.
 */
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import { ErrorCode } from '../errors.js';
import { Admission } from './admission.js';
import type { ConnectionLimits } from './connection-limits.js';
import { CloseCode, type ConnectionCounts, type Refusal } from './transport.js';

/** One accepted connection, as the gatekeeper sees it. */
export interface Guarded {
  /** `host:port` of the other end. */
  readonly remote: string;
  /** Closes the connection now; `why` says which protection closed it. */
  drop(why: Refusal['code']): void;
}

export class Gatekeeper {
  private readonly admission: Admission<Guarded>;
  private readonly deadlines = new Map<Guarded, TimerHandle>();

  constructor(
    readonly limits: ConnectionLimits,
    private readonly onRefused: ((refusal: Refusal) => void) | undefined,
    private readonly clock: Clock = systemClock,
  ) {
    this.admission = new Admission(limits);
  }

  /**
   * A connection was accepted from `source` (see sourceOf): true when it may stay (others may have
   * been evicted for it); false when every slot is held by an authenticated link, and the caller
   * turns it away. Either way nothing more is needed but `authenticated` and `closed`.
   */
  admit(conn: Guarded, source: string): boolean {
    const verdict = this.admission.admit(conn, source);
    if (!verdict.admitted) {
      this.report(ErrorCode.TOO_MANY_CONNECTIONS, conn);
      return false;
    }
    for (const victim of verdict.evicted) this.drop(victim, ErrorCode.TOO_MANY_CONNECTIONS);
    const deadline = this.clock.setTimeout(() => this.drop(conn, ErrorCode.HANDSHAKE_TIMEOUT), this.limits.handshakeTimeoutMs).unref();
    this.deadlines.set(conn, deadline);
    return true;
  }

  authenticated(conn: Guarded): void {
    this.clearDeadline(conn);
    this.admission.authenticate(conn);
  }

  closed(conn: Guarded): void {
    this.clearDeadline(conn);
    this.admission.release(conn);
  }

  get counts(): ConnectionCounts {
    return this.admission.counts;
  }

  /** The listener is closing (and closes every connection itself): no deadline may fire after. */
  close(): void {
    for (const timer of this.deadlines.values()) timer.clear();
    this.deadlines.clear();
  }

  private drop(conn: Guarded, why: Refusal['code']): void {
    this.closed(conn);
    conn.drop(why);
    this.report(why, conn);
  }

  private clearDeadline(conn: Guarded): void {
    const timer = this.deadlines.get(conn);
    if (timer === undefined) return;
    timer.clear();
    this.deadlines.delete(conn);
  }

  private report(code: Refusal['code'], conn: Guarded): void {
    this.onRefused?.({ code, remote: conn.remote });
  }
}

/** How a refused or timed-out link is closed: 1013 says "come back later", 4002 "you broke the protocol". */
export function dropCloseCode(why: Refusal['code']): { code: number; reason: string } {
  return why === ErrorCode.TOO_MANY_CONNECTIONS
    ? { code: CloseCode.TRY_AGAIN_LATER, reason: 'too many connections' }
    : { code: CloseCode.PROTOCOL_ERROR, reason: 'not authenticated within the handshake timeout' };
}

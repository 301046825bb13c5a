/**
 * The transport contract. Protocol code above this line never sees a socket.
 *
 * A Link is a bidirectional, reliable, ordered, message-oriented channel between two nodes:
 * - every message sent is delivered whole and in order, exactly once, or the link closes
 *   (both ends then get `onClose`, once); nothing is delivered after `onClose`;
 * - `send` never throws and never blocks: it queues; `bufferedAmount` says how much is queued,
 *   so callers can apply backpressure; sends on a closed link are discarded (the close event
 *   tells the caller the link is gone);
 * - a message larger than the receiver's `maxMessageBytes` closes the link with code 1009.
 * Transports may coalesce writes made in the same event-loop turn into one system call.
 *
 * A listener protects itself from what connects (see connection-limits.ts): a link it accepted is
 * *unauthenticated* until the protocol layer calls `authenticated()`. Until then it may send only
 * small messages, must be authenticated within the handshake timeout (counted from the moment
 * the connection was accepted, before any WebSocket upgrade), and counts against caps per source
 * and in total; at a cap the oldest unauthenticated connection is evicted to make room, and only
 * when every slot is held by an authenticated link is the newcomer turned away. Each eviction,
 * refusal and timeout is reported to the listener's `onRefused`.
 */
import { BotzError, ErrorCode } from '../errors.js';
import type { Clock } from '../clock.js';
import type { ConnectionLimits } from './connection-limits.js';

import type { Keyring } from '../wire/keyring.js';

export type { ConnectionLimits } from './connection-limits.js';

export interface LinkHandlers {
  onMessage(data: Buffer): void;
  onClose(code: number, reason: string): void;
}

export interface Link {
  /** `host:port` of the other end as this end sees it. */
  readonly remoteAddress: string;
  readonly bufferedAmount: number;
  readonly closed: boolean;
  /** Installs the handlers; messages that arrived before are delivered to them first. */
  attach(handlers: LinkHandlers): void;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  /**
   * The other end proved it holds a key (the protocol's handshake completed). From now on an
   * accepted link has no handshake deadline, no longer counts against its listener's
   * unauthenticated caps, and takes messages up to the listener's `maxMessageBytes` instead of
   * `maxUnauthenticatedMessageBytes`. Harmless on a dialed link, on a closed one, and when repeated.
   */
  authenticated(): void;
  /**
   * A credential link (§3b) opens what arrives under keys its handshake derived. A transport
   * that decrypts packets before it hands them on (the browser's, which waits for WebCrypto)
   * must decrypt with those from the next packet on; the others have no such method.
   */
  decryptWith?(keyring: Keyring): void;
}

/** Connections a listener holds open now. */
export interface ConnectionCounts {
  /** All of them, from TCP accept (before any upgrade) to close. */
  total: number;
  /** Those whose link has not been `authenticated()` yet. */
  unauthenticated: number;
}

export interface Listener {
  /** `host:port` actually bound (port 0 resolved). */
  readonly address: string;
  readonly connections: ConnectionCounts;
  close(): Promise<void>;
}

/** A connection a listener closed or turned away to protect itself. */
export interface Refusal {
  /**
   * TOO_MANY_CONNECTIONS: evicted, or turned away, at a connection cap;
   * HANDSHAKE_TIMEOUT: not authenticated within the handshake timeout;
   * NOT_WEBSOCKET, BOTZILLA_FRAME: closed at its first bytes, which were not HTTP (a Botzilla v1 frame).
   */
  code: typeof ErrorCode.TOO_MANY_CONNECTIONS | typeof ErrorCode.HANDSHAKE_TIMEOUT | typeof ErrorCode.NOT_WEBSOCKET | typeof ErrorCode.BOTZILLA_FRAME;
  /** `host:port` of the other end. */
  remote: string;
}

const REFUSAL_REASONS: Record<Refusal['code'], string> = {
  TOO_MANY_CONNECTIONS: 'too many connections',
  HANDSHAKE_TIMEOUT: 'not authenticated within the handshake timeout',
  NOT_WEBSOCKET: 'it did not speak HTTP',
  BOTZILLA_FRAME: 'it sent a Botzilla v1 frame (Botzilla components belong on `botz serve --botzilla-port`)',
};

/** A refusal as the error it is counted (NodeContext.reject) and reported under. */
export function refusalError(refusal: Refusal): BotzError {
  const why = REFUSAL_REASONS[refusal.code];
  return new BotzError(refusal.code, `closed the connection from ${refusal.remote}: ${why}`, { details: { remote: refusal.remote } });
}

export interface ListenOptions {
  host: string;
  port: number;
  /** Largest message an authenticated link accepts. */
  maxMessageBytes: number;
  /** Caps and the handshake deadline; what is left out comes from `defaultConnectionLimits()`. */
  limits?: Partial<ConnectionLimits>;
  /** Told of every eviction, refusal and handshake timeout (count them, log them). */
  onRefused?: (refusal: Refusal) => void;
  /** Time for the handshake deadline (the node's clock). */
  clock?: Clock;
}

export interface ConnectOptions {
  timeoutMs: number;
  maxMessageBytes: number;
}

export interface Transport {
  /** Rejects with ADDRESS_IN_USE when something already listens on that host:port. */
  listen(options: ListenOptions, onLink: (link: Link) => void): Promise<Listener>;
  /**
   * Rejects with UNREACHABLE: nothing listens, refused, or no completed connection within the
   * timeout (then with `details.timedOut`: something accepted, or may have, but did not finish).
   */
  connect(address: string, options: ConnectOptions): Promise<Link>;
}

/** Close codes botz uses on links (1000–1015 are WebSocket's own). */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  TOO_BIG: 1009,
  /** Evicted by a listener at its connection cap to make room for a newer connection. */
  TRY_AGAIN_LATER: 1013,
  AUTH_FAILED: 4001,
  PROTOCOL_ERROR: 4002,
  NAME_TAKEN: 4009,
  REPLACED: 4010,
  HEARTBEAT_TIMEOUT: 4011,
  /** The peer stopped reading: more was queued for it than the sender holds for one link. */
  SLOW_CONSUMER: 4012,
  /** The peer's credential was refused at the handshake, or revoked or expired on a live link (issue 18). */
  CREDENTIAL_REJECTED: 4013,
} as const;

/**
 * `host:port` → parts; accepts `[v6]:port`. With `defaultPort`, a bare host (`localhost`,
 * `[::1]`) gets that port, as where a user names a server to start; a port that is there must
 * still be one.
 */
export function splitAddress(address: string, defaultPort?: number): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d{1,5}))?$/.exec(address);
  const port = m?.[3] !== undefined ? Number(m[3]) : (defaultPort ?? NaN);
  if (!m || !(port <= 65535)) {
    throw new BotzError(ErrorCode.INVALID_ARGUMENT, `"${address}" is not a host:port address`, { details: { address } });
  }
  return { host: m[1] ?? m[2], port };
}

export function joinAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

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
 */
import { BotzError, ErrorCode } from '../errors.js';

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
}

export interface Listener {
  /** `host:port` actually bound (port 0 resolved). */
  readonly address: string;
  close(): Promise<void>;
}

export interface ListenOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
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
  AUTH_FAILED: 4001,
  PROTOCOL_ERROR: 4002,
  NAME_TAKEN: 4009,
  REPLACED: 4010,
  HEARTBEAT_TIMEOUT: 4011,
} as const;

/** `host:port` → parts; accepts `[v6]:port`. */
export function splitAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(address);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new BotzError(ErrorCode.INVALID_ARGUMENT, `"${address}" is not a host:port address`, { details: { address } });
  }
  return { host: m[1] ?? m[2], port };
}

export function joinAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

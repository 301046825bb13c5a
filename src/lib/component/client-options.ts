/**
 * What a Client is configured with and what its calls take and return, plus the defaults.
 */
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import type { Secret } from '../channel/node-context.js';
import { isBotzError } from '../errors.js';
import type { Transport } from '../transport/transport.js';
import type { Codec } from '../wire/frames.js';

export { DEFAULT_SERVER } from '../registry/defaults.js';
export const DEFAULT_TIMEOUT_MS = 5_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;

export interface ClientOptions {
  /** `host:port` of the server (default 127.0.0.1:7300). */
  server?: string;
  secret: Secret;
  /** Name on the wire; a client's name is not registered, only used to route replies to it. */
  name?: string;
  /** Default timeout of each call, in ms. */
  timeoutMs?: number;
  /**
   * How long connecting to the server may take, in ms: TCP, the WebSocket upgrade and the
   * hello/welcome together. Default: 3 s, or `timeoutMs` when that is shorter, so a caller's
   * timeout also bounds the connection.
   */
  connectTimeoutMs?: number;
  transport?: Transport;
  maxPacketBytes?: number;
  /**
   * Encrypt payloads (AES-256-CTR under a key derived from the secret) on every link this node
   * opens or accepts; the other end follows. By default links are authenticated, not encrypted.
   */
  encrypt?: boolean;
  codecs?: Codec[];
}

export interface CallOptions {
  /** Milliseconds to wait for the whole call (lookup, dial and answer). */
  timeout?: number;
  /**
   * Cancels the call: it rejects with CANCELLED as soon as the signal fires, and nothing is left
   * waiting for its answer. What was already sent stays sent (a request may still run).
   */
  signal?: AbortSignal;
}

/** How a BroadcastResult names why one receiver failed. */
export function failureOf(error: unknown): { code: string; message: string } {
  return isBotzError(error) ? { code: error.code, message: error.message } : { code: 'ERROR', message: String(error) };
}

export interface BroadcastResult {
  delivered: string[];
  /** Components that received it but do not listen for broadcasts. */
  ignored: string[];
  failed: { name: string; error: { code: string; message: string } }[];
}

export function defaultClientName(): string {
  let user = 'user';
  try {
    user = userInfo().username.replace(/[^A-Za-z0-9_.-]/g, '') || user;
  } catch {
    // no passwd entry (containers): keep the default
  }
  return `botz-${user}-${process.pid}-${randomBytes(2).toString('hex')}`;
}

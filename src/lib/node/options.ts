/**
 * What a node (a Client, a Component) is configured with and what its calls take and return,
 * plus the defaults, in one place.
 */
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import type { NodeContextOptions } from '../channel/node-context.js';
import { BotzError, ErrorCode, isBotzError } from '../errors.js';
import type { MeshNodeOptions } from '../mesh/mesh-options.js';
import type { ConnectionLimits, Transport } from '../transport/transport.js';
import type { Body, Headers } from '../wire/frames.js';
import type { HandlerLimits } from './handler-limit.js';
import type { Message } from './message.js';
import type { ReliableOptions } from './reliable-delivery.js';
import type { ShutdownNotice } from './events.js';
import type { StreamOptions } from '../stream/stream-options.js';

export const DEFAULT_TIMEOUT_MS = 5_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;

export interface ClientOptions extends Omit<NodeContextOptions, 'name' | 'onReject'> {
  /** `host:port` of the server (default 127.0.0.1:7300); null: none at all (a component that only meshes). */
  server?: string | null;
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
  /**
   * A one-shot caller (a CLI command): it follows no membership events, and reaches a name it
   * never resolved through the server's relay at once (no lookup, no dial).
   */
  oneShot?: boolean;
  /** Streams (connect/accept): windows, limits and liveness (see stream-options.ts). */
  streams?: StreamOptions;
}

/** Mesh settings of a Component: the MeshNode's options (its name, secret and transport are the Component's). */
export interface MeshOptions extends Partial<Omit<MeshNodeOptions, 'name' | 'secret' | 'transport' | 'clock'>> {
  /** Mesh nodes (`host:port`) to link to at start and keep linked; this ignores the namespace. */
  dial?: string[];
  /** How long start waits for the first `dial` links before going on without them (they keep trying). */
  dialWaitMs?: number;
}

/** How long a forced shutdown waits for a component that answered "not ready". */
export const DEFAULT_SHUTDOWN_GRACE_MS = 2_000;

export interface ComponentOptions extends ClientOptions {
  name: string;
  /** Listen for direct links on this port (0: any free port). Without it, peers reach us through the relay. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** `host:port` to publish instead of the listen address (behind NAT or port forwarding). */
  advertise?: string;
  /**
   * Caps on connections to the direct port and its handshake deadline (see connection-limits.ts);
   * refusals are counted in `rejected` and emitted as 'rejected' events.
   */
  connectionLimits?: Partial<ConnectionLimits>;
  groups?: string[];
  meta?: Record<string, string>;
  /**
   * Answers requests (its return value is the reply; `reply(body, { headers })` adds headers)
   * and takes broadcasts and one-way messages (their return value is ignored).
   */
  onMessage?: (message: Message) => Body | undefined | unknown | Promise<unknown>;
  /** Asked on `shutdownRequest`: true when ready to stop now. Default: ready. */
  onShutdown?: (notice: ShutdownNotice) => boolean | Promise<boolean>;
  /** False: broadcasts are acknowledged as ignored and not handed to onMessage. */
  broadcasts?: boolean;
  shutdownGraceMs?: number;
  /**
   * Handler calls run at once, per sending peer and in total (see handler-limit.ts); past them a
   * request is refused before it runs, with TOO_MANY_PENDING. Default 1,000 per peer, 10,000 in all.
   */
  handlerLimits?: HandlerLimits;
  /** Tuning of reliable delivery (`deliver`, `messages`, `read`); see reliable-delivery.ts. */
  reliable?: ReliableOptions;
  /**
   * Run a mesh node beside the server link: it links to neighbours, forwards for others, and
   * hands mesh messages to onMessage (path 'mesh'). A mesh component needs no server: if none
   * answers at start it runs mesh-only and keeps trying to register. It registers with
   * `meta.mesh` = its mesh address, so `botz mesh ... NAME` finds it.
   */
  mesh?: MeshOptions;
}

export interface CallOptions {
  /** Milliseconds to wait for the whole call (lookup, dial and answer). */
  timeout?: number;
  /** Headers to send with the message (a string map; `msg.headers` at the receiver). */
  headers?: Headers;
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

/**
 * A component's name is its credential's. (Its direct and mesh listeners admit credential peers
 * only, §3b Peer links and §12 Mesh, Credentials.)
 */
export function checkCredentialOptions(o: ComponentOptions, kind: 'component' | 'client'): void {
  const credential = o.identity?.credential;
  if (!credential) return;
  const why = kind === 'component' && o.name !== credential.name ? `the name "${o.name}" (the credential is for "${credential.name}")` : undefined;
  if (why) throw new BotzError(ErrorCode.INVALID_ARGUMENT, `a component with a credential cannot have ${why}`);
}

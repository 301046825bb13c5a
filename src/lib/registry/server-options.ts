/**
 * What a Server is started with, what it reports, and what it counts: its options, events and
 * stats, apart from the server itself.
 */
import type { NodeContextOptions } from '../channel/node-context.js';
import type { ConnectionCounts, ConnectionLimits, Transport } from '../transport/transport.js';
import type { LivenessOptions, MembershipEvent } from './registry.js';
import type { Rejection } from './rejection-digest.js';
import type { RegistryStore, StoreStateEvent } from './server-store.js';

/** How often the server heartbeats every link; components answer each one. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 2_000;

/** Liveness defaults to 3 heartbeats of silence for suspect, 5 for removal, and 2 of grace after a link dropped. */
export interface ServerOptions extends Partial<LivenessOptions>, Omit<NodeContextOptions, 'name' | 'onReject' | 'codecs'> {
  host?: string;
  port?: number;
  heartbeatIntervalMs?: number;
  /** Traffic subscriptions (tails) served at once; more are refused with LIMIT_REACHED (default 32). */
  maxTails?: number;
  /** Bytes queued on a tail's link past which its events are dropped, and counted (default 1 MiB). */
  maxTailBufferedBytes?: number;
  transport?: Transport;
  /**
   * Caps on connections and the handshake deadline (see connection-limits.ts); the defaults
   * follow the process's open-file limit. The deadline also bounds the wait for a hello.
   */
  connectionLimits?: Partial<ConnectionLimits>;
  onEvent?: (event: ServerEvent) => void;
  /** A store shared with other servers, which then act as one network (default: none, this server alone). */
  store?: RegistryStore;
  /** How long this server's lease on its names lasts in the store without renewal (default suspectAfterMs). */
  leaseMs?: number;
  /** With `identity.authority`: how often live credential links are checked for revocation and expiry (default 1000 ms). */
  credentialCheckMs?: number;
}

export type ServerEvent =
  | MembershipEvent
  /**
   * A packet or connection refused. A summary of a flood has `count`: how many rejections of
   * this code from this source the last second held, and `remote` is the source address.
   */
  | ({ type: 'rejected'; count?: number } & Rejection)
  | StoreStateEvent;

export interface ServerStats {
  links: number;
  components: number;
  relayedPackets: number;
  /** Traffic subscriptions (`botz tail`) open now. */
  tails: number;
  /** Traffic events not sent to tails that did not keep up. */
  traceEventsDropped: number;
  /** Packets and connections refused, by error code (every one, also those a summary stands for). */
  rejected: Record<string, number>;
  /** Connections open now, from TCP accept on, and how many have not authenticated yet. */
  connections: ConnectionCounts;
}

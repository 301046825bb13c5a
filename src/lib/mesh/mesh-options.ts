/**
 * Options of a mesh node, with every default in one place and checked once, at construction.
 */
import { BotzError, ErrorCode } from '../errors.js';
import type { Secret } from '../channel/node-context.js';
import type { ConnectionLimits, Transport } from '../transport/transport.js';
import { systemClock, type Clock } from '../clock.js';

/** How often a node re-floods its state even when nothing changed (changes flood at once). */
export const DEFAULT_MSA_INTERVAL_MS = 2_000;
/** State unrefreshed for this many periods is aged out: survives two lost refreshes. */
export const DEFAULT_MSA_MAX_AGE_PERIODS = 3.5;
/** A routed message dies after this many hops, whatever the routes say. */
export const DEFAULT_HOP_LIMIT = 16;
/** How long each hop waits for the next one's ack; a copy going n hops waits n times this. */
export const DEFAULT_ACK_TIMEOUT_MS = 2_000;
/** How long a dial waits for the link and the peer's first announcement. */
export const DEFAULT_DIAL_TIMEOUT_MS = 5_000;
/** First delay before dialing a dropped dialed peer again (it doubles per failure, ×32 at most). */
export const DEFAULT_REDIAL_MS = 1_000;
export const DEFAULT_NAMESPACE = 'botz';
export const DEFAULT_DEGREE = 0;

export interface MeshNodeOptions {
  /** The node's name, unique on the mesh. */
  name: string;
  secret: Secret;
  /** Any Transport: ws for real networks, MemoryNetwork.transport(host) in simulations. */
  transport: Transport;
  /** Nodes discover only nodes of the same namespace; dialing ignores it. */
  namespace?: string;
  /** How many links discovery tries to keep (0: discovery off; dialing is never limited). */
  degree?: number;
  /** Where to accept links; port 0 picks a free one. */
  host?: string;
  port?: number;
  msaIntervalMs?: number;
  /** Default: DEFAULT_MSA_MAX_AGE_PERIODS × msaIntervalMs. */
  msaMaxAgeMs?: number;
  hopLimit?: number;
  ackTimeoutMs?: number;
  dialTimeoutMs?: number;
  redialMs?: number;
  /** Time for announcements, their ages, the incarnation number, packets and every timer of the node. */
  clock?: Clock;
  /**
   * The number this run's announcements start from (default: the clock at start, so a restarted
   * node is newer than its earlier run). Set it only to simulate a clock that went backwards.
   */
  incarnation?: number;
  /** UDP solicitation while the node has fewer than `degree` links; absent: off. */
  discovery?: DiscoveryConfig;
  /** Encrypt payloads on this node's links (see wire/packet.ts). */
  encrypt?: boolean;
  /** Largest packet this node sends or accepts (default: a 16 MiB body and 64 KiB of envelope, PROTOCOL.md §10). */
  maxPacketBytes?: number;
  /** Caps on connections to the node's listener and their handshake deadline (see connection-limits.ts). */
  connectionLimits?: Partial<ConnectionLimits>;
}

export interface DiscoveryConfig {
  /** Broadcast address or multicast group (224.0.0.0–239.255.255.255). Tests: 127.255.255.255 or a group on 127.0.0.1. */
  group: string;
  /** UDP port every node of the namespace binds and solicits to. */
  port: number;
  /** Interface to bind and join the group on (default 0.0.0.0; 127.0.0.1 in tests). */
  interfaceAddress?: string;
  /** How often a node short of links solicits (default 1 s). */
  intervalMs?: number;
}

export type ResolvedMeshOptions = Required<Omit<MeshNodeOptions, 'discovery' | 'incarnation' | 'maxPacketBytes'>> & { discovery?: DiscoveryConfig; incarnation?: number; maxPacketBytes?: number };

function invalid(message: string, details: Record<string, unknown>): BotzError {
  return new BotzError(ErrorCode.INVALID_ARGUMENT, message, { details });
}

/** Fills in defaults and rejects nonsense with INVALID_ARGUMENT. */
export function resolveMeshOptions(options: MeshNodeOptions): ResolvedMeshOptions {
  const msaIntervalMs = options.msaIntervalMs ?? DEFAULT_MSA_INTERVAL_MS;
  const resolved: ResolvedMeshOptions = {
    namespace: DEFAULT_NAMESPACE,
    degree: DEFAULT_DEGREE,
    host: '127.0.0.1',
    port: 0,
    hopLimit: DEFAULT_HOP_LIMIT,
    ackTimeoutMs: DEFAULT_ACK_TIMEOUT_MS,
    dialTimeoutMs: DEFAULT_DIAL_TIMEOUT_MS,
    redialMs: DEFAULT_REDIAL_MS,
    clock: systemClock,
    encrypt: false,
    connectionLimits: {},
    ...options,
    msaIntervalMs,
    msaMaxAgeMs: options.msaMaxAgeMs ?? Math.round(msaIntervalMs * DEFAULT_MSA_MAX_AGE_PERIODS),
  };
  const { name } = resolved;
  // '*' and '$…' are packet destinations with a meaning of their own (see wire/packet.ts).
  if (!name || name === '*' || name.startsWith('$') || Buffer.byteLength(name) > 255) {
    throw invalid(`"${name}" cannot name a mesh node`, { name });
  }
  for (const key of ['msaIntervalMs', 'msaMaxAgeMs', 'ackTimeoutMs', 'dialTimeoutMs', 'redialMs'] as const) {
    if (!(resolved[key] > 0)) throw invalid(`${key} must be positive`, { [key]: resolved[key] });
  }
  for (const key of ['hopLimit', 'degree', 'port'] as const) {
    if (!Number.isSafeInteger(resolved[key]) || resolved[key] < 0) {
      throw invalid(`${key} must be a whole number ≥ 0`, { [key]: resolved[key] });
    }
  }
  if (resolved.msaMaxAgeMs <= resolved.msaIntervalMs) {
    throw invalid('msaMaxAgeMs must exceed msaIntervalMs, or live state would age out', {
      msaMaxAgeMs: resolved.msaMaxAgeMs,
    });
  }
  return resolved;
}

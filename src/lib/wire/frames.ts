/**
 * Frames: the messages of the botz protocol, a discriminated union on `type`.
 * Every frame carries the protocol version `v`, its sender `from` and a unique `id`;
 * replies carry `re`, the id of the frame they answer. The destination and the timestamp
 * travel once per packet, in its header (see packet.ts), not in every frame.
 *
 * Wire owns every frame: the registry's and the network's are declared here, the mesh's and
 * reliable delivery's in mesh-frames.ts and reliable-frames.ts beside this file, and one table
 * (FRAME_FIELDS, in validate.ts) checks them all. Nothing in wire imports the layers that use frames.
 */
import { asBotzError, type ErrorCode } from '../errors.js';
import type { MeshFrame } from './mesh-frames.js';
import type { ReliableFrame } from './reliable-frames.js';
import type { Body, FrameBase, Headers, Unstamped } from './values.js';

export type { Json, Body, Headers } from './values.js';

export const PROTOCOL_VERSION = 1;

export type ComponentState = 'registered' | 'ready' | 'suspect';

/** What the registry knows about one component; the shape of `botz components --json`. */
export interface ComponentInfo {
  name: string;
  /** `host:port` where it accepts direct links, or null when it is reached through the server's relay. */
  address: string | null;
  groups: string[];
  state: ComponentState;
  meta: Record<string, string>;
  /** Milliseconds since the epoch of the last heartbeat the server received. */
  lastHeartbeat: number;
  registeredAt: number;
}

export type MemberEvent = 'join' | 'ready' | 'suspect' | 'alive' | 'leave';

/** How a frame travelled between two nodes: one of a node's three paths. */
export type Path = 'direct' | 'relay' | 'mesh';

/** One observed message, reported while somebody tails (a server's tail, or a mesh node's). */
export interface TrafficEvent {
  at: number;
  from: string;
  to: string;
  kind: 'request' | 'response' | 'broadcast' | 'ack' | 'error' | 'message' | 'shutdownRequest' | 'shutdownResponse';
  id: string;
  re?: string;
  size: number;
  path: Path;
  /** Request→reply time as seen by the requester, on responses and errors. */
  latencyMs?: number;
  /** The mesh hops a frame took so far (its origin first), on mesh traffic. */
  hops?: string[];
  /** On mesh traffic: what the reporting node did with it, and which node that is. */
  action?: 'originate' | 'forward' | 'deliver';
  /** On a mesh originate: the path the routing table sends it along, this node first. */
  route?: string[];
  node?: string;
  headers?: Headers;
  body?: Body;
}

/**
 * Server → one tail: `dropped` traffic events it was not sent because its link had too much
 * queued (a tail that does not keep up). Sent once the link drained, before the next event.
 */
export interface DroppedTraffic {
  at: number;
  kind: 'dropped';
  dropped: number;
}

/** Mesh node → its tails: one of its mesh links came up or went down. */
export interface LinkChange {
  at: number;
  kind: 'link';
  node: string;
  peer: string;
  change: 'up' | 'down';
  /** The peer's address (up), or why the link went (down: an error code). */
  address?: string;
  code?: string;
}

interface Reply {
  re: string;
}

export type Codec = 'json' | 'msgpack';
export type LinkRole = 'component' | 'client' | 'server' | 'peer';

/** Opens a link. The first packet each way; proves the sender holds a key of the keyring. */
export interface HelloFrame extends FrameBase {
  type: 'hello';
  role: LinkRole;
  /** Codecs the sender accepts, preferred first. */
  codecs: Codec[];
  /** Random, fresh per link: a captured hello cannot open another link. */
  nonce: string;
  /** The session token of an earlier registration, to reclaim the name after a reconnect. */
  session?: string;
  /** Ask for encrypted payloads on this link (both ways). */
  encrypt?: boolean;
}
export interface WelcomeFrame extends FrameBase, Reply {
  type: 'welcome';
  codec: Codec;
  /** Session token: present it in a later hello to reclaim the name. */
  session: string;
  nonce: string;
  /** How often the listener heartbeats this link, so the dialer can tell when it went silent. */
  heartbeatMs?: number;
  /** Payloads on this link are encrypted from now on, both ways (either end asked). */
  encrypt?: boolean;
  /** Somebody tails the network: report traffic from the first call on (a traceControl follows). */
  trace?: boolean;
  /** …with message bodies. */
  traceBodies?: boolean;
}
/**
 * The dialer's answer to the welcome: the listener's fresh nonce, in a packet under the
 * dialer's key. The first frame of the dialer's first packet after the welcome; until it
 * arrives the listener acts on nothing (a replayed hello cannot produce it).
 */
export interface AuthFrame extends FrameBase, Reply {
  type: 'auth';
  /** The welcome's `nonce`. */
  nonce: string;
}
export interface RegisterFrame extends FrameBase {
  type: 'register';
  address: string | null;
  port: number | null;
  groups: string[];
  meta: Record<string, string>;
}
export interface RegisteredFrame extends FrameBase, Reply {
  type: 'registered';
  component: ComponentInfo;
}
export interface RequestFrame extends FrameBase {
  type: 'request';
  body: Body;
  headers?: Headers;
  /** Milliseconds the sender will wait; a receiver may drop work it can no longer answer in time. */
  ttl?: number;
}
export interface ResponseFrame extends FrameBase, Reply {
  type: 'response';
  body: Body;
  headers?: Headers;
}
export interface ErrorFrame extends FrameBase {
  type: 'error';
  re?: string;
  code: string;
  message: string;
}
export interface BroadcastFrame extends FrameBase {
  type: 'broadcast';
  group?: string;
  body: Body;
  headers?: Headers;
}
/**
 * A one-way message that is never answered: what the mesh carries for MeshNode.send and a
 * mesh-wide broadcast, whose delivery the per-hop acks report.
 */
export interface MessageFrame extends FrameBase {
  type: 'message';
  body: Body;
  headers?: Headers;
  /** Part of a mesh-wide broadcast (the handler sees kind 'broadcast'). */
  broadcast?: boolean;
}
export interface AckFrame extends FrameBase, Reply {
  type: 'ack';
  /** True when the receiver does not listen for broadcasts and dropped it on purpose. */
  ignored?: boolean;
}
export interface ReadyFrame extends FrameBase {
  type: 'ready';
}
export interface HeartbeatFrame extends FrameBase {
  type: 'heartbeat';
}
export interface ShutdownRequestFrame extends FrameBase {
  type: 'shutdownRequest';
  forced: boolean;
}
export interface ShutdownResponseFrame extends FrameBase, Reply {
  type: 'shutdownResponse';
  ready: boolean;
}
export interface ByeFrame extends FrameBase {
  type: 'bye';
}
export interface LookupFrame extends FrameBase {
  type: 'lookup';
  name: string;
}
export interface LocatedFrame extends FrameBase, Reply {
  type: 'located';
  component: ComponentInfo;
}
export interface ListFrame extends FrameBase {
  type: 'list';
  group?: string;
}
export interface ComponentsFrame extends FrameBase, Reply {
  type: 'components';
  components: ComponentInfo[];
}
export type Topic = 'members' | 'traffic';
export interface SubscribeFrame extends FrameBase {
  type: 'subscribe';
  topics: Topic[];
  /** Only traffic that involves one of these names (empty: all). */
  names?: string[];
  /** Traffic events should carry message bodies. */
  bodies?: boolean;
}
export interface UnsubscribeFrame extends FrameBase {
  type: 'unsubscribe';
  topics: Topic[];
}
export interface MemberFrame extends FrameBase {
  type: 'member';
  event: MemberEvent;
  component: ComponentInfo;
}
/** Server → components: start (or stop) reporting traffic, because somebody tails. */
export interface TraceControlFrame extends FrameBase {
  type: 'traceControl';
  on: boolean;
  /** Include message bodies in trace reports. */
  bodies?: boolean;
}
export interface TraceFrame extends FrameBase {
  type: 'trace';
  event: TrafficEvent | DroppedTraffic | LinkChange;
}

export type Frame =
  | HelloFrame
  | WelcomeFrame
  | AuthFrame
  | RegisterFrame
  | RegisteredFrame
  | RequestFrame
  | ResponseFrame
  | ErrorFrame
  | BroadcastFrame
  | MessageFrame
  | AckFrame
  | ReadyFrame
  | HeartbeatFrame
  | ShutdownRequestFrame
  | ShutdownResponseFrame
  | ByeFrame
  | LookupFrame
  | LocatedFrame
  | ListFrame
  | ComponentsFrame
  | SubscribeFrame
  | UnsubscribeFrame
  | MemberFrame
  | TraceControlFrame
  | TraceFrame
  | MeshFrame
  | ReliableFrame;

export type FrameType = Frame['type'];
export type FrameOf<T extends FrameType> = Extract<Frame, { type: T }>;
/** A frame before the sender stamps it with `v`, `id` and `from`. */
export type FrameInit<T extends Frame = Frame> = Unstamped<T>;

/** The error frame that answers frame `re` with `error`: its code and message if it is a BotzError, else `fallback`. */
export function errorReply(re: string, error: unknown, fallback: ErrorCode): FrameInit<ErrorFrame> {
  const e = asBotzError(error, fallback);
  return { type: 'error', re, code: e.code, message: e.message };
}

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
import type { MeshFrameFields } from './mesh-frames.js';
import type { ReliableFrameFields } from './reliable-frames.js';
import type { StreamFrameFields } from './stream-frames.js';
import type { Body, FramesOf, Headers, NoFields, Unstamped } from './values.js';

export type { Json, Body, Headers } from './values.js';

export const PROTOCOL_VERSION = 1;

export type ComponentState = 'registered' | 'ready' | 'suspect';

/** A stream's open and accept (as any call and its answer), and its end at either side (issue 15). */
export type StreamTrafficKind = 'streamOpen' | 'streamAccept' | 'streamClose';

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
  /** `host:port` of the server it is attached to, when several servers share a store (issue 16). */
  server?: string;
}

export type MemberEvent = 'join' | 'ready' | 'suspect' | 'alive' | 'leave';

/** How a frame travelled between two nodes: one of a node's three paths. */
export type Path = 'direct' | 'relay' | 'mesh';

/** One observed message, reported while somebody tails (a server's tail, or a mesh node's). */
export interface TrafficEvent {
  at: number;
  from: string;
  to: string;
  kind: 'request' | 'response' | 'broadcast' | 'ack' | 'error' | 'message' | 'shutdownRequest' | 'shutdownResponse' | StreamTrafficKind;
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
export type Topic = 'members' | 'traffic';
export type LinkRole = 'component' | 'client' | 'server' | 'peer';

/**
 * The fields of each frame type of the registry and the network beyond the envelope, by type
 * (a reply's `re` is Reply); the mesh's and reliable delivery's are beside this file.
 */
export interface CoreFrameFields {
  /** Opens a link. The first packet each way; proves the sender holds a key of the keyring. */
  hello: {
    role: LinkRole;
    /** Codecs the sender accepts, preferred first. */
    codecs: Codec[];
    /** Random, fresh per link: a captured hello cannot open another link. */
    nonce: string;
    /** The session token of an earlier registration, to reclaim the name after a reconnect. */
    session?: string;
    /** Ask for encrypted payloads on this link (both ways). */
    encrypt?: boolean;
    /** A credential link (PROTOCOL.md §3b): the issuer's grant token for the sender's key. */
    grant?: string;
    /** A credential link: the sender's ephemeral X25519 public key, 32 bytes base64url. */
    ephemeral?: string;
  };
  welcome: Reply & {
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
    /** A credential link: the listener's ephemeral X25519 public key, 32 bytes base64url. */
    ephemeral?: string;
    /** A credential link: the issuer's Ed25519 signature over the hello's transcript and `ephemeral` (§3b). */
    proof?: string;
    /** A peer credential link (§3b Peer links, issue 18): the listener's own grant; `proof` is then its key's signature. */
    grant?: string;
  };
  /**
   * The dialer's answer to the welcome: the listener's fresh nonce, in a packet under the
   * dialer's key. The first frame of the dialer's first packet after the welcome; until it
   * arrives the listener acts on nothing (a replayed hello cannot produce it).
   */
  auth: Reply & {
    /** The welcome's `nonce`. */
    nonce: string;
    /** A credential link: the credential's Ed25519 signature over the handshake transcript (§3b). */
    proof?: string;
  };
  register: {
    address: string | null;
    port: number | null;
    groups: string[];
    meta: Record<string, string>;
  };
  registered: Reply & { component: ComponentInfo };
  request: {
    body: Body;
    headers?: Headers;
    /** Milliseconds the sender will wait; a receiver may drop work it can no longer answer in time. */
    ttl?: number;
  };
  response: Reply & {
    body: Body;
    headers?: Headers;
  };
  error: {
    re?: string;
    code: string;
    message: string;
  };
  broadcast: {
    group?: string;
    body: Body;
    headers?: Headers;
  };
  /**
   * A one-way message that is never answered: what the mesh carries for MeshNode.send and a
   * mesh-wide broadcast, whose delivery the per-hop acks report.
   */
  message: {
    body: Body;
    headers?: Headers;
    /** Part of a mesh-wide broadcast (the handler sees kind 'broadcast'). */
    broadcast?: boolean;
  };
  ack: Reply & {
    /** True when the receiver does not listen for broadcasts and dropped it on purpose. */
    ignored?: boolean;
  };
  ready: NoFields;
  heartbeat: NoFields;
  shutdownRequest: { forced: boolean };
  shutdownResponse: Reply & { ready: boolean };
  bye: NoFields;
  lookup: { name: string };
  located: Reply & { component: ComponentInfo };
  /** With `limit`, one page of at most that many after `cursor` (list-paging.ts); without, everything at once. */
  list: { group?: string; limit?: number; cursor?: string };
  /** `next`: the cursor of the following page, present while more remain (a paged list only). */
  components: Reply & {
    components: ComponentInfo[];
    next?: string;
    /** The shared store the answering server cannot reach (issue 16): the others' entries are its last view. */
    storeDown?: string;
  };
  subscribe: {
    topics: Topic[];
    /** Only traffic that involves one of these names (empty: all). */
    names?: string[];
    /** Traffic events should carry message bodies. */
    bodies?: boolean;
  };
  unsubscribe: { topics: Topic[] };
  member: {
    event: MemberEvent;
    component: ComponentInfo;
  };
  /** Server → components: start (or stop) reporting traffic, because somebody tails. */
  traceControl: {
    on: boolean;
    /** Include message bodies in trace reports. */
    bodies?: boolean;
  };
  trace: { event: TrafficEvent | DroppedTraffic | LinkChange };
  /**
   * Server → its credential links (issue 18): the ids of the grants it revoked that have not
   * expired (the newest, at most MAX_REVOKED_IDS); each replaces the last. A component refuses
   * and cuts peer links of those grants (§3b Peer links), which it cannot learn otherwise.
   */
  revoked: { ids: string[] };
}

/** Every frame: the envelope, the type and its fields, for each type of the three tables. */
export type Frame = FramesOf<CoreFrameFields & MeshFrameFields & ReliableFrameFields & StreamFrameFields>;
export type FrameType = Frame['type'];
export type FrameOf<T extends FrameType> = Extract<Frame, { type: T }>;
export type HelloFrame = FrameOf<'hello'>;
export type ErrorFrame = FrameOf<'error'>;
/** A frame before the sender stamps it with `v`, `id` and `from`. */
export type FrameInit<T extends Frame = Frame> = Unstamped<T>;

/** The error frame that answers frame `re` with `error`: its code and message if it is a BotzError, else `fallback`. */
export function errorReply(re: string, error: unknown, fallback: ErrorCode): FrameInit<ErrorFrame> {
  const e = asBotzError(error, fallback);
  return { type: 'error', re, code: e.code, message: e.message };
}

/**
 * Frames: the messages of the botz protocol, a discriminated union on `type`.
 * Every frame carries the protocol version `v`, its sender `from` and a unique `id`;
 * replies carry `re`, the id of the frame they answer. The destination and the timestamp
 * travel once per packet, in its header (see packet.ts), not in every frame.
 */
import { BotzError, ErrorCode } from '../errors.js';
import { fitsDestination, MAX_DESTINATION_BYTES } from './names.js';
// Frames of the mesh (issue 7) and of reliable delivery (issue 8) live beside their logic.
import { MESH_FRAME_FIELDS, type MeshFrame } from '../mesh/mesh-frames.js';
import { RELIABLE_FRAME_FIELDS, type ReliableFrame } from '../reliable/reliable-frames.js';

export const PROTOCOL_VERSION = 1;

/** Any JSON value. Bodies are string maps by convention (`{ key: 'value' }`) but any JSON travels. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Body = Json;

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

/** One observed message, reported to the server only while somebody tails. */
export interface TrafficEvent {
  at: number;
  from: string;
  to: string;
  kind: 'request' | 'response' | 'broadcast' | 'ack' | 'error' | 'shutdownRequest' | 'shutdownResponse';
  id: string;
  re?: string;
  size: number;
  path: 'direct' | 'relay' | 'mesh';
  /** Request→reply time as seen by the requester, on responses and errors. */
  latencyMs?: number;
  /** The mesh hops a frame took, on mesh traffic. */
  hops?: string[];
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

interface Base {
  v: number;
  id: string;
  from: string;
}
interface Reply {
  re: string;
}

export type Codec = 'json' | 'msgpack';
export type LinkRole = 'component' | 'client' | 'server' | 'peer';

/** Opens a link. The first packet each way; proves the sender holds a key of the keyring. */
export interface HelloFrame extends Base {
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
export interface WelcomeFrame extends Base, Reply {
  type: 'welcome';
  codec: Codec;
  /** Session token: present it in a later hello to reclaim the name. */
  session: string;
  nonce: string;
  /** How often the listener heartbeats this link, so the dialer can tell when it went silent. */
  heartbeatMs?: number;
  /** Payloads on this link are encrypted from now on, both ways (either end asked). */
  encrypt?: boolean;
}
/**
 * The dialer's answer to the welcome: the listener's fresh nonce, in a packet under the
 * dialer's key. The first frame of the dialer's first packet after the welcome; until it
 * arrives the listener acts on nothing (a replayed hello cannot produce it).
 */
export interface AuthFrame extends Base, Reply {
  type: 'auth';
  /** The welcome's `nonce`. */
  nonce: string;
}
export interface RegisterFrame extends Base {
  type: 'register';
  address: string | null;
  port: number | null;
  groups: string[];
  meta: Record<string, string>;
}
export interface RegisteredFrame extends Base, Reply {
  type: 'registered';
  component: ComponentInfo;
}
export interface RequestFrame extends Base {
  type: 'request';
  body: Body;
  /** Milliseconds the sender will wait; a receiver may drop work it can no longer answer in time. */
  ttl?: number;
}
export interface ResponseFrame extends Base, Reply {
  type: 'response';
  body: Body;
}
export interface ErrorFrame extends Base {
  type: 'error';
  re?: string;
  code: string;
  message: string;
}
export interface BroadcastFrame extends Base {
  type: 'broadcast';
  group?: string;
  body: Body;
}
export interface AckFrame extends Base, Reply {
  type: 'ack';
  /** True when the receiver does not listen for broadcasts and dropped it on purpose. */
  ignored?: boolean;
}
export interface ReadyFrame extends Base {
  type: 'ready';
}
export interface HeartbeatFrame extends Base {
  type: 'heartbeat';
}
export interface ShutdownRequestFrame extends Base {
  type: 'shutdownRequest';
  forced: boolean;
}
export interface ShutdownResponseFrame extends Base, Reply {
  type: 'shutdownResponse';
  ready: boolean;
}
export interface ByeFrame extends Base {
  type: 'bye';
}
export interface LookupFrame extends Base {
  type: 'lookup';
  name: string;
}
export interface LocatedFrame extends Base, Reply {
  type: 'located';
  component: ComponentInfo;
}
export interface ListFrame extends Base {
  type: 'list';
  group?: string;
}
export interface ComponentsFrame extends Base, Reply {
  type: 'components';
  components: ComponentInfo[];
}
export type Topic = 'members' | 'traffic';
export interface SubscribeFrame extends Base {
  type: 'subscribe';
  topics: Topic[];
  /** Only traffic that involves one of these names (empty: all). */
  names?: string[];
  /** Traffic events should carry message bodies. */
  bodies?: boolean;
}
export interface UnsubscribeFrame extends Base {
  type: 'unsubscribe';
  topics: Topic[];
}
export interface MemberFrame extends Base {
  type: 'member';
  event: MemberEvent;
  component: ComponentInfo;
}
/** Server → components: start (or stop) reporting traffic, because somebody tails. */
export interface TraceControlFrame extends Base {
  type: 'traceControl';
  on: boolean;
  /** Include message bodies in trace reports. */
  bodies?: boolean;
}
export interface TraceFrame extends Base {
  type: 'trace';
  event: TrafficEvent | DroppedTraffic;
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
export type FrameInit<T extends Frame = Frame> = T extends Frame ? Omit<T, 'v' | 'id' | 'from'> : never;

type FieldCheck = (value: unknown) => boolean;
const str: FieldCheck = (x) => typeof x === 'string';
const bool: FieldCheck = (x) => typeof x === 'boolean';
const num: FieldCheck = (x) => typeof x === 'number' && Number.isFinite(x);
/** Any JSON value, but present (null is a value; a missing field is not). */
const json: FieldCheck = (x) => x !== undefined;
const obj: FieldCheck = (x) => typeof x === 'object' && x !== null && !Array.isArray(x);
const strArr: FieldCheck = (x) => Array.isArray(x) && x.every((s) => typeof s === 'string');
const opt =
  (check: FieldCheck): FieldCheck =>
  (x) =>
    x === undefined || check(x);
const nullable =
  (check: FieldCheck): FieldCheck =>
  (x) =>
    x === null || check(x);
const oneOf =
  (...values: string[]): FieldCheck =>
  (x) =>
    typeof x === 'string' && values.includes(x);
const component: FieldCheck = (x) =>
  obj(x) && str((x as ComponentInfo).name) && strArr((x as ComponentInfo).groups) && str((x as ComponentInfo).state);

/**
 * The required fields of each frame type beyond the common ones. This table is the single
 * source for validation; PROTOCOL.md documents the same fields.
 */
export const FRAME_FIELDS: Record<FrameType, Record<string, FieldCheck>> = {
  hello: { role: oneOf('component', 'client', 'server', 'peer'), codecs: strArr, nonce: str, session: opt(str), encrypt: opt(bool) },
  welcome: { re: str, codec: oneOf('json', 'msgpack'), session: str, nonce: str, heartbeatMs: opt(num), encrypt: opt(bool) },
  auth: { re: str, nonce: str },
  register: { address: nullable(str), port: nullable(num), groups: strArr, meta: obj },
  registered: { re: str, component },
  request: { body: json, ttl: opt(num) },
  response: { re: str, body: json },
  error: { re: opt(str), code: str, message: str },
  broadcast: { group: opt(str), body: json },
  ack: { re: str, ignored: opt(bool) },
  ready: {},
  heartbeat: {},
  shutdownRequest: { forced: bool },
  shutdownResponse: { re: str, ready: bool },
  bye: {},
  lookup: { name: str },
  located: { re: str, component },
  list: { group: opt(str) },
  components: { re: str, components: (x) => Array.isArray(x) && x.every(component) },
  subscribe: { topics: strArr, names: opt(strArr), bodies: opt(bool) },
  unsubscribe: { topics: strArr },
  member: { event: oneOf('join', 'ready', 'suspect', 'alive', 'leave'), component },
  traceControl: { on: bool, bodies: opt(bool) },
  trace: { event: obj },
  ...MESH_FRAME_FIELDS,
  ...RELIABLE_FRAME_FIELDS,
};

function malformed(message: string): BotzError {
  return new BotzError(ErrorCode.MALFORMED_FRAME, message);
}

/**
 * Checks that a decoded value is a well-formed frame of a known type and version.
 * Throws a BotzError (MALFORMED_FRAME, UNKNOWN_TYPE or BAD_VERSION), never anything else.
 */
export function validateFrame(value: unknown): Frame {
  if (!obj(value)) throw malformed('a frame must be an object');
  const f = value as Record<string, unknown>;
  if (f.v !== PROTOCOL_VERSION) {
    throw new BotzError(ErrorCode.BAD_VERSION, `unsupported protocol version ${JSON.stringify(f.v)}`);
  }
  if (typeof f.type !== 'string') throw malformed('a frame needs a string "type"');
  const fields = Object.hasOwn(FRAME_FIELDS, f.type) ? FRAME_FIELDS[f.type as FrameType] : undefined;
  if (!fields) throw new BotzError(ErrorCode.UNKNOWN_TYPE, `unknown frame type "${f.type.slice(0, 64)}"`);
  if (typeof f.id !== 'string' || f.id.length === 0) throw malformed(`${f.type}: "id" must be a non-empty string`);
  if (typeof f.from !== 'string') throw malformed(`${f.type}: "from" must be a string`);
  // Replies go to `from`: it must be a name a packet header can carry (one length byte).
  if (f.from.length === 0 || !fitsDestination(f.from)) {
    throw malformed(`${f.type}: "from" must be 1 to ${MAX_DESTINATION_BYTES} bytes of UTF-8`);
  }
  for (const key in fields) {
    if (!fields[key](f[key])) throw malformed(`${f.type}: field "${key}" is missing or has the wrong type`);
  }
  return value as unknown as Frame;
}

/** Frames that answer another frame (they carry `re`). */
export function isReply(frame: Frame): frame is Frame & Reply {
  return typeof (frame as Partial<Reply>).re === 'string';
}

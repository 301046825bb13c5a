/**
 * What makes a decoded value a frame: the one table of each frame type's fields (FRAME_FIELDS)
 * and the checks every frame passes. PROTOCOL.md §8 documents the same fields.
 */
import { BotzError, ErrorCode } from '../errors.js';
import { PROTOCOL_VERSION, type ComponentInfo, type Frame, type FrameType } from './frames.js';
import { fitsDestination, MAX_DESTINATION_BYTES } from './names.js';
import {
  arrayOf,
  bool,
  count,
  json,
  nodeName,
  nonEmpty,
  nullable,
  num,
  obj,
  oneOf,
  opt,
  positive,
  str,
  strArr,
  stringMap,
  type FieldCheck,
} from './fields.js';
import { MAX_CARRIED_FRAMES, MAX_MSA_NEIGHBOURS, MAX_MSA_NUMBER, MESH_QUERY_KINDS, type MeshIdentity, type MeshMiss } from './mesh-frames.js';
import { MAX_SACK_RANGES } from './reliable-frames.js';
import { MAX_LIST_CURSOR_CHARS } from './list-paging.js';
import { MAX_PROTOCOL_CHARS, MAX_STREAM_ID_CHARS } from './stream-frames.js';

const component: FieldCheck = (x) =>
  obj(x) && str((x as ComponentInfo).name) && strArr((x as ComponentInfo).groups) && str((x as ComponentInfo).state);
const headers = opt(stringMap);
const msaNumber: FieldCheck = (x) => count(x) && (x as number) <= MAX_MSA_NUMBER;

/** The most revoked grant ids one `revoked` frame carries (issue 18): the server sends the newest. */
export const MAX_REVOKED_IDS = 1024;
/** A neighbour name of at most MAX_DESTINATION_BYTES bytes of UTF-8. */
const neighbourName: FieldCheck = (x) => typeof x === 'string' && fitsDestination(x);
const bytesOrText: FieldCheck = (x) => x instanceof Uint8Array || typeof x === 'string';
const misses = arrayOf((m) => obj(m) && str((m as MeshMiss).name) && str((m as MeshMiss).code));
/** A non-empty string of bounded length (a stream id, a protocol name, a key: a peer cannot make us keep long ones). */
const shortName =
  (max: number): FieldCheck =>
  (x) =>
    nonEmpty(x) && (x as string).length <= max;
/** A mesh key (base64url of 32 bytes) and an Ed25519 signature (base64url of 64 bytes), with room to spare. */
const meshKey = shortName(64);
const signature = shortName(128);
/** A grant token, at most 8 KiB as a hello's. */
const grantToken = shortName(8192);
/** A signed mesh key: a grant token and two base64url values. */
const meshIdentity: FieldCheck = (x) => obj(x) && grantToken((x as MeshIdentity).grant) && meshKey((x as MeshIdentity).key) && signature((x as MeshIdentity).proof);
const seqRange: FieldCheck = (r) => Array.isArray(r) && r.length === 2 && positive(r[0]) && positive(r[1]) && r[0] <= r[1];
/** Frames that never travel inside a meshSend: the handshake's and the mesh's own. */
const NOT_CARRIED = new Set(['hello', 'welcome', 'auth', 'msa', 'meshSend', 'meshAck']);
/** The frames a meshSend (or a sealed box) carries: each one validated as a frame in its own right (throws MALFORMED_FRAME...). */
export const validateCarried: FieldCheck = (x) =>
  Array.isArray(x) && x.length >= 1 && x.length <= MAX_CARRIED_FRAMES && x.every((f) => {
    validateFrame(f);
    return !NOT_CARRIED.has((f as { type: string }).type);
  });

/**
 * The required fields of each frame type beyond the common ones: the single source for validation.
 */
export const FRAME_FIELDS: Record<FrameType, Record<string, FieldCheck>> = {
  // links
  hello: { role: oneOf('component', 'client', 'server', 'peer'), codecs: strArr, nonce: str, session: opt(str), encrypt: opt(bool), grant: opt(str), ephemeral: opt(str) },
  welcome: { re: str, codec: oneOf('json', 'msgpack'), session: str, nonce: str, heartbeatMs: opt(num), encrypt: opt(bool), trace: opt(bool), traceBodies: opt(bool), ephemeral: opt(str), proof: opt(str), grant: opt(str) },
  auth: { re: str, nonce: str, proof: opt(str) },
  bye: {},
  heartbeat: {},
  // the registry
  register: { address: nullable(str), port: nullable(num), groups: strArr, meta: stringMap },
  registered: { re: str, component },
  ready: {},
  lookup: { name: str },
  located: { re: str, component },
  list: { group: opt(str), limit: opt(positive), cursor: opt((x) => str(x) && (x as string).length <= MAX_LIST_CURSOR_CHARS) },
  components: { re: str, components: arrayOf(component), next: opt(str), storeDown: opt(str) },
  subscribe: { topics: strArr, names: opt(strArr), bodies: opt(bool) },
  unsubscribe: { topics: strArr },
  member: { event: oneOf('join', 'ready', 'suspect', 'alive', 'leave'), component },
  traceControl: { on: bool, bodies: opt(bool) },
  trace: { event: obj },
  // messages between components
  request: { body: json, headers, ttl: opt(num) },
  response: { re: str, body: json, headers },
  error: { re: opt(str), code: str, message: str },
  broadcast: { group: opt(str), body: json, headers },
  message: { body: json, headers, broadcast: opt(bool) },
  ack: { re: str, ignored: opt(bool) },
  shutdownRequest: { forced: bool },
  shutdownResponse: { re: str, ready: bool },
  // reliable delivery
  data: { session: nonEmpty, peer: nonEmpty, seq: positive, body: json, headers },
  sack: { session: nonEmpty, peer: nonEmpty, cumulative: count, held: count, ranges: arrayOf(seqRange, MAX_SACK_RANGES), window: count },
  resume: { session: nonEmpty, epoch: count, peer: nullable(nonEmpty), received: count, window: count, reply: bool },
  // the mesh
  msa: { origin: nodeName, incarnation: msaNumber, seq: msaNumber, neighbours: arrayOf(neighbourName, MAX_MSA_NEIGHBOURS), identity: opt(meshIdentity), sig: opt(signature) },
  meshSend: { origin: nodeName, recipients: strArr, path: strArr, hopLimit: count, ttl: num, broadcast: bool, frames: validateCarried },
  sealed: { to: nodeName, key: meshKey, identity: opt(meshIdentity), n: count, ts: count, box: bytesOrText },
  meshAck: { re: str, reached: strArr, unreachable: misses },
  meshQuery: { what: oneOf(...MESH_QUERY_KINDS) },
  meshInfo: { re: str, routes: opt(arrayOf(obj)), dot: opt(str), status: opt(obj) },
  meshDial: { address: str },
  meshDialed: { re: str, peer: str },
  meshHangup: { peer: str },
  // streams (issue 15)
  streamOpen: {
    stream: shortName(MAX_STREAM_ID_CHARS),
    protocol: shortName(MAX_PROTOCOL_CHARS),
    mode: oneOf('bytes', 'json'),
    window: count,
    instance: shortName(MAX_STREAM_ID_CHARS),
    headers,
  },
  streamAccept: { re: str, stream: shortName(MAX_STREAM_ID_CHARS), window: count, instance: shortName(MAX_STREAM_ID_CHARS) },
  streamData: { stream: shortName(MAX_STREAM_ID_CHARS), seq: positive, chunk: json },
  streamCredit: { stream: shortName(MAX_STREAM_ID_CHARS), seq: count, window: count },
  streamEnd: { stream: shortName(MAX_STREAM_ID_CHARS), seq: positive },
  streamReset: { stream: shortName(MAX_STREAM_ID_CHARS), code: str, message: str },
  streamPing: { instance: shortName(MAX_STREAM_ID_CHARS), reply: bool },
  // issue 18
  revoked: { ids: arrayOf(str, MAX_REVOKED_IDS) },
};

/** The frame types that answer another frame: those whose fields include `re`. */
const ANSWER_TYPES: ReadonlySet<string> = new Set(Object.keys(FRAME_FIELDS).filter((type) => 're' in FRAME_FIELDS[type as FrameType]));

/**
 * The id a frame answers, when it is an answer: a frame of an answering type with a string `re`
 * (an `error` may lack one). A request carrying a stray `re` is still a request.
 */
export function answerTo(frame: Frame): string | undefined {
  const re = (frame as { re?: unknown }).re;
  return typeof re === 'string' && ANSWER_TYPES.has(frame.type) ? re : undefined;
}

export function malformed(message: string): BotzError {
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

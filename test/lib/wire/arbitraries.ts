/**
 * fast-check arbitraries for every frame type. The record is typed over FrameType, so adding a
 * frame type to frames.ts without an arbitrary here is a type error, not a silent gap.
 * Optional fields are omitted rather than set to undefined: undefined does not exist on the wire.
 */
import fc from 'fast-check';
import { FRAME_FIELDS } from '../../../src/lib/wire/validate.js';
import {
  PROTOCOL_VERSION,
  type Codec,
  type ComponentInfo,
  type Frame,
  type FrameOf,
  type FrameType,
  type Json,
  type TrafficEvent,
} from '../../../src/lib/wire/frames.js';
import type { CarriedFrame } from '../../../src/lib/wire/mesh-frames.js';

const name = fc.string({ minLength: 1, maxLength: 20 });
const id = fc.string({ minLength: 1, maxLength: 24 });
const strings = fc.array(fc.string({ maxLength: 12 }), { maxLength: 4 });
const stringMap = fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), { maxKeys: 4 });
const time = fc.integer({ min: 0, max: 2 ** 48 });

/** True when some object inside `value` has an own `__proto__` key. */
export function hasProtoKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasProtoKey);
  if (typeof value !== 'object' || value === null) return false;
  return Object.hasOwn(value, '__proto__') || Object.values(value).some(hasProtoKey);
}

/**
 * Any JSON value, sometimes with an own `__proto__` key (built the way JSON.parse builds it).
 * Passed through JSON text once, so it is a value JSON can express (no -0).
 */
export const jsonBody: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
  { weight: 1, arbitrary: stringMap as fc.Arbitrary<Json> },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.jsonValue({ maxDepth: 2 }), stringMap).map(([inner, rest]) => {
      const others = Object.entries(rest).map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`);
      return JSON.parse(`{"__proto__":${JSON.stringify(inner)}${others.join('')}}`) as Json;
    }),
  },
).map((v) => JSON.parse(JSON.stringify(v)) as Json);


export const componentInfo: fc.Arbitrary<ComponentInfo> = fc.record({
  name,
  address: fc.option(fc.constant('127.0.0.1:7301'), { nil: null }),
  groups: strings,
  state: fc.constantFrom('registered', 'ready', 'suspect'),
  meta: stringMap,
  lastHeartbeat: time,
  registeredAt: time,
});

const trafficEvent: fc.Arbitrary<TrafficEvent> = fc.record(
  {
    at: time,
    from: name,
    to: name,
    kind: fc.constantFrom('request', 'response', 'broadcast', 'error', 'shutdownRequest', 'shutdownResponse'),
    id,
    re: id,
    size: fc.nat(),
    path: fc.constantFrom('direct', 'relay', 'mesh'),
    latencyMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
    hops: strings,
    body: jsonBody,
  },
  { requiredKeys: ['at', 'from', 'to', 'kind', 'id', 'size', 'path'] },
);

type Fields<T extends FrameType> = Omit<FrameOf<T>, 'v' | 'id' | 'from' | 'type'>;
type FieldArbs = { [T in FrameType]: fc.Arbitrary<Fields<T>> };

function fieldArbs(body: fc.Arbitrary<Json>): FieldArbs {
  const opt = <T,>(r: Record<string, fc.Arbitrary<unknown>>, required: string[]) =>
    fc.record(r, { requiredKeys: required as never[] }) as unknown as fc.Arbitrary<T>;
  return {
    hello: opt(
      { role: fc.constantFrom('component', 'client', 'server', 'peer'), codecs: fc.subarray(['json', 'msgpack']), nonce: id, session: id },
      ['role', 'codecs', 'nonce'],
    ),
    welcome: opt(
      { re: id, codec: fc.constantFrom('json', 'msgpack'), session: id, nonce: id, heartbeatMs: fc.integer({ min: 1, max: 600_000 }) },
      ['re', 'codec', 'session', 'nonce'],
    ),
    auth: fc.record({ re: id, nonce: id }),
    register: fc.record({ address: fc.option(name, { nil: null }), port: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: null }), groups: strings, meta: stringMap }),
    registered: fc.record({ re: id, component: componentInfo }),
    request: opt({ body, headers: stringMap, ttl: fc.integer({ min: 1, max: 600_000 }) }, ['body']),
    response: opt({ re: id, body, headers: stringMap }, ['re', 'body']),
    error: opt({ re: id, code: fc.constantFrom('NO_SUCH_COMPONENT', 'TIMEOUT', 'REMOTE_ERROR', 'X_CUSTOM'), message: fc.string() }, ['code', 'message']),
    broadcast: opt({ group: name, body, headers: stringMap }, ['body']),
    message: opt({ body, headers: stringMap, broadcast: fc.boolean() }, ['body']),
    ack: opt({ re: id, ignored: fc.boolean() }, ['re']),
    ready: fc.constant({}),
    heartbeat: fc.constant({}),
    shutdownRequest: fc.record({ forced: fc.boolean() }),
    shutdownResponse: fc.record({ re: id, ready: fc.boolean() }),
    bye: fc.constant({}),
    lookup: fc.record({ name }),
    located: fc.record({ re: id, component: componentInfo }),
    list: opt({ group: name }, []),
    components: fc.record({ re: id, components: fc.array(componentInfo, { maxLength: 3 }) }),
    subscribe: opt({ topics: fc.subarray(['members', 'traffic']), names: strings }, ['topics']),
    unsubscribe: fc.record({ topics: fc.subarray(['members', 'traffic']) }),
    member: fc.record({ event: fc.constantFrom('join', 'ready', 'suspect', 'alive', 'leave'), component: componentInfo }),
    traceControl: fc.record({ on: fc.boolean() }),
    trace: fc.record({ event: trafficEvent }),
    msa: fc.record({ origin: name, incarnation: time, seq: fc.nat(), neighbours: strings }),
    meshSend: fc.record({
      origin: name,
      recipients: strings,
      path: strings,
      hopLimit: fc.nat({ max: 64 }),
      ttl: fc.integer({ min: 1, max: 600_000 }),
      broadcast: fc.boolean(),
      frames: fc.array(carried(body), { minLength: 1, maxLength: 3 }),
    }),
    sealed: opt(
      {
        to: name,
        key: id,
        identity: fc.record({ grant: id, key: id, proof: id }),
        n: fc.nat(),
        ts: time,
        box: fc.oneof(fc.uint8Array({ minLength: 16, maxLength: 64 }).map((b) => Buffer.from(b)), fc.base64String()),
      },
      ['to', 'key', 'n', 'ts', 'box'],
    ),
    meshAck: fc.record({ re: id, reached: strings, unreachable: fc.array(fc.record({ name, code: fc.constantFrom('TIMEOUT', 'NO_ROUTE') }), { maxLength: 3 }) }),
    meshQuery: fc.record({ what: fc.constantFrom('routes', 'dot', 'status') }),
    meshInfo: opt({ re: id, routes: fc.array(fc.record({ destination: name, nextHop: name, hops: fc.nat({ max: 16 }), path: strings }), { maxLength: 3 }), dot: fc.string(), status: stringMap }, ['re']),
    meshDial: fc.record({ address: fc.string() }),
    meshDialed: fc.record({ re: id, peer: name }),
    meshHangup: fc.record({ peer: name }),
    data: opt({ session: id, peer: id, seq: fc.integer({ min: 1, max: 2 ** 40 }), body, headers: stringMap }, ['session', 'peer', 'seq', 'body']),
    sack: fc.record({
      session: id,
      peer: id,
      cumulative: fc.nat(),
      held: fc.nat(),
      ranges: fc.array(fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.nat({ max: 100 })).map(([a, n]) => [a, a + n] as [number, number]), { maxLength: 8 }),
      window: fc.nat(),
    }),
    resume: fc.record({ session: id, epoch: fc.nat(), peer: fc.option(id, { nil: null }), received: fc.nat(), window: fc.nat(), reply: fc.boolean() }),
    streamOpen: opt(
      { stream: id, protocol: name, mode: fc.constantFrom('bytes', 'json'), window: fc.nat(), instance: id, headers: stringMap },
      ['stream', 'protocol', 'mode', 'window', 'instance'],
    ),
    streamAccept: fc.record({ re: id, stream: id, window: fc.nat(), instance: id }),
    streamData: fc.record({ stream: id, seq: fc.integer({ min: 1, max: 2 ** 40 }), chunk: body }),
    streamCredit: fc.record({ stream: id, seq: fc.nat(), window: fc.nat() }),
    streamEnd: fc.record({ stream: id, seq: fc.integer({ min: 1, max: 2 ** 40 }) }),
    streamReset: fc.record({ stream: id, code: fc.constantFrom('CLOSED', 'STREAM_RESET'), message: fc.string() }),
    streamPing: fc.record({ instance: id, reply: fc.boolean() }),
    revoked: fc.record({ ids: fc.array(id, { maxLength: 8 }) }),
  };
}

/** A frame a meshSend carries: a request, a response or a one-way message, stamped by its origin. */
function carried(body: fc.Arbitrary<Json>): fc.Arbitrary<CarriedFrame> {
  return fc.oneof(
    fc.record({ v: fc.constant(PROTOCOL_VERSION), type: fc.constant<string>('request'), id, from: name, body }),
    fc.record({ v: fc.constant(PROTOCOL_VERSION), type: fc.constant('response'), id, from: name, re: id, body }),
    fc.record({ v: fc.constant(PROTOCOL_VERSION), type: fc.constant('message'), id, from: name, body }),
  );
}

export const FRAME_TYPES = Object.keys(FRAME_FIELDS) as FrameType[];

/**
 * A valid frame of the given type that `codec` can carry: the MessagePack codec refuses
 * `__proto__` keys (see PROTOCOL.md), so frames for it have none.
 */
export function frameOf(type: FrameType, codec: Codec = 'json'): fc.Arbitrary<Frame> {
  const fields = fieldArbs(jsonBody)[type] as fc.Arbitrary<object>;
  const frame = fc
    .tuple(id, name, fields)
    .map(([frameId, from, rest]) => ({ v: PROTOCOL_VERSION, type, id: frameId, from, ...rest }) as unknown as Frame);
  return codec === 'json' ? frame : frame.filter((f) => !hasProtoKey(f));
}

/** Frame types whose fields always hold bytes: every packet that has one is MessagePack, whatever the link speaks (§7). */
export const BYTES_FRAME_TYPES: readonly FrameType[] = ['sealed'];

/** The frame types a packet of `codec` can hold. */
export function frameTypesOf(codec: Codec): FrameType[] {
  return codec === 'json' ? FRAME_TYPES.filter((t) => !BYTES_FRAME_TYPES.includes(t)) : FRAME_TYPES;
}

/** A valid frame of any type that `codec` can carry. */
export function anyFrame(codec: Codec = 'json'): fc.Arbitrary<Frame> {
  return fc.constantFrom(...frameTypesOf(codec)).chain((type) => frameOf(type, codec));
}

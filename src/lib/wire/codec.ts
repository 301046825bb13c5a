/**
 * Codecs turn frames into payload bytes and back. A packet's payload is always an array of
 * frames (a batch of one or more). Frames are encoded one at a time as they are queued, so a
 * batcher knows each frame's size before it seals a packet; the array is assembled at seal time
 * straight into the packet buffer.
 * JSON is the default and readable; MessagePack is negotiated per link in hello/welcome.
 * Decoding never throws anything but a BotzError.
 */
import { createRequire } from 'node:module';
import { BotzError, ErrorCode } from '../errors.js';
import type { Codec } from './frames.js';
import { hasBinary } from './values.js';

export interface EncodedFrame {
  readonly data: string | Uint8Array;
  /**
   * Bytes that follow `data` in the frame's encoding, kept by reference (the caller's own bytes):
   * the packet is the one place they are copied to. A stream's chunk (the writer's until its
   * callback, kept by the stream until credited) may wait for the end of the turn; any other
   * frame gets a tail only when it is so large that it travels alone (REFERENCED_BYTES_MIN),
   * and is then marked `sealNow`.
   */
  readonly tail?: Uint8Array;
  /** The tail is bytes its sender may change once the send returns: seal the frame before that (the outbox does so at once). */
  readonly sealNow?: true;
  /** Encoded size in bytes. */
  readonly bytes: number;
  /** The id of the codec that encoded it: a packet holds frames of one codec. */
  readonly codec: number;
}

export interface PayloadCodec {
  readonly name: Codec;
  /** The codec byte of the packet header. */
  readonly id: number;
  encodeFrame(frame: object): EncodedFrame;
  /** Size of the payload that holds these frames (array framing included). */
  payloadBytes(frames: readonly EncodedFrame[], frameBytes: number): number;
  /** Writes the payload at `offset`; returns the offset after it. */
  writePayload(target: Buffer, offset: number, frames: readonly EncodedFrame[]): number;
  decode(payload: Uint8Array): unknown;
}

/** From this many characters a JSON frame is turned into bytes when it is encoded. */
const LARGE_FRAME_CHARS = 4096;

const jsonCodec: PayloadCodec = {
  name: 'json',
  id: 0,
  encodeFrame(frame) {
    const text = JSON.stringify(frame);
    // A small frame stays text (one write into the packet later); a large one becomes bytes now,
    // so its text is scanned once (no byteLength pass, no joined string to flatten at seal time).
    if (text.length < LARGE_FRAME_CHARS) return { data: text, bytes: Buffer.byteLength(text), codec: 0 };
    const data = Buffer.from(text, 'utf8');
    return { data, bytes: data.byteLength, codec: 0 };
  },
  payloadBytes: (frames, frameBytes) => frameBytes + frames.length + 1, // "[" "," … "]"
  writePayload(target, offset, frames) {
    target[offset++] = 0x5b; // [
    for (let i = 0; i < frames.length; i++) {
      if (i > 0) target[offset++] = 0x2c; // ,
      const data = frames[i].data;
      if (typeof data === 'string') offset += target.write(data, offset, 'utf8');
      else {
        target.set(data, offset);
        offset += data.byteLength;
      }
    }
    target[offset++] = 0x5d; // ]
    return offset;
  },
  decode(payload) {
    const text = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new BotzError(ErrorCode.MALFORMED_FRAME, 'payload is not valid JSON', { cause });
    }
  },
};

function msgpackArrayHeaderBytes(n: number): number {
  return n < 16 ? 1 : n < 0x10000 ? 3 : 5;
}

const PROTO_KEY = Buffer.from('__proto__');

/** True when some object inside `value` has an own `__proto__` key. */
function hasProtoKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(hasProtoKey);
  return Object.hasOwn(value, '__proto__') || Object.values(value).some(hasProtoKey);
}

type MsgpackModule = typeof import('@msgpack/msgpack');
interface Msgpack {
  encoder: import('@msgpack/msgpack').Encoder<undefined>;
  decoder: import('@msgpack/msgpack').Decoder<undefined>;
}
let msgpackCoders: Msgpack | undefined;

/**
 * A frame is JSON's data model: no extension types (MessagePack's timestamp would become a Date,
 * any other an opaque object) and only string map keys. Refused while decoding.
 */
const jsonOnly: import('@msgpack/msgpack').ExtensionCodecType<undefined> = {
  tryToEncode: () => null,
  decode: (_data: Uint8Array, type: number): never => {
    throw new Error(`extension type ${type} is not part of a frame`);
  },
};
function stringKey(key: unknown): string {
  if (typeof key !== 'string') throw new Error('a map key that is not a string');
  return key;
}

/**
 * Loaded on first use: most links speak JSON, and a one-shot CLI call should not pay for it.
 * One encoder and one decoder, reused (they keep their buffer and key cache; each clones itself
 * if re-entered).
 */
function msgpack(): Msgpack {
  if (!msgpackCoders) {
    const { Encoder, Decoder } = createRequire(import.meta.url)('@msgpack/msgpack') as MsgpackModule;
    msgpackCoders = {
      encoder: new Encoder<undefined>({ ignoreUndefined: true, extensionCodec: jsonOnly }),
      decoder: new Decoder<undefined>({ extensionCodec: jsonOnly, mapKeyConverter: stringKey }),
    };
  }
  return msgpackCoders;
}

/** From this size a frame's trailing bytes are appended, not run through the encoder. */
const TRAILING_BYTES_MIN = 1024;
/** From this size any frame's trailing bytes are referenced, not copied (a frame this large travels alone: outbox.ts BATCH_BYTES). */
export const REFERENCED_BYTES_MIN = 64 * 1024;

/**
 * A frame whose last field is bytes (a stream's chunk: `{v, id, from, type, stream, seq, chunk}`),
 * encoded as @msgpack/msgpack would, but without running the bytes through the encoder (it would
 * copy them into its buffer, copy that out again, and the `__proto__` search would scan them).
 * The other fields go through the encoder (they are few and small). A stream's chunk, and any
 * bytes of REFERENCED_BYTES_MIN or more, stay where they are (the `tail`), copied only into the
 * packet (see EncodedFrame.tail for when that must happen). Smaller bytes of other frames are
 * copied now, once: such a frame may wait for the end of the turn in a batch, and what is sent
 * must be what the caller passed, whatever it does with its bytes after.
 */
function encodeTrailingBytes(frame: object): EncodedFrame | undefined {
  const keys = Object.keys(frame);
  const last = keys[keys.length - 1];
  const bytes = (frame as Record<string, unknown>)[last];
  if (!(bytes instanceof Uint8Array) || bytes.byteLength < TRAILING_BYTES_MIN || keys.length > 15 || last.length > 31) return undefined;
  const rest: Record<string, unknown> = {};
  for (let i = 0; i < keys.length - 1; i++) rest[keys[i]] = (frame as Record<string, unknown>)[keys[i]];
  if (hasBinary(rest)) return undefined;
  const head = msgpackCodec.encodeFrame(rest).data as Uint8Array;
  const key = Buffer.from(last, 'utf8');
  if (key.length > 31) return undefined;
  const n = bytes.byteLength;
  const binHeader = n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
  const streamChunk = (frame as { type?: unknown }).type === 'streamData';
  const byReference = streamChunk || n >= REFERENCED_BYTES_MIN;
  const prefix = head.byteLength + 1 + key.length + binHeader;
  const out = Buffer.allocUnsafe(byReference ? prefix : prefix + n);
  out.set(head, 0);
  out[0] = 0x80 | (keys.length & 0x0f); // fixmap: one more entry than `rest` had
  let at = head.byteLength;
  out[at++] = 0xa0 | key.length; // fixstr
  at += key.copy(out, at);
  // bin 8, bin 16 or bin 32: the type byte, then the length, then the bytes (here, or as the tail).
  out[at] = binHeader === 2 ? 0xc4 : binHeader === 3 ? 0xc5 : 0xc6;
  out.writeUIntBE(n, at + 1, binHeader - 1);
  if (byReference) return { data: out, tail: bytes, bytes: prefix + n, codec: 1, ...(streamChunk ? {} : { sealNow: true as const }) };
  out.set(bytes, prefix);
  return { data: out, bytes: out.byteLength, codec: 1 };
}

const msgpackCodec: PayloadCodec = {
  name: 'msgpack',
  id: 1,
  encodeFrame(frame) {
    const fast = encodeTrailingBytes(frame);
    if (fast) return fast;
    const data = msgpack().encoder.encode(frame);
    // @msgpack/msgpack refuses to decode a "__proto__" map key, so such a frame would spoil the
    // whole packet at every receiver; refuse it here, where the sender learns why. The byte
    // search is cheap and only a hit pays for the exact walk.
    if (Buffer.from(data.buffer, data.byteOffset, data.byteLength).includes(PROTO_KEY) && hasProtoKey(frame)) {
      throw new BotzError(ErrorCode.INVALID_ARGUMENT, 'the MessagePack codec cannot carry "__proto__" keys; use the JSON codec');
    }
    return { data, bytes: data.byteLength, codec: 1 };
  },
  payloadBytes: (frames, frameBytes) => frameBytes + msgpackArrayHeaderBytes(frames.length),
  writePayload(target, offset, frames) {
    const n = frames.length;
    if (n < 16) target[offset++] = 0x90 | n;
    else if (n < 0x10000) {
      target[offset++] = 0xdc;
      offset = target.writeUInt16BE(n, offset);
    } else {
      target[offset++] = 0xdd;
      offset = target.writeUInt32BE(n, offset);
    }
    for (const f of frames) {
      const head = f.data as Uint8Array;
      target.set(head, offset);
      offset += head.byteLength;
      if (f.tail) {
        target.set(f.tail, offset);
        offset += f.tail.byteLength;
      }
    }
    return offset;
  },
  decode(payload) {
    try {
      return msgpack().decoder.decode(payload);
    } catch (cause) {
      throw new BotzError(ErrorCode.MALFORMED_FRAME, 'payload is not valid MessagePack', { cause });
    }
  },
};

export const CODECS: Record<Codec, PayloadCodec> = { json: jsonCodec, msgpack: msgpackCodec };
export const CODEC_BY_ID: readonly PayloadCodec[] = [jsonCodec, msgpackCodec];

/**
 * Encodes a frame for a link that speaks `codec`. JSON has no bytes, so a frame with bytes in it
 * is MessagePack-encoded whatever the link speaks (its packet says so in its codec byte, and every
 * receiver decodes each packet by its own codec byte): bytes travel as `bin`, never as text.
 */
export function encodeFrameFor(codec: PayloadCodec, frame: object): EncodedFrame {
  return codec === jsonCodec && hasBinary(frame) ? msgpackCodec.encodeFrame(frame) : codec.encodeFrame(frame);
}

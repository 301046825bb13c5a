/**
 * Packets: what one WebSocket message carries. A fixed binary header, the codec-encoded array
 * of frames, and a trailer that authenticates every byte before it:
 *
 *   offset  size  field
 *   0       1     packet version (2)
 *   1       1     codec: 0 JSON, 1 MessagePack; bit 0x80 set: the payload is encrypted
 *   2       4     key id (u32 BE): which keyring secret made the trailer
 *   6       16    link instance: random per link and direction
 *   22      8     counter (u64 BE): 1 for the first packet of an instance, +1 each packet
 *   30      8     timestamp (u64 BE): sender's clock, ms since the Unix epoch
 *   38      1     length L of the destination (0..255)
 *   39      L     destination, UTF-8: a component name, "$server", or "*" (every receiver)
 *   39+L    N     payload: the frames (the ciphertext of them when encrypted)
 *   end-T   T     authenticated: T = 32, HMAC-SHA256(secret, bytes[0 .. end-32))
 *                 encrypted:     T = 16, the AES-256-GCM tag (see below)
 *
 * The trailer is checked (in constant time) before anything else in the packet is trusted,
 * then the replay guard, then the payload is decoded and every frame validated.
 *
 * Encrypted payloads use AES-256-GCM, an AEAD: the key is the link instance's own, expanded
 * from the secret by HKDF (keyring.ts `packetKeyOf`); the 96-bit nonce is four zero bytes and
 * the packet counter, which never repeats within an instance; the additional data is the
 * header (bytes 0 .. 39+L). A key is never used under two instances, and a nonce never twice
 * under one key, so no keystream is ever reused (version 1's AES-CTR counter blocks overlapped
 * between consecutive packets; that is why the version changed).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { BotzError, ErrorCode } from '../errors.js';
import { CODEC_BY_ID, CODECS, encodeFrameFor, type EncodedFrame, type PayloadCodec } from './codec.js';
import type { Codec, Frame } from './frames.js';
import { malformed, validateFrame } from './validate.js';
import { packetKeyOf, type Keyring, type Key } from './keyring.js';
import { MAX_DESTINATION_BYTES } from './names.js';
import { MAC_BYTES, macInto, macMatches } from './mac.js';
import { ReplayGuard } from './replay.js';

export const PACKET_VERSION = 2;
export { MAC_BYTES };
/** The AES-256-GCM tag that ends an encrypted packet instead of the HMAC. */
export const TAG_BYTES = 16;
export const INSTANCE_BYTES = 16;
export const FIXED_HEADER_BYTES = 39;
/** No packet is shorter: a header with an empty destination and payload, and the shorter trailer. */
export const MIN_PACKET_BYTES = FIXED_HEADER_BYTES + TAG_BYTES;
/**
 * Largest packet a node sends or accepts unless configured otherwise (`maxPacketBytes`): a 16 MiB
 * body with 64 KiB to spare for its envelope (names, headers, header and trailer). The transport
 * checks it against each WebSocket frame's declared length before buffering any of it.
 */
export const DEFAULT_MAX_PACKET_BYTES = 16 * 1024 * 1024 + 64 * 1024;
export const SERVER_DESTINATION = '$server';
/** Set in the codec byte when the payload is encrypted. */
export const ENCRYPTED_FLAG = 0x80;
const INSTANCE_AT = 6;
const COUNTER_AT = 22;
const TS_AT = 30;
const DEST_LENGTH_AT = 38;
export const ANY_DESTINATION = '*';

/** Bytes of the trailer: the HMAC, or the shorter AEAD tag of an encrypted packet. */
export function trailerBytes(encrypted: boolean): number {
  return encrypted ? TAG_BYTES : MAC_BYTES;
}

export interface PacketHeader {
  version: number;
  codec: Codec;
  keyId: number;
  /** The link instance, as 32 hex digits. */
  instance: string;
  counter: number;
  ts: number;
  to: string;
  /** The payload travelled encrypted (it is decrypted before decoding). */
  encrypted: boolean;
}

export interface OpenedPacket {
  header: PacketHeader;
  frames: Frame[];
  /** The exact bytes received; a relay forwards these unchanged. */
  bytes: Uint8Array;
}

function writeU64(buf: Buffer, value: number, offset: number): void {
  buf.writeUInt32BE(Math.floor(value / 0x1_0000_0000), offset);
  buf.writeUInt32BE(value >>> 0, offset + 4);
}
function readU64(buf: Buffer, offset: number): number {
  return buf.readUInt32BE(offset) * 0x1_0000_0000 + buf.readUInt32BE(offset + 4);
}

/** The GCM nonce of a packet: four zero bytes, then its counter (header bytes 22..30). */
function nonceOf(packet: Buffer): Buffer {
  const nonce = Buffer.alloc(12);
  packet.copy(nonce, 4, COUNTER_AT, COUNTER_AT + 8);
  return nonce;
}

export interface SealFields {
  key: Key;
  codec: PayloadCodec;
  instance: Uint8Array;
  counter: number;
  ts: number;
  to: string;
  /** Encrypt the payload (see the top of this file). */
  encrypt?: boolean;
  /** The instance's packet key, when the caller keeps it (it is derived otherwise). */
  packetKey?: Buffer;
}

/** Size of the packet that would carry these frames, so a batcher can stay under the limit. */
export function packetBytes(codec: PayloadCodec, toBytes: number, frames: readonly EncodedFrame[], frameBytes: number, encrypted = false): number {
  return FIXED_HEADER_BYTES + toBytes + codec.payloadBytes(frames, frameBytes) + trailerBytes(encrypted);
}

/** Builds and signs (or encrypts) one packet. The frames must already be encoded with `fields.codec`. */
export function sealPacket(fields: SealFields, frames: readonly EncodedFrame[], maxBytes = DEFAULT_MAX_PACKET_BYTES): Buffer {
  let frameBytes = 0;
  for (const f of frames) frameBytes += f.bytes;
  const toBytes = Buffer.byteLength(fields.to);
  if (toBytes > MAX_DESTINATION_BYTES) throw new BotzError(ErrorCode.INVALID_ARGUMENT, `destination name longer than ${MAX_DESTINATION_BYTES} bytes`);
  if (fields.instance.length !== INSTANCE_BYTES) throw new BotzError(ErrorCode.INVALID_ARGUMENT, `a link instance is ${INSTANCE_BYTES} bytes`);
  const encrypt = fields.encrypt === true;
  const total = packetBytes(fields.codec, toBytes, frames, frameBytes, encrypt);
  if (total > maxBytes) {
    throw new BotzError(ErrorCode.FRAME_TOO_LARGE, `packet of ${total} bytes exceeds the limit of ${maxBytes} bytes`, {
      details: { bytes: total, limit: maxBytes },
    });
  }
  const buf = Buffer.allocUnsafe(total);
  buf[0] = PACKET_VERSION;
  buf[1] = fields.codec.id | (encrypt ? ENCRYPTED_FLAG : 0);
  buf.writeUInt32BE(fields.key.id, 2);
  buf.set(fields.instance, INSTANCE_AT);
  writeU64(buf, fields.counter, COUNTER_AT);
  writeU64(buf, fields.ts, TS_AT);
  buf[DEST_LENGTH_AT] = toBytes;
  buf.write(fields.to, FIXED_HEADER_BYTES, 'utf8');
  const payloadStart = FIXED_HEADER_BYTES + toBytes;
  const end = fields.codec.writePayload(buf, payloadStart, frames);
  if (end !== total - trailerBytes(encrypt)) throw new Error(`internal: payload size mismatch (${end} != ${total - trailerBytes(encrypt)})`);
  if (encrypt) {
    const cipher = createCipheriv('aes-256-gcm', fields.packetKey ?? packetKeyOf(fields.key, fields.instance), nonceOf(buf));
    cipher.setAAD(buf.subarray(0, payloadStart));
    const payload = buf.subarray(payloadStart, end);
    const sealed = cipher.update(payload);
    sealed.copy(buf, payloadStart);
    cipher.final();
    cipher.getAuthTag().copy(buf, end);
  } else {
    macInto(fields.key, buf.subarray(0, end), buf, end);
  }
  return buf;
}

/**
 * The packet keys of the instances a node hears from, so a link's key is expanded once, not
 * per packet. Only keys that opened a packet are kept (forged instances cannot crowd out real
 * ones), and the cache is bounded: the oldest entry goes when it is full.
 */
export class PacketKeyCache {
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly capacity = 4096) {}

  /** Opens an encrypted packet with its instance's key, remembering the key once it worked. */
  open(buf: Buffer, key: Key, payloadStart: number, payloadEnd: number): Buffer {
    const instance = buf.subarray(INSTANCE_AT, INSTANCE_AT + INSTANCE_BYTES);
    const id = key.id.toString(16) + instance.toString('latin1');
    const known = this.keys.get(id);
    const packetKey = known ?? packetKeyOf(key, instance);
    const plain = openSealed(buf, payloadStart, payloadEnd, packetKey);
    if (known === undefined) {
      if (this.keys.size >= this.capacity) this.keys.delete(this.keys.keys().next().value as string);
      this.keys.set(id, packetKey);
    }
    return plain;
  }
}

/** Parses the header and checks the trailer. Throws a BotzError; never trusts unverified bytes. */
export function verifyPacket(input: Uint8Array, keyring: Keyring, maxBytes: number, packetKeys: PacketKeyCache): VerifiedPacket {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length > maxBytes) {
    throw new BotzError(ErrorCode.FRAME_TOO_LARGE, `packet of ${buf.length} bytes exceeds the limit of ${maxBytes} bytes`, {
      details: { bytes: buf.length, limit: maxBytes },
    });
  }
  if (buf.length < MIN_PACKET_BYTES) throw malformed(`packet of ${buf.length} bytes is too short`);
  if (buf[0] !== PACKET_VERSION) {
    throw new BotzError(ErrorCode.BAD_VERSION, `unsupported packet version ${buf[0]} (this node speaks botz protocol ${PACKET_VERSION})`, {
      details: { version: buf[0], supported: PACKET_VERSION },
    });
  }
  const codec = CODEC_BY_ID[buf[1] & ~ENCRYPTED_FLAG];
  if (codec === undefined) throw malformed(`unknown codec id ${buf[1] & ~ENCRYPTED_FLAG}`);
  const encrypted = (buf[1] & ENCRYPTED_FLAG) !== 0;
  const toBytes = buf[DEST_LENGTH_AT];
  const payloadStart = FIXED_HEADER_BYTES + toBytes;
  const payloadEnd = buf.length - trailerBytes(encrypted);
  if (payloadStart > payloadEnd) throw malformed('packet is shorter than its header says');
  const keyId = buf.readUInt32BE(2);
  const key = keyring.find(keyId);
  if (key === undefined) {
    throw new BotzError(ErrorCode.UNKNOWN_KEY, `packet is signed with an unknown key (id ${keyId.toString(16).padStart(8, '0')})`);
  }
  let plaintext: Buffer | undefined;
  if (encrypted) {
    plaintext = packetKeys.open(buf, key, payloadStart, payloadEnd);
  } else if (!macMatches(key, buf.subarray(0, payloadEnd), buf.subarray(payloadEnd))) {
    throw new BotzError(ErrorCode.BAD_MAC, 'packet MAC does not verify');
  }
  const header: PacketHeader = {
    version: buf[0],
    codec: codec.name,
    keyId,
    instance: buf.toString('hex', INSTANCE_AT, INSTANCE_AT + INSTANCE_BYTES),
    counter: readU64(buf, COUNTER_AT),
    ts: readU64(buf, TS_AT),
    to: buf.toString('utf8', FIXED_HEADER_BYTES, payloadStart),
    encrypted,
  };
  return { header, payloadStart, payloadEnd, key, plaintext };
}

/** AES-256-GCM open: the plaintext, or BAD_MAC when the tag (which covers the header too) fails. */
function openSealed(buf: Buffer, payloadStart: number, payloadEnd: number, packetKey: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', packetKey, nonceOf(buf));
  decipher.setAAD(buf.subarray(0, payloadStart));
  decipher.setAuthTag(buf.subarray(payloadEnd));
  const plain = decipher.update(buf.subarray(payloadStart, payloadEnd));
  try {
    decipher.final();
  } catch {
    throw new BotzError(ErrorCode.BAD_MAC, 'packet authentication tag does not verify');
  }
  return plain;
}

/** What verifyPacket vouches for: the header, where the payload lies, and the key that signed it. */
export interface VerifiedPacket {
  header: PacketHeader;
  payloadStart: number;
  payloadEnd: number;
  key: Key;
  /** The decrypted payload of an encrypted packet (verifying it decrypts it). */
  plaintext?: Buffer;
}

/** Decodes a verified packet's frames (an encrypted one was decrypted when it was verified). */
export function decodeVerified(bytes: Uint8Array, verified: VerifiedPacket): Frame[] {
  const { header, payloadStart, payloadEnd, plaintext } = verified;
  if (plaintext !== undefined) return decodeFrames(plaintext, header.codec, 0, plaintext.length);
  return decodeFrames(bytes, header.codec, payloadStart, payloadEnd);
}

export function decodeFrames(buf: Uint8Array, codecName: Codec, start: number, end: number): Frame[] {
  const value = CODECS[codecName].decode(buf.subarray(start, end));
  if (!Array.isArray(value) || value.length === 0) throw malformed('payload must be a non-empty array of frames');
  return value.map(validateFrame);
}

export interface PacketSealerOptions {
  keyring: Keyring;
  codec?: Codec;
  maxPacketBytes?: number;
  now?: () => number;
}

/** Signs the packets of one link direction: owns its instance id and counter. */
export class PacketSealer {
  readonly instance = randomBytes(INSTANCE_BYTES);
  private counter = 0;
  /** The packet key of `instance` under the key it was derived for (the primary may rotate). */
  private packetKey: { key: Key; bytes: Buffer } | undefined;
  codec: PayloadCodec;
  /** Encrypt payloads (set after the handshake when either end asked for it). */
  encrypt = false;
  readonly maxPacketBytes: number;
  private keyring: Keyring;
  private readonly now: () => number;

  /**
   * Seals from now on with this keyring's primary (a credential link's handshake key, then its
   * link key). The instance stays: its packet key is derived anew under the new key.
   */
  rekey(keyring: Keyring): void {
    this.keyring = keyring;
  }

  constructor(options: PacketSealerOptions) {
    this.keyring = options.keyring;
    this.codec = CODECS[options.codec ?? 'json'];
    this.maxPacketBytes = options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
    this.now = options.now ?? Date.now;
  }

  /** Encodes a frame in the link's codec (MessagePack if it carries bytes: see encodeFrameFor). */
  encode(frame: object): EncodedFrame {
    return encodeFrameFor(this.codec, frame);
  }

  /** Seals one packet; `encrypt` overrides the link's setting for it (an answer to an encrypted frame). */
  seal(frames: readonly EncodedFrame[], to: string, encrypt = this.encrypt): Buffer {
    const key = this.keyring.primary;
    const codec = frames.length > 0 ? CODEC_BY_ID[frames[0].codec] : this.codec;
    let packetKey: Buffer | undefined;
    if (encrypt) {
      if (this.packetKey?.key !== key) this.packetKey = { key, bytes: packetKeyOf(key, this.instance) };
      packetKey = this.packetKey.bytes;
    }
    return sealPacket(
      { key, codec, instance: this.instance, counter: ++this.counter, ts: this.now(), to, encrypt, packetKey },
      frames,
      this.maxPacketBytes,
    );
  }

  /** Encode and seal in one call (for single frames off the hot path). */
  sealFrames(frames: readonly object[], to: string, encrypt = this.encrypt): Buffer {
    const encoded = frames.map((f) => this.encode(f));
    const mixed = encoded.some((f) => f.codec !== encoded[0].codec);
    return this.seal(mixed ? frames.map((f) => CODECS.msgpack.encodeFrame(f)) : encoded, to, encrypt);
  }
}

export interface PacketOpenerOptions {
  keyring: Keyring;
  guard?: ReplayGuard;
  maxPacketBytes?: number;
}

/** Verifies, replay-checks and decodes received packets. One per node (shares the guard). */
export class PacketOpener {
  readonly keyring: Keyring;
  readonly guard: ReplayGuard;
  readonly maxPacketBytes: number;
  private readonly packetKeys = new PacketKeyCache();

  constructor(options: PacketOpenerOptions) {
    this.keyring = options.keyring;
    this.guard = options.guard ?? new ReplayGuard();
    this.maxPacketBytes = options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
  }

  /** Authenticates a packet without decoding its payload (what a relay needs). */
  verify(bytes: Uint8Array): VerifiedPacket {
    const verified = verifyPacket(bytes, this.keyring, this.maxPacketBytes, this.packetKeys);
    this.guard.check(verified.header.instance, verified.header.counter, verified.header.ts);
    return verified;
  }

  open(bytes: Uint8Array): OpenedPacket {
    const verified = this.verify(bytes);
    return { header: verified.header, frames: decodeVerified(bytes, verified), bytes };
  }
}

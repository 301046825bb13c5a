/**
 * Packets: what one WebSocket message carries. A fixed binary header, the codec-encoded array
 * of frames, and an HMAC-SHA256 over every byte before it:
 *
 *   offset  size  field
 *   0       1     packet version (1)
 *   1       1     codec: 0 JSON, 1 MessagePack; bit 0x80 set: the payload is encrypted
 *   2       4     key id (u32 BE): which keyring secret signed it
 *   6       8     link instance: random per link and direction
 *   14      8     counter (u64 BE): 1 for the first packet of an instance, +1 each packet
 *   22      8     timestamp (u64 BE): sender's clock, ms since the Unix epoch
 *   30      1     length L of the destination (0..255)
 *   31      L     destination, UTF-8: a component name, "$server", or "*" (every receiver)
 *   31+L    …     payload: the frames
 *   end-32  32    HMAC-SHA256(secret, bytes[0 .. end-32))
 *
 * The MAC is checked (in constant time) before anything else in the packet is trusted, then
 * the replay guard, then the payload is decoded and every frame validated.
 *
 * Encrypted payloads (encrypt-then-MAC): AES-256-CTR with the key derived from the secret
 * (keyring.ts) and bytes 6..22 of the header — link instance and counter, unique per packet —
 * as the 16-byte counter block. Same length as the plaintext; the MAC covers the ciphertext.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { BotzError, ErrorCode } from '../errors.js';
import { CODEC_BY_ID, CODECS, type EncodedFrame, type PayloadCodec } from './codec.js';
import { validateFrame, type Codec, type Frame } from './frames.js';
import type { Keyring, Key } from './keyring.js';
import { MAX_DESTINATION_BYTES } from './names.js';
import { MAC_BYTES, macInto, macMatches } from './mac.js';
import { ReplayGuard } from './replay.js';


export const PACKET_VERSION = 1;
export { MAC_BYTES };
export const FIXED_HEADER_BYTES = 31;
export const INSTANCE_BYTES = 8;
/** Largest packet a node sends or accepts unless configured otherwise. */
export const DEFAULT_MAX_PACKET_BYTES = 1024 * 1024;
export const SERVER_DESTINATION = '$server';
/** Set in the codec byte when the payload is encrypted. */
export const ENCRYPTED_FLAG = 0x80;
const IV_START = 6;
const IV_END = 22;
export const ANY_DESTINATION = '*';

export interface PacketHeader {
  version: number;
  codec: Codec;
  keyId: number;
  /** The link instance, as 16 hex digits. */
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

export interface SealFields {
  key: Key;
  codec: PayloadCodec;
  instance: Uint8Array;
  counter: number;
  ts: number;
  to: string;
  /** Encrypt the payload (see the top of this file). */
  encrypt?: boolean;
}

/** Size of the packet that would carry these frames, so a batcher can stay under the limit. */
export function packetBytes(codec: PayloadCodec, toBytes: number, frames: readonly EncodedFrame[], frameBytes: number): number {
  return FIXED_HEADER_BYTES + toBytes + codec.payloadBytes(frames, frameBytes) + MAC_BYTES;
}

/** Builds and signs one packet. The frames must already be encoded with `fields.codec`. */
export function sealPacket(fields: SealFields, frames: readonly EncodedFrame[], maxBytes = DEFAULT_MAX_PACKET_BYTES): Buffer {
  let frameBytes = 0;
  for (const f of frames) frameBytes += f.bytes;
  const toBytes = Buffer.byteLength(fields.to);
  if (toBytes > MAX_DESTINATION_BYTES) throw new BotzError(ErrorCode.INVALID_ARGUMENT, `destination name longer than ${MAX_DESTINATION_BYTES} bytes`);
  const total = packetBytes(fields.codec, toBytes, frames, frameBytes);
  if (total > maxBytes) {
    throw new BotzError(ErrorCode.FRAME_TOO_LARGE, `packet of ${total} bytes exceeds the limit of ${maxBytes} bytes`, {
      details: { bytes: total, limit: maxBytes },
    });
  }
  const buf = Buffer.allocUnsafe(total);
  buf[0] = PACKET_VERSION;
  buf[1] = fields.codec.id | (fields.encrypt ? ENCRYPTED_FLAG : 0);
  buf.writeUInt32BE(fields.key.id, 2);
  buf.set(fields.instance, 6);
  writeU64(buf, fields.counter, 14);
  writeU64(buf, fields.ts, 22);
  buf[30] = toBytes;
  buf.write(fields.to, 31, 'utf8');
  const payloadStart = FIXED_HEADER_BYTES + toBytes;
  const end = fields.codec.writePayload(buf, payloadStart, frames);
  if (end !== total - MAC_BYTES) throw new Error(`internal: payload size mismatch (${end} != ${total - MAC_BYTES})`);
  if (fields.encrypt) {
    const cipher = createCipheriv('aes-256-ctr', fields.key.encKey, buf.subarray(IV_START, IV_END));
    cipher.update(buf.subarray(payloadStart, end)).copy(buf, payloadStart);
  }
  macInto(fields.key, buf.subarray(0, end), buf, end);
  return buf;
}

function malformed(message: string): BotzError {
  return new BotzError(ErrorCode.MALFORMED_FRAME, message);
}

/** Parses the header and checks the MAC. Throws a BotzError; never trusts unverified bytes. */
export function verifyPacket(
  input: Uint8Array,
  keyring: Keyring,
  maxBytes = DEFAULT_MAX_PACKET_BYTES,
): VerifiedPacket {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length > maxBytes) {
    throw new BotzError(ErrorCode.FRAME_TOO_LARGE, `packet of ${buf.length} bytes exceeds the limit of ${maxBytes} bytes`, {
      details: { bytes: buf.length, limit: maxBytes },
    });
  }
  if (buf.length < FIXED_HEADER_BYTES + MAC_BYTES) throw malformed(`packet of ${buf.length} bytes is too short`);
  if (buf[0] !== PACKET_VERSION) throw new BotzError(ErrorCode.BAD_VERSION, `unsupported packet version ${buf[0]}`);
  const codec = CODEC_BY_ID[buf[1] & ~ENCRYPTED_FLAG];
  if (codec === undefined) throw malformed(`unknown codec id ${buf[1] & ~ENCRYPTED_FLAG}`);
  const toBytes = buf[30];
  const payloadStart = FIXED_HEADER_BYTES + toBytes;
  const payloadEnd = buf.length - MAC_BYTES;
  if (payloadStart > payloadEnd) throw malformed('packet is shorter than its header says');
  const keyId = buf.readUInt32BE(2);
  const key = keyring.find(keyId);
  if (key === undefined) {
    throw new BotzError(ErrorCode.UNKNOWN_KEY, `packet is signed with an unknown key (id ${keyId.toString(16).padStart(8, '0')})`);
  }
  if (!macMatches(key, buf.subarray(0, payloadEnd), buf.subarray(payloadEnd))) throw new BotzError(ErrorCode.BAD_MAC, 'packet MAC does not verify');
  const header: PacketHeader = {
    version: buf[0],
    codec: codec.name,
    keyId,
    instance: buf.toString('hex', 6, 14),
    counter: readU64(buf, 14),
    ts: readU64(buf, 22),
    to: buf.toString('utf8', 31, payloadStart),
    encrypted: (buf[1] & ENCRYPTED_FLAG) !== 0,
  };
  return { header, payloadStart, payloadEnd, key };
}

/** What verifyPacket vouches for: the header, where the payload lies, and the key that signed it. */
export interface VerifiedPacket {
  header: PacketHeader;
  payloadStart: number;
  payloadEnd: number;
  key: Key;
}

/** Decodes a verified packet's frames, decrypting the payload first if it travelled encrypted. */
export function decodeVerified(bytes: Uint8Array, verified: VerifiedPacket): Frame[] {
  const { header, payloadStart, payloadEnd } = verified;
  if (!header.encrypted) return decodeFrames(bytes, header.codec, payloadStart, payloadEnd);
  const decipher = createDecipheriv('aes-256-ctr', verified.key.encKey, bytes.subarray(IV_START, IV_END));
  const plain = decipher.update(bytes.subarray(payloadStart, payloadEnd));
  return decodeFrames(plain, header.codec, 0, plain.length);
}

/** Decodes a verified payload into validated frames. */
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
  codec: PayloadCodec;
  /** Encrypt payloads (set after the handshake when either end asked for it). */
  encrypt = false;
  readonly maxPacketBytes: number;
  private readonly keyring: Keyring;
  private readonly now: () => number;

  constructor(options: PacketSealerOptions) {
    this.keyring = options.keyring;
    this.codec = CODECS[options.codec ?? 'json'];
    this.maxPacketBytes = options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
    this.now = options.now ?? Date.now;
  }

  encode(frame: object): EncodedFrame {
    return this.codec.encodeFrame(frame);
  }

  seal(frames: readonly EncodedFrame[], to: string): Buffer {
    return sealPacket(
      { key: this.keyring.primary, codec: this.codec, instance: this.instance, counter: ++this.counter, ts: this.now(), to, encrypt: this.encrypt },
      frames,
      this.maxPacketBytes,
    );
  }

  /** Encode and seal in one call (for single frames off the hot path). */
  sealFrames(frames: readonly object[], to: string): Buffer {
    return this.seal(frames.map((f) => this.codec.encodeFrame(f)), to);
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

  constructor(options: PacketOpenerOptions) {
    this.keyring = options.keyring;
    this.guard = options.guard ?? new ReplayGuard();
    this.maxPacketBytes = options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
  }

  /** Authenticates a packet without decoding its payload (what a relay needs). */
  verify(bytes: Uint8Array): VerifiedPacket {
    const verified = verifyPacket(bytes, this.keyring, this.maxPacketBytes);
    this.guard.check(verified.header.instance, verified.header.counter, verified.header.ts);
    return verified;
  }

  open(bytes: Uint8Array): OpenedPacket {
    const verified = this.verify(bytes);
    return { header: verified.header, frames: decodeVerified(bytes, verified), bytes };
  }
}

/**
 * Botzilla v1 framing, pure: no sockets, no clocks. Botzilla is the protocol botz replaces;
 * the gateway (gateway.ts) speaks it so that unmodified Botzilla components join a botz network.
 *
 *   request: [length u32 LE][payload: length bytes][HMAC-SHA256(key, payload): 32 bytes]
 *   reply:   [length u32 LE][body: length bytes]                  (no MAC)
 *
 * One TCP connection carries one request and its reply. Unlike the original, which read each
 * part with one `Read` and trusted the length, the reader here collects a frame to its declared
 * length across any number of chunks, and refuses a declared length over its maximum before it
 * holds a byte of the payload (a client speaking HTTP declares 1.35 GB with "HTTP").
 */
import { BotzError, ErrorCode } from '../errors.js';
import { MAC_BYTES, mac, macMatches, macPads, type MacKey } from '../wire/mac.js';

export const LENGTH_BYTES = 4;
export const BOTZILLA_MAC_BYTES = MAC_BYTES;
/** A 1 MiB body and its JSON framing fit; the original had no limit at all. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024 + 64 * 1024;
/** The key the original programs hard-code. Four bytes: never part of botz's own keyring. */
export const DEFAULT_BOTZILLA_KEY = 'ppap';

/** The Botzilla shared key, ready for MACs. */
export function botzillaKey(bytes: Uint8Array): MacKey {
  if (bytes.length === 0) throw new BotzError(ErrorCode.INVALID_ARGUMENT, 'the Botzilla key is empty');
  return { key: Buffer.from(bytes), ...macPads(bytes) };
}

function lengthPrefixed(body: Uint8Array, trailer = 0): Buffer {
  const out = Buffer.allocUnsafe(LENGTH_BYTES + body.length + trailer);
  out.writeUInt32LE(body.length, 0);
  out.set(body, LENGTH_BYTES);
  return out;
}

/** A request frame: length, payload, and the payload's HMAC under `key`. */
export function encodeRequest(key: MacKey, payload: Uint8Array): Buffer {
  const out = lengthPrefixed(payload, BOTZILLA_MAC_BYTES);
  mac(key, payload).copy(out, LENGTH_BYTES + payload.length);
  return out;
}

/** A reply frame: length and body, unauthenticated (as v1 has it). */
export function encodeReply(body: Uint8Array): Buffer {
  return lengthPrefixed(body);
}

/** True when `macBytes` is the payload's HMAC under `key` (constant time). */
export function requestMacMatches(key: MacKey, payload: Uint8Array, macBytes: Uint8Array): boolean {
  return macMatches(key, payload, macBytes);
}

/** A frame read whole: its payload, its MAC (requests), and how many bytes came after it. */
export interface ReadFrame {
  payload: Buffer;
  mac?: Buffer;
  /** Bytes received past the frame (in the chunk that completed it): a v1 peer sends none. */
  extraBytes: number;
}

/**
 * Collects one frame from a byte stream. `push` returns the frame once it is complete, and
 * throws FRAME_TOO_LARGE as soon as the declared length exceeds `maxFrameBytes`. It never
 * holds more than the bytes received, nor (once the length is known) more than the frame.
 */
export class FrameReader {
  private readonly withMac: boolean;
  private readonly maxFrameBytes: number;
  private chunks: Buffer[] = [];
  private held = 0;
  private extra = 0;
  private frameBytes: number | undefined;

  constructor(options: { withMac: boolean; maxFrameBytes?: number }) {
    this.withMac = options.withMac;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** Bytes of the frame received so far. */
  get received(): number {
    return this.held;
  }

  /** The whole frame's size (length, payload and MAC) once its length is in. */
  get expectedBytes(): number | undefined {
    return this.frameBytes;
  }

  push(chunk: Buffer): ReadFrame | undefined {
    if (this.frameBytes !== undefined) {
      const take = chunk.subarray(0, this.frameBytes - this.held);
      this.extra += chunk.length - take.length;
      this.append(take);
    } else {
      this.append(chunk);
      if (this.held >= LENGTH_BYTES) this.sizeUp();
    }
    if (this.frameBytes === undefined || this.held < this.frameBytes) return undefined;
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const end = all.length - (this.withMac ? BOTZILLA_MAC_BYTES : 0);
    return { payload: all.subarray(LENGTH_BYTES, end), ...(this.withMac ? { mac: all.subarray(end) } : {}), extraBytes: this.extra };
  }

  private append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.held += bytes.length;
  }

  /** The length is in: refuse it, or fix the frame's size and drop what lies past it. */
  private sizeUp(): void {
    const head = Buffer.concat(this.chunks);
    const declared = head.readUInt32LE(0);
    if (declared > this.maxFrameBytes) {
      this.chunks = [];
      throw new BotzError(ErrorCode.FRAME_TOO_LARGE, `a Botzilla frame declared ${declared} bytes, more than the ${this.maxFrameBytes} allowed`, {
        details: { declared, maxFrameBytes: this.maxFrameBytes },
      });
    }
    this.frameBytes = LENGTH_BYTES + declared + (this.withMac ? BOTZILLA_MAC_BYTES : 0);
    this.extra += Math.max(0, head.length - this.frameBytes);
    const kept = head.subarray(0, this.frameBytes);
    this.chunks = [kept];
    this.held = kept.length;
  }
}

/**
 * True when `bytes` (the first a client sent) look like the start of a Botzilla frame rather
 * than an HTTP request: a little-endian length under 16 MiB, so its fourth byte is 0, which no
 * HTTP method, TLS record or HTTP/2 preface has there.
 */
export function looksLikeBotzillaFrame(bytes: Uint8Array): boolean {
  if (bytes.length < LENGTH_BYTES || bytes[3] !== 0) return false;
  return (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16)) > 0;
}

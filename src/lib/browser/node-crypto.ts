/**
 * `node:crypto` for the browser build: what the library calls, over WebCrypto's random
 * numbers and the synchronous SHA-256 of sha256.ts (WebCrypto hashes only asynchronously, and
 * packets are signed and verified synchronously). HMAC and HKDF (which is HMAC) are therefore
 * available. AES-256-GCM, which WebCrypto has only asynchronously, is split between the
 * packet code's synchronous calls here and the link, which waits for WebCrypto before a packet
 * leaves or is handed on (webcrypto-gcm.ts). Ed25519 and X25519, which a credential's
 * handshake needs synchronously too, come from @noble/curves (curve-keys.ts).
 */
import { BotzError, ErrorCode } from '../errors.js';
import { BrowserBuffer } from './buffer.js';
import { hmacSha256, sha256 } from './sha256.js';
import { DeferredCipher, PreparedDecipher } from './webcrypto-gcm.js';

type Encoding = Parameters<BrowserBuffer['toString']>[0];

function asBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? BrowserBuffer.from(data, 'utf8') : data;
}

function output(bytes: Uint8Array, encoding?: Encoding): BrowserBuffer | string {
  const buf = BrowserBuffer.from(bytes);
  return encoding === undefined ? buf : buf.toString(encoding);
}

export function randomBytes(n: number): BrowserBuffer {
  const out = BrowserBuffer.alloc(n);
  globalThis.crypto.getRandomValues(out);
  return out;
}

class Digest {
  private readonly parts: Uint8Array[] = [];

  constructor(private readonly key?: Uint8Array) {}

  update(data: string | Uint8Array): this {
    this.parts.push(asBytes(data));
    return this;
  }

  digest(encoding?: Encoding): any {
    return output(this.key ? hmacSha256(this.key, ...this.parts) : sha256(...this.parts), encoding);
  }
}

function onlySha256(algorithm: string): void {
  if (algorithm !== 'sha256') throw new BotzError(ErrorCode.INVALID_ARGUMENT, `the browser build has SHA-256 only (asked for ${algorithm})`);
}

export function createHash(algorithm: string): Digest {
  onlySha256(algorithm);
  return new Digest();
}

export function createHmac(algorithm: string, key: string | Uint8Array): Digest {
  onlySha256(algorithm);
  return new Digest(asBytes(key));
}

export function hash(algorithm: string, data: string | Uint8Array, encoding: Encoding = 'hex'): any {
  onlySha256(algorithm);
  return output(sha256(asBytes(data)), encoding);
}

export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) throw new RangeError('timingSafeEqual: inputs differ in length');
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

function onlyAes256Gcm(algorithm: string): void {
  if (algorithm !== 'aes-256-gcm') throw new BotzError(ErrorCode.INVALID_ARGUMENT, `the browser build has AES-256-GCM only (asked for ${algorithm})`);
}

export function createCipheriv(algorithm: string, key: Uint8Array, nonce: Uint8Array): DeferredCipher {
  onlyAes256Gcm(algorithm);
  return new DeferredCipher(key, nonce);
}

export function createDecipheriv(algorithm: string, key: Uint8Array): PreparedDecipher {
  onlyAes256Gcm(algorithm);
  return new PreparedDecipher(key);
}

/**
 * `hkdfSync('sha256', ikm, salt, info, length)`: HKDF (RFC 5869) over the HMAC above, what a
 * credential link derives its keys with (identity/link-keys.ts). An ArrayBuffer, as Node's.
 */
export function hkdfSync(digest: string, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): ArrayBuffer {
  onlySha256(digest);
  if (!Number.isInteger(length) || length < 0 || length > 255 * 32) throw new RangeError(`hkdfSync: a length of 0 to ${255 * 32} bytes (got ${length})`);
  const prk = hmacSha256(salt.length > 0 ? salt : new Uint8Array(32), ikm);
  const out = new Uint8Array(length);
  let block: Uint8Array = new Uint8Array(0);
  for (let i = 1, at = 0; at < length; i++, at += 32) {
    block = hmacSha256(prk, block, info, Uint8Array.of(i));
    out.set(block.subarray(0, Math.min(32, length - at)), at);
  }
  return out.buffer;
}

export { CurveKey, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, sign, verify } from './curve-keys.js';

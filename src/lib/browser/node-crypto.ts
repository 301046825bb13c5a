/**
 * `node:crypto` for the browser build: what the library calls, over WebCrypto's random
 * numbers and the synchronous SHA-256 of sha256.ts (WebCrypto hashes only asynchronously, and
 * packets are signed and verified synchronously). HMAC and HKDF (which is HMAC) are therefore
 * available. AES-256-GCM, which WebCrypto has only asynchronously, is split between the
 * packet code's synchronous calls here and the link, which waits for WebCrypto before a packet
 * leaves or is handed on (webcrypto-gcm.ts).
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

function noCredentials(): never {
  throw new BotzError(ErrorCode.INVALID_ARGUMENT, 'the browser build does not take per-component credentials yet (Ed25519/X25519 are asynchronous in WebCrypto): use the shared secret');
}

export const createPrivateKey = noCredentials;
export const createPublicKey = noCredentials;
export const diffieHellman = noCredentials;
export const generateKeyPairSync = noCredentials;
export const sign = noCredentials;
export const verify = noCredentials;
export const hkdfSync = noCredentials;

/**
 * Ed25519 and X25519 for the browser build's `node:crypto` (node-crypto.ts): the calls a
 * credential makes of Node (identity/keys.ts, link-keys.ts), over @noble/curves. WebCrypto has
 * both curves but only asynchronously, and a credential link's handshake signs, verifies and
 * agrees inside the packet handling, synchronously (as the packet MACs are). @noble/curves is
 * audited, synchronous and pure JavaScript; only the browser build carries it (the Node build
 * keeps OpenSSL).
 *
 * A key is held as its raw 32 bytes in a small stand-in for Node's KeyObject that does what
 * keys.ts asks of one: come from a JWK or a private key, and export itself as a JWK.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { BrowserBuffer } from './buffer.js';

type Curve = 'Ed25519' | 'X25519';
const RAW_KEY_BYTES = 32;

const b64url = (bytes: Uint8Array): string => BrowserBuffer.from(bytes).toString('base64url');
const unb64url = (text: unknown): Uint8Array => BrowserBuffer.from(typeof text === 'string' ? text : '', 'base64url');

/** What an Ed25519 or X25519 JWK carries (RFC 8037). */
export interface OkpJwk {
  kty: 'OKP';
  crv: Curve;
  x: string;
  d?: string;
}

/** The browser's KeyObject: an Ed25519 or X25519 key, public or private. */
export class CurveKey {
  private constructor(
    readonly type: 'private' | 'public',
    readonly curve: Curve,
    /** The raw key: a private key's 32-byte seed (Ed25519) or scalar (X25519), or a public key. */
    readonly raw: Uint8Array,
  ) {}

  get asymmetricKeyType(): 'ed25519' | 'x25519' {
    return this.curve === 'Ed25519' ? 'ed25519' : 'x25519';
  }

  static private(curve: Curve, raw: Uint8Array): CurveKey {
    return new CurveKey('private', curve, checked(raw, curve));
  }

  static public(curve: Curve, raw: Uint8Array): CurveKey {
    return new CurveKey('public', curve, checked(raw, curve));
  }

  /** The public half of a private key (itself for a public key). */
  publicKey(): CurveKey {
    if (this.type === 'public') return this;
    return CurveKey.public(this.curve, this.curve === 'Ed25519' ? ed25519.getPublicKey(this.raw) : x25519.getPublicKey(this.raw));
  }

  /** `export({ format: 'jwk' })`, the only export keys.ts uses. */
  export(options: { format: 'jwk' }): OkpJwk {
    if (options?.format !== 'jwk') throw new TypeError('the browser build exports Ed25519/X25519 keys as JWK only');
    const x = b64url(this.publicKey().raw);
    return this.type === 'private' ? { kty: 'OKP', crv: this.curve, x, d: b64url(this.raw) } : { kty: 'OKP', crv: this.curve, x };
  }
}

function checked(raw: Uint8Array, curve: Curve): Uint8Array {
  if (raw.length !== RAW_KEY_BYTES) throw new TypeError(`an ${curve} key must be ${RAW_KEY_BYTES} bytes (got ${raw.length})`);
  return Uint8Array.from(raw);
}

function curveOf(jwk: Partial<OkpJwk> | undefined): Curve {
  if (jwk?.kty !== 'OKP' || (jwk.crv !== 'Ed25519' && jwk.crv !== 'X25519')) throw new TypeError('the browser build takes Ed25519 and X25519 keys (OKP JWKs) only');
  return jwk.crv;
}

/** `createPrivateKey({ key: jwk, format: 'jwk' })`. */
export function createPrivateKey(input: { key: Partial<OkpJwk>; format: 'jwk' }): CurveKey {
  return CurveKey.private(curveOf(input?.key), unb64url(input.key.d));
}

/** `createPublicKey(privateKey)` or `createPublicKey({ key: jwk, format: 'jwk' })`. */
export function createPublicKey(input: CurveKey | { key: Partial<OkpJwk>; format: 'jwk' }): CurveKey {
  if (input instanceof CurveKey) return input.publicKey();
  return CurveKey.public(curveOf(input?.key), unb64url(input.key.x));
}

/** `generateKeyPairSync('ed25519' | 'x25519')`: the private key from the browser's CSPRNG. */
export function generateKeyPairSync(type: string): { privateKey: CurveKey; publicKey: CurveKey } {
  if (type !== 'ed25519' && type !== 'x25519') throw new TypeError(`the browser build generates Ed25519 and X25519 keys only (asked for ${type})`);
  const seed = new Uint8Array(RAW_KEY_BYTES);
  globalThis.crypto.getRandomValues(seed);
  const privateKey = CurveKey.private(type === 'ed25519' ? 'Ed25519' : 'X25519', seed);
  return { privateKey, publicKey: privateKey.publicKey() };
}

function expect(key: unknown, type: 'private' | 'public', curve: Curve): CurveKey {
  if (!(key instanceof CurveKey) || key.type !== type || key.curve !== curve) throw new TypeError(`expected an ${curve} ${type} key`);
  return key;
}

function noAlgorithm(algorithm: unknown): void {
  if (algorithm !== null && algorithm !== undefined) throw new TypeError('Ed25519 signs the message itself: the algorithm must be null');
}

/** `sign(null, data, privateKey)`: Ed25519 (RFC 8032), deterministic, so the same bytes as Node's. */
export function sign(algorithm: null, data: Uint8Array, privateKey: CurveKey): BrowserBuffer {
  noAlgorithm(algorithm);
  return BrowserBuffer.from(ed25519.sign(data, expect(privateKey, 'private', 'Ed25519').raw));
}

/**
 * `verify(null, data, publicKey, signature)`. Strict RFC 8032 encodings (not ZIP-215's laxer
 * ones), as OpenSSL checks them: a non-canonical S or point is refused.
 */
export function verify(algorithm: null, data: Uint8Array, publicKey: CurveKey, signature: Uint8Array): boolean {
  noAlgorithm(algorithm);
  const key = publicKey instanceof CurveKey && publicKey.type === 'private' ? publicKey.publicKey() : publicKey;
  try {
    return ed25519.verify(signature, data, expect(key, 'public', 'Ed25519').raw, { zip215: false });
  } catch {
    return false;
  }
}

/**
 * `diffieHellman({ privateKey, publicKey })`: X25519. Throws for a public key of small order,
 * as OpenSSL does (its secret would be all zeros, RFC 7748 §6.1).
 */
export function diffieHellman(options: { privateKey: CurveKey; publicKey: CurveKey }): BrowserBuffer {
  const ours = expect(options?.privateKey, 'private', 'X25519');
  const theirs = expect(options.publicKey, 'public', 'X25519');
  const shared = x25519.getSharedSecret(ours.raw, theirs.raw);
  if (shared.every((b) => b === 0)) throw new Error('X25519: the other key is of small order');
  return BrowserBuffer.from(shared);
}

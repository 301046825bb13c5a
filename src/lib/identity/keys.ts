/**
 * The two public-key primitives identities use, through Node's crypto and nothing else:
 * Ed25519 signatures (RFC 8032) and X25519 key agreement (RFC 7748). Keys travel and rest as
 * their raw 32 bytes in base64url (a JWK's `x` and `d`).
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { BotzError, ErrorCode } from '../errors.js';

export const RAW_KEY_BYTES = 32;

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** The raw 32-byte public key. */
export function rawPublic(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: 'jwk' }).x as string, 'base64url');
}

/** The raw 32-byte private key (Ed25519: the seed). */
export function rawPrivate(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: 'jwk' }).d as string, 'base64url');
}

function checkRaw(raw: Uint8Array, what: string): void {
  if (raw.length !== RAW_KEY_BYTES) throw new BotzError(ErrorCode.CREDENTIAL_REJECTED, `${what} must be ${RAW_KEY_BYTES} bytes (got ${raw.length})`);
}

export function newEd25519(): KeyPair {
  return generateKeyPairSync('ed25519');
}

export function ed25519Private(seed: Uint8Array): KeyPair {
  checkRaw(seed, 'an Ed25519 private key');
  const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: Buffer.from(seed).toString('base64url'), x: '' }, format: 'jwk' });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

export function ed25519Public(raw: Uint8Array): KeyObject {
  checkRaw(raw, 'an Ed25519 public key');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

export function ed25519Sign(privateKey: KeyObject, data: Uint8Array): Buffer {
  return sign(null, data, privateKey);
}

/** False (never a throw) for a signature of the wrong size or any other that does not verify. */
export function ed25519Verify(publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify(null, data, publicKey, signature);
  } catch {
    return false;
  }
}

export function newX25519(): KeyPair {
  return generateKeyPairSync('x25519');
}

export function x25519Private(raw: Uint8Array): KeyPair {
  checkRaw(raw, 'an X25519 private key');
  const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: Buffer.from(raw).toString('base64url'), x: '' }, format: 'jwk' });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

/**
 * X25519(our private key, their raw public key). A public key of small order gives the all-zero
 * secret (RFC 7748 §6.1), which OpenSSL refuses: both are CREDENTIAL_REJECTED.
 */
export function x25519Shared(privateKey: KeyObject, theirs: Uint8Array): Buffer {
  checkRaw(theirs, 'an X25519 public key');
  try {
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(theirs).toString('base64url') }, format: 'jwk' });
    const shared = diffieHellman({ privateKey, publicKey });
    if (shared.every((b) => b === 0)) throw new Error('all-zero shared secret');
    return shared;
  } catch {
    throw new BotzError(ErrorCode.CREDENTIAL_REJECTED, 'the ephemeral key of the other end is not a usable X25519 public key');
  }
}

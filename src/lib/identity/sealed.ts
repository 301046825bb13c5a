/**
 * End-to-end sealing of frames a credential mesh carries (PROTOCOL.md §12 Mesh, Credentials),
 * as pure functions over bytes so the vectors (scripts/make-sealed-vectors.ts) check each step.
 *
 * Every credential mesh node makes one X25519 key pair per run (its *mesh key*) and signs the
 * public half with its credential's Ed25519 key; the signed key travels in its announcements.
 * A sender and a recipient each hold one half of a static-static X25519 exchange (as Noise's
 * `ss` token and NaCl's crypto_box do, the halves signed as X3DH signs its prekeys); HKDF
 * (RFC 5869) turns the shared secret into one AES-256-GCM key per direction, salted with both
 * mesh keys in that direction's order. Nonces are the sender's run-wide counter, so a key
 * (new with every run of either end) never sees a nonce twice.
 */
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';

export const MESH_KEY_LABEL = 'botz mesh key v1';
export const SEALED_LABEL = 'botz sealed v1';
export const MSA_LABEL = 'botz msa v1';
export const SEALED_TAG_BYTES = 16;

const ZERO = Buffer.from([0]);
const ascii = (s: string): Buffer => Buffer.from(s, 'ascii');
const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/** What a node's credential key signs for its mesh key: "botz mesh key v1" 0x00 ‖ UTF-8 name 0x00 ‖ the 32-byte X25519 key. */
export function meshKeySigned(name: string, meshKey: Uint8Array): Buffer {
  return Buffer.concat([ascii(MESH_KEY_LABEL), ZERO, utf8(name), ZERO, meshKey]);
}

/**
 * What a credential node signs for each of its announcements (`msa.sig`): "botz msa v1" 0x00 ‖
 * UTF-8 origin 0x00 ‖ incarnation and seq as unsigned 64-bit big-endian integers ‖ the 32-byte
 * mesh key ‖ each neighbour's UTF-8 name followed by 0x00, in the order announced.
 */
export function msaSigned(origin: string, incarnation: number, seq: number, meshKey: Uint8Array, neighbours: readonly string[]): Buffer {
  const numbers = Buffer.alloc(16);
  numbers.writeBigUInt64BE(BigInt(incarnation), 0);
  numbers.writeBigUInt64BE(BigInt(seq), 8);
  return Buffer.concat([ascii(MSA_LABEL), ZERO, utf8(origin), ZERO, numbers, meshKey, ...neighbours.flatMap((n) => [utf8(n), ZERO])]);
}

/** HKDF-SHA256(IKM = X25519 secret, salt = sender's mesh key ‖ recipient's mesh key, info = "botz sealed v1", L = 32). */
export function sealedKey(shared: Uint8Array, senderKey: Uint8Array, recipientKey: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([senderKey, recipientKey]), ascii(SEALED_LABEL), 32));
}

/** The GCM nonce: four zero bytes, then the counter as an unsigned 64-bit big-endian integer. */
export function sealedNonce(counter: number): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeBigUInt64BE(BigInt(counter), 4);
  return nonce;
}

/** The associated data: "botz sealed v1" 0x00 ‖ UTF-8 from 0x00 ‖ UTF-8 to 0x00 ‖ ts as an unsigned 64-bit big-endian integer. */
export function sealedAad(from: string, to: string, ts: number): Buffer {
  const time = Buffer.alloc(8);
  time.writeBigUInt64BE(BigInt(ts));
  return Buffer.concat([ascii(SEALED_LABEL), ZERO, utf8(from), ZERO, utf8(to), ZERO, time]);
}

/** AES-256-GCM: the ciphertext followed by the 16-byte tag. */
export function sealBox(key: Uint8Array, counter: number, aad: Uint8Array, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, sealedNonce(counter));
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** The plaintext, or undefined when the box does not open (another key, a changed byte, a short box). */
export function openBox(key: Uint8Array, counter: number, aad: Uint8Array, box: Uint8Array): Buffer | undefined {
  if (box.length < SEALED_TAG_BYTES) return undefined;
  const at = box.length - SEALED_TAG_BYTES;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealedNonce(counter));
    decipher.setAAD(aad);
    decipher.setAuthTag(box.subarray(at));
    return Buffer.concat([decipher.update(box.subarray(0, at)), decipher.final()]);
  } catch {
    return undefined;
  }
}

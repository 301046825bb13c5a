/**
 * The key schedule of a credential link (PROTOCOL.md §3b), as pure functions over bytes, so
 * the test vectors can check each step. It is the SIGMA pattern (Krawczyk; what TLS 1.3 and
 * IKEv2 use): an ephemeral X25519 exchange, a transcript hash of every handshake packet, each
 * end signing the transcript with its Ed25519 identity, and HKDF (RFC 5869) deriving one key per
 * direction from the shared secret, salted with the transcript. Each derived key then serves as
 * the link's keyring secret for that direction: packets are MACed or AES-GCM-sealed exactly as
 * under a shared secret (§3, §3a).
 */
import { createHash, hkdfSync } from 'node:crypto';

/**
 * The handshake key: a public constant (SHA-256 of the 21 ASCII bytes "botz handshake key v1").
 * The hello and welcome of a credential link are MACed with it, which proves nothing about
 * their sender; what authenticates them is the transcript each end signs.
 */
export const HANDSHAKE_SECRET = createHash('sha256').update('botz handshake key v1', 'ascii').digest();

const ascii = (s: string): Buffer => Buffer.from(s, 'ascii');
const ZERO = Buffer.from([0]);

/** th1 = SHA-256("botz identity v1" ‖ the hello packet, every byte as sent). */
export function helloTranscript(helloPacket: Uint8Array): Buffer {
  return createHash('sha256').update(ascii('botz identity v1')).update(helloPacket).digest();
}

/** th2 = SHA-256(th1 ‖ the welcome packet, every byte as sent). */
export function welcomeTranscript(th1: Uint8Array, welcomePacket: Uint8Array): Buffer {
  return createHash('sha256').update(th1).update(welcomePacket).digest();
}

/** What the listener signs in its welcome: "botz welcome v1" 0x00 ‖ th1 ‖ its ephemeral key ‖ the welcome's nonce (UTF-8). */
export function welcomeSigned(th1: Uint8Array, listenerEphemeral: Uint8Array, nonce: string): Buffer {
  return Buffer.concat([ascii('botz welcome v1'), ZERO, th1, listenerEphemeral, Buffer.from(nonce, 'utf8')]);
}

/** What the dialer signs in its auth: "botz auth v1" 0x00 ‖ th2. */
export function authSigned(th2: Uint8Array): Buffer {
  return Buffer.concat([ascii('botz auth v1'), ZERO, th2]);
}

export interface LinkKeys {
  /** Seals what the dialer sends (and opens it at the listener). */
  dialer: Buffer;
  /** Seals what the listener sends. */
  listener: Buffer;
}

/** HKDF-SHA256(IKM = the X25519 secret, salt = th2, info = "botz link key dialer" / "... listener", L = 32). */
export function linkKeys(shared: Uint8Array, th2: Uint8Array): LinkKeys {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', shared, th2, ascii(info), 32));
  return { dialer: derive('botz link key dialer'), listener: derive('botz link key listener') };
}

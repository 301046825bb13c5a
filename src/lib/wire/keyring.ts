/**
 * The keyring: the shared secrets a node accepts. It signs with the primary (the first) and
 * verifies with whichever key the packet names by its 4-byte key id, so a secret can be
 * rotated without downtime: add the new key everywhere, make it primary, then drop the old.
 * The secret never travels; only its id (a truncated HMAC of a fixed label) does.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { BotzError, ErrorCode } from '../errors.js';
import { macPads, type MacKey } from './mac.js';

export const KEY_ID_LABEL = 'botz key id v1';
/** HKDF-SHA256 info for the payload encryption key (salt "botz"); see PROTOCOL.md. */
export const ENCRYPTION_KEY_INFO = 'botz payload encryption v1';
export const MIN_SECRET_BYTES = 16;

export interface Key extends MacKey {
  /** First 4 bytes of HMAC-SHA256(secret, "botz key id v1"), big-endian. */
  readonly id: number;
  /**
   * The secret's bytes (MACs use the precomputed pads of MacKey; see mac.ts for why).
   */
  readonly key: Buffer;
  /** AES-256 key for encrypted payloads: HKDF-SHA256(secret, salt "botz", info ENCRYPTION_KEY_INFO). */
  readonly encKey: Buffer;
}

export function encryptionKeyOf(secret: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'botz', ENCRYPTION_KEY_INFO, 32));
}

export function keyIdOf(secret: Uint8Array): number {
  return createHmac('sha256', secret).update(KEY_ID_LABEL).digest().readUInt32BE(0);
}

export class Keyring {
  readonly primary: Key;
  private readonly byId = new Map<number, Key>();

  /** `secrets[0]` signs; every listed secret verifies. Strings are taken as UTF-8. */
  constructor(secrets: ReadonlyArray<string | Uint8Array>) {
    if (secrets.length === 0) throw new BotzError(ErrorCode.INVALID_ARGUMENT, 'a keyring needs at least one secret');
    for (const s of secrets) {
      const bytes = typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s);
      if (bytes.length < MIN_SECRET_BYTES) {
        throw new BotzError(
          ErrorCode.INVALID_ARGUMENT,
          `a secret must be at least ${MIN_SECRET_BYTES} bytes long (got ${bytes.length})`,
          { details: { secretBytes: bytes.length, minSecretBytes: MIN_SECRET_BYTES } },
        );
      }
      const key: Key = { id: keyIdOf(bytes), key: bytes, encKey: encryptionKeyOf(bytes), ...macPads(bytes) };
      if (!this.byId.has(key.id)) this.byId.set(key.id, key);
    }
    this.primary = this.byId.values().next().value as Key;
  }

  find(id: number): Key | undefined {
    return this.byId.get(id);
  }

  get size(): number {
    return this.byId.size;
  }

  static from(secret: string | Uint8Array | Keyring | ReadonlyArray<string | Uint8Array>): Keyring {
    if (secret instanceof Keyring) return secret;
    if (typeof secret === 'string' || secret instanceof Uint8Array) return new Keyring([secret]);
    return new Keyring(secret);
  }
}

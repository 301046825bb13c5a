/**
 * The keyring: the shared secrets a node accepts. It signs with the primary (the first) and
 * verifies with whichever key the packet names by its 4-byte key id, so a secret can be
 * rotated without downtime: add the new key everywhere, make it primary, then drop the old.
 * The secret never travels; only its id (a truncated HMAC of a fixed label) does.
 *
 * Each secret also keys payload encryption, through HKDF (RFC 5869): the extract step is done
 * once per secret here, and the expand step once per link instance (see `packetKeyOf`), so
 * every link direction encrypts under a key of its own.
 */
import { createHmac } from 'node:crypto';
import { BotzError, ErrorCode } from '../errors.js';
import { mac, macPads, type MacKey } from './mac.js';

export const KEY_ID_LABEL = 'botz key id v1';
/** HKDF-SHA256 salt of the packet-key extract step (PROTOCOL.md §3a). */
export const PACKET_KEY_SALT = 'botz v2';
/** HKDF-SHA256 info prefix of the expand step; the link instance (16 bytes) follows it. */
export const PACKET_KEY_INFO = 'botz packet key';
export const MIN_SECRET_BYTES = 16;

export interface Key extends MacKey {
  /** First 4 bytes of HMAC-SHA256(secret, "botz key id v1"), big-endian. */
  readonly id: number;
  /**
   * The secret's bytes (MACs use the precomputed pads of MacKey; see mac.ts for why).
   */
  readonly key: Buffer;
  /** HKDF-Extract(salt "botz v2", secret), as a MAC key: packet keys are expanded from it. */
  readonly packetKeyPrk: MacKey;
}

export function keyIdOf(secret: Uint8Array): number {
  return createHmac('sha256', secret).update(KEY_ID_LABEL).digest().readUInt32BE(0);
}

/** HKDF-Extract(salt = "botz v2", IKM = secret), with its MAC pads ready for the expand step. */
export function packetKeyPrkOf(secret: Uint8Array): MacKey {
  const prk = createHmac('sha256', PACKET_KEY_SALT).update(secret).digest();
  return { key: prk, ...macPads(prk) };
}

const INFO_PREFIX = Buffer.from(PACKET_KEY_INFO, 'ascii');

/**
 * The AES-256-GCM key of one link instance: HKDF-Expand(PRK, info = "botz packet key" ‖
 * instance, L = 32), which for 32 bytes is the single block HMAC(PRK, info ‖ 0x01).
 */
export function packetKeyOf(key: Pick<Key, 'packetKeyPrk'>, instance: Uint8Array): Buffer {
  const info = Buffer.allocUnsafe(INFO_PREFIX.length + instance.length + 1);
  INFO_PREFIX.copy(info, 0);
  info.set(instance, INFO_PREFIX.length);
  info[info.length - 1] = 0x01;
  return mac(key.packetKeyPrk, info);
}

export class Keyring {
  private current!: Key;
  private byId = new Map<number, Key>();

  /** `secrets[0]` signs; every listed secret verifies. Strings are taken as UTF-8. */
  constructor(secrets: ReadonlyArray<string | Uint8Array>) {
    this.replace(secrets);
  }

  /** The key that signs. */
  get primary(): Key {
    return this.current;
  }

  /**
   * Live rotation: takes a new list of secrets in place (checked first: a bad list changes
   * nothing). Every sealer and opener holding this keyring uses it from its next packet, so a
   * running node changes keys with no restart and no link dropped (PROTOCOL.md §3).
   */
  replace(secrets: ReadonlyArray<string | Uint8Array>): void {
    if (secrets.length === 0) throw new BotzError(ErrorCode.INVALID_ARGUMENT, 'a keyring needs at least one secret');
    const byId = new Map<number, Key>();
    for (const s of secrets) {
      // A JavaScript caller's `secret: process.env.BOTZ_SECRET` with the variable unset.
      if (typeof s !== 'string' && !(s instanceof Uint8Array)) {
        throw new BotzError(ErrorCode.INVALID_ARGUMENT, `no secret given (got ${s === null ? 'null' : typeof s}); pass one, e.g. \`secret: await loadSecret()\``);
      }
      const bytes = typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s);
      if (bytes.length < MIN_SECRET_BYTES) {
        throw new BotzError(
          ErrorCode.INVALID_ARGUMENT,
          `a secret must be at least ${MIN_SECRET_BYTES} bytes long (got ${bytes.length})`,
          { details: { secretBytes: bytes.length, minSecretBytes: MIN_SECRET_BYTES } },
        );
      }
      const key: Key = { id: keyIdOf(bytes), key: bytes, packetKeyPrk: packetKeyPrkOf(bytes), ...macPads(bytes) };
      if (!byId.has(key.id)) byId.set(key.id, key);
    }
    this.byId = byId;
    this.current = byId.values().next().value as Key;
  }

  /** The key ids, the primary's first. */
  get ids(): number[] {
    return [...this.byId.keys()];
  }

  find(id: number): Key | undefined {
    return this.byId.get(id);
  }

  get size(): number {
    return this.byId.size;
  }

  static from(secret: string | Uint8Array | Keyring | ReadonlyArray<string | Uint8Array>): Keyring {
    if (secret instanceof Keyring) return secret;
    if (typeof secret === 'string' || secret instanceof Uint8Array || !Array.isArray(secret)) return new Keyring([secret as string]);
    return new Keyring(secret);
  }
}

/**
 * AES-256-GCM for the browser build (PROTOCOL.md §3a), through WebCrypto. The library seals and
 * opens packets synchronously (packet.ts); WebCrypto encrypts only asynchronously. So the
 * cipher's work is split between node:crypto's stand-ins (node-crypto.ts), which the packet
 * code calls as it does Node's, and the browser's link (browser-transport.ts), which can wait:
 *
 * - Sealing: `createCipheriv` takes the plaintext out of the packet (the packet holds zeros in
 *   its place, so a packet that somehow left unsealed would carry nothing readable) and files
 *   the job under the packet's bytes; the link calls `finishSeal` on every packet before it
 *   sends it, in order, which encrypts the payload and writes the ciphertext and tag in.
 * - Opening: the link calls `prepareOpen` on every packet as it arrives, before handing it on
 *   (in order): an encrypted one is decrypted under the key the opener will use (the keyring's
 *   key of its key id, expanded for its instance) and, if its tag verifies, the plaintext is
 *   filed under the packet's bytes. `createDecipheriv` hands it to the opener only when asked
 *   with that same key for that same packet; otherwise its `final` fails as a bad tag does
 *   (BAD_MAC). So nothing is trusted that WebCrypto did not verify, and every other check of
 *   the opener (key id, replay guard, frames) runs as for any packet.
 *
 * Filing under the packet's ArrayBuffer (a WeakMap) lets the two halves meet without any
 * change to the shared packet code; a packet that is dropped takes its entry with it.
 */
import type { Key, Keyring } from '../wire/keyring.js';
import { packetKeyOf } from '../wire/keyring.js';
import { BrowserBuffer } from './buffer.js';

const TAG_BYTES = 16;
const INSTANCE_AT = 6;
const INSTANCE_BYTES = 16;
const COUNTER_AT = 22;
const DEST_LENGTH_AT = 38;
const FIXED_HEADER_BYTES = 39;
const ENCRYPTED_FLAG = 0x80;

/** What WebCrypto's SubtleCrypto offers that this file uses (it is type-checked without the DOM library). */
interface Subtle {
  importKey(format: 'raw', key: Uint8Array, algorithm: 'AES-GCM', extractable: false, usages: string[]): Promise<unknown>;
  encrypt(algorithm: { name: 'AES-GCM'; iv: Uint8Array; additionalData: Uint8Array; tagLength: 128 }, key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
  decrypt(algorithm: { name: 'AES-GCM'; iv: Uint8Array; additionalData: Uint8Array; tagLength: 128 }, key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
}

function subtle(): Subtle {
  const s = (globalThis.crypto as unknown as { subtle?: Subtle }).subtle;
  // WebCrypto's subtle exists only in a secure context: https, or a page from localhost/127.0.0.1.
  if (!s) throw new Error('WebCrypto is not available here (a page must come from https or from this machine to encrypt)');
  return s;
}

interface SealJob {
  packetKey: Uint8Array;
  nonce: Uint8Array;
  headerEnd: number;
  plaintext: Uint8Array;
}

interface Opened {
  packetKey: Uint8Array;
  payloadStart: number;
  plaintext: BrowserBuffer;
}

const sealJobs = new WeakMap<ArrayBufferLike, SealJob>();
const openedPackets = new WeakMap<ArrayBufferLike, Opened>();
/** The sealer keeps one packet key object per link instance and key: its imported CryptoKey is kept with it. */
const importedKeys = new WeakMap<Uint8Array, Promise<unknown>>();

/**
 * The keys of the instances a page hears from (few: its server's, and a direct peer's), per
 * keyring key, so a key is expanded and imported once per instance rather than per packet.
 * Only keys that opened a packet are kept, at most OPENING_KEYS per keyring key (the oldest goes).
 */
const openingKeys = new WeakMap<Key, Map<string, { packetKey: Uint8Array; cryptoKey: unknown }>>();
const OPENING_KEYS = 64;

function importKey(packetKey: Uint8Array): Promise<unknown> {
  let key = importedKeys.get(packetKey);
  if (key === undefined) {
    key = subtle().importKey('raw', packetKey, 'AES-GCM', false, ['encrypt', 'decrypt']);
    importedKeys.set(packetKey, key);
  }
  return key;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** `createCipheriv('aes-256-gcm', ...)` of the browser build: see the top of this file. */
export class DeferredCipher {
  private header: Uint8Array | undefined;
  private plaintext: Uint8Array | undefined;

  constructor(
    private readonly packetKey: Uint8Array,
    private readonly nonce: Uint8Array,
  ) {}

  setAAD(header: Uint8Array): this {
    this.header = header;
    return this;
  }

  /** Keeps a copy of the payload and gives zeros to write in its place until `finishSeal` encrypts it. */
  update(payload: Uint8Array): BrowserBuffer {
    this.plaintext = BrowserBuffer.from(payload);
    return BrowserBuffer.alloc(payload.length);
  }

  final(): BrowserBuffer {
    return BrowserBuffer.alloc(0);
  }

  /** Files the job under the packet (the header is a view of it) and gives a placeholder tag. */
  getAuthTag(): BrowserBuffer {
    if (!this.header || !this.plaintext || this.header.byteOffset !== 0) throw new Error('internal: a deferred seal needs the whole header as its AAD');
    sealJobs.set(this.header.buffer, { packetKey: this.packetKey, nonce: BrowserBuffer.from(this.nonce), headerEnd: this.header.length, plaintext: this.plaintext });
    return BrowserBuffer.alloc(TAG_BYTES);
  }
}

/** `createDecipheriv('aes-256-gcm', ...)` of the browser build: hands over what `prepareOpen` verified. */
export class PreparedDecipher {
  private opened: Opened | undefined;

  constructor(private readonly packetKey: Uint8Array) {}

  setAAD(): this {
    return this;
  }

  setAuthTag(): this {
    return this;
  }

  update(ciphertext: Uint8Array): BrowserBuffer {
    const opened = openedPackets.get(ciphertext.buffer);
    if (opened && opened.payloadStart === ciphertext.byteOffset && opened.plaintext.length === ciphertext.length && equalBytes(opened.packetKey, this.packetKey)) {
      this.opened = opened;
      return opened.plaintext;
    }
    return BrowserBuffer.alloc(ciphertext.length);
  }

  /** Throws, as Node's does for a bad tag, unless WebCrypto verified this packet under this key. */
  final(): BrowserBuffer {
    if (!this.opened) throw new Error('Unsupported state or unable to authenticate data');
    return BrowserBuffer.alloc(0);
  }
}

/**
 * Encrypts a packet sealed with a deferred cipher, in place; resolves at once (undefined) for
 * any other packet. Call it on every packet before it is sent, and send them in order.
 */
export function finishSeal(packet: Uint8Array): Promise<void> | undefined {
  const job = sealJobs.get(packet.buffer);
  if (job === undefined || packet.byteOffset !== 0) return undefined;
  sealJobs.delete(packet.buffer);
  return importKey(job.packetKey).then(async (key) => {
    const sealed = await subtle().encrypt(
      { name: 'AES-GCM', iv: job.nonce, additionalData: packet.subarray(0, job.headerEnd), tagLength: 128 },
      key,
      job.plaintext,
    );
    packet.set(new Uint8Array(sealed), job.headerEnd);
  });
}

/**
 * Decrypts an encrypted packet under `keyring` if its tag verifies, filing the plaintext for
 * the opener; resolves at once (undefined) for a plaintext packet. Never rejects: a packet it
 * cannot open goes on to the opener, which refuses it with its own error (UNKNOWN_KEY, BAD_MAC...).
 */
export function prepareOpen(packet: Uint8Array, keyring: Keyring): Promise<void> | undefined {
  if (packet.length < FIXED_HEADER_BYTES + TAG_BYTES || (packet[1] & ENCRYPTED_FLAG) === 0) return undefined;
  const payloadStart = FIXED_HEADER_BYTES + packet[DEST_LENGTH_AT];
  const payloadEnd = packet.length - TAG_BYTES;
  const keyId = new DataView(packet.buffer, packet.byteOffset, packet.length).getUint32(2);
  const key = keyring.find(keyId);
  if (payloadStart > payloadEnd || key === undefined) return undefined;
  const instance = packet.subarray(INSTANCE_AT, INSTANCE_AT + INSTANCE_BYTES);
  const instanceId = String.fromCharCode(...instance);
  let known = openingKeys.get(key);
  if (known === undefined) openingKeys.set(key, (known = new Map()));
  const cached = known.get(instanceId);
  const packetKey = cached?.packetKey ?? packetKeyOf(key, instance);
  const nonce = new Uint8Array(12);
  nonce.set(packet.subarray(COUNTER_AT, COUNTER_AT + 8), 4);
  const cryptoKey = cached ? Promise.resolve(cached.cryptoKey) : subtle().importKey('raw', packetKey, 'AES-GCM', false, ['decrypt']);
  return cryptoKey
    .then(async (k) => {
      const plain = await subtle().decrypt({ name: 'AES-GCM', iv: nonce, additionalData: packet.subarray(0, payloadStart), tagLength: 128 }, k, packet.subarray(payloadStart));
      openedPackets.set(packet.buffer, { packetKey, payloadStart: packet.byteOffset + payloadStart, plaintext: BrowserBuffer.from(new Uint8Array(plain)) });
      if (!cached) {
        if (known.size >= OPENING_KEYS) known.delete(known.keys().next().value as string);
        known.set(instanceId, { packetKey, cryptoKey: k });
      }
    })
    .catch(() => undefined);
}

/**
 * Builds the wire test vectors in test/vectors/ from fixed inputs, deterministically.
 *
 * The packets are assembled here byte by byte with node:crypto and @msgpack/msgpack only,
 * following PROTOCOL.md, and not with src/lib/wire/packet.ts: the vectors are then a second,
 * independent reading of the spec that the library must agree with (test/lib/wire/vectors.test.ts).
 *
 * Run: `UPDATE_VECTORS=1 npx vitest run test/lib/wire/vectors.test.ts` rewrites the files;
 * without the variable the same test checks that the committed files are what this produces.
 */
import { createCipheriv, createHmac, hkdfSync } from 'node:crypto';
import { encode as msgpackEncode } from '@msgpack/msgpack';

/** Receiver clock for every vector (2026-01-01T00:00:00Z). */
export const VECTOR_NOW = 1_767_225_600_000;
const TS = VECTOR_NOW - 1_000;
const INSTANCE = '000102030405060708090a0b0c0d0e0f';
const VERSION = 2;

export interface VectorKey {
  name: string;
  secretUtf8: string;
  secretHex: string;
  /** First 4 bytes of HMAC-SHA256(secret, "botz key id v1"), as 8 hex digits. */
  keyId: string;
  /** HKDF-Extract(salt "botz v2", IKM = secret): the PRK that packet keys are expanded from. */
  packetKeyPrkHex: string;
}

export interface HeaderFields {
  version: number;
  codec: 'json' | 'msgpack';
  keyId: string;
  instance: string;
  counter: number;
  ts: number;
  to: string;
  /** Codec byte bit 0x80: the payload is AES-256-GCM encrypted. */
  encrypted: boolean;
}

export interface PacketVector {
  name: string;
  description: string;
  /** Names of the keys the receiver holds, primary first. */
  keyring: string[];
  signedWith: string;
  header: HeaderFields;
  frames: object[];
  /** The payload as it travels (ciphertext when encrypted). */
  payloadHex: string;
  /** Authenticated packets: the bytes the MAC covers (everything but the last 32 bytes) and the MAC. */
  macInputHex?: string;
  macHex?: string;
  /** Encrypted packets: the payload before encryption, the instance's AES-256-GCM key, the nonce, the additional data (the header) and the tag (the last 16 bytes). */
  plainPayloadHex?: string;
  packetKeyHex?: string;
  nonceHex?: string;
  aadHex?: string;
  tagHex?: string;
  packetHex: string;
}

export interface RejectedVector {
  name: string;
  description: string;
  keyring: string[];
  /** Receiver's packet size limit for this case. */
  maxPacketBytes: number;
  packetHex: string;
  /** The ErrorCode a receiver reports. */
  code: string;
}

export interface VectorFiles {
  'keys.json': { keys: VectorKey[] };
  'packets.json': ReceiverState & { maxPacketBytes: number; vectors: PacketVector[] };
  'rejected.json': ReceiverState & { vectors: RejectedVector[] };
  'replay.json': Omit<ReceiverState, 'now'> & { steps: ReplayStep[] };
  'handshake.json': ReceiverState & { key: string; steps: HandshakeStep[] };
}

/**
 * The receiver a vector file assumes (PROTOCOL.md §4): its clock when a packet arrives, when its
 * replay guard was created, the window W and the start skew S.
 */
export interface ReceiverState {
  now: number;
  startedAt: number;
  replayWindowMs: number;
  startSkewMs: number;
}

/**
 * One packet of a link's handshake (PROTOCOL.md §9), in the order they travel: the dialer's
 * hello, the listener's welcome with its fresh nonce, and the dialer's auth that answers it
 * (encrypted here, because the hello asked for encryption), followed by its first request.
 */
export interface HandshakeStep {
  note: string;
  sender: 'dialer' | 'listener';
  header: HeaderFields;
  frames: object[];
  packetHex: string;
}

/** One packet header seen by a replay guard, in order: accepted ("ok") or the ErrorCode. */
export interface ReplayStep {
  note: string;
  /** Receiver clock when the packet arrives. */
  now: number;
  instance: string;
  counter: number;
  ts: number;
  expect: 'ok' | 'REPLAY' | 'STALE_TIMESTAMP';
}

const DEFAULT_MAX = 1024 * 1024;
/** Every file's receiver: its guard created at VECTOR_NOW, the default window and skew. */
const RECEIVER: ReceiverState = { now: VECTOR_NOW, startedAt: VECTOR_NOW, replayWindowMs: 30_000, startSkewMs: 2_000 };
const CODEC_ID = { json: 0, msgpack: 1 } as const;

function makeKey(name: string, secretUtf8: string): VectorKey {
  const secret = Buffer.from(secretUtf8, 'utf8');
  const keyId = createHmac('sha256', secret).update('botz key id v1').digest().subarray(0, 4).toString('hex');
  const packetKeyPrkHex = createHmac('sha256', 'botz v2').update(secret).digest('hex');
  return { name, secretUtf8, secretHex: secret.toString('hex'), keyId, packetKeyPrkHex };
}

export const KEYS: VectorKey[] = [
  makeKey('k1', 'botz test vector secret one'),
  makeKey('k2', 'botz test vector secret two, rotated in'),
  makeKey('k3', 'a key the receiver does not hold'),
];

function key(name: string): VectorKey {
  const k = KEYS.find((x) => x.name === name);
  if (!k) throw new Error(`no vector key ${name}`);
  return k;
}

/** The header: every field before the payload, as PROTOCOL.md lays it out. */
export function rawHeader(h: HeaderFields): Buffer {
  const to = Buffer.from(h.to, 'utf8');
  const buf = Buffer.alloc(39 + to.length);
  buf[0] = h.version;
  buf[1] = (h.codec in CODEC_ID ? CODEC_ID[h.codec] : Number(h.codec)) | (h.encrypted ? 0x80 : 0);
  buf.write(h.keyId, 2, 'hex');
  buf.write(h.instance, 6, 'hex');
  buf.writeBigUInt64BE(BigInt(h.counter), 22);
  buf.writeBigUInt64BE(BigInt(h.ts), 30);
  buf[38] = to.length;
  to.copy(buf, 39);
  return buf;
}

/** Header + payload + HMAC-SHA256(secret, header + payload). */
export function rawPacket(h: HeaderFields, payload: Uint8Array, secretHex: string): Buffer {
  const body = Buffer.concat([rawHeader(h), payload]);
  const mac = createHmac('sha256', Buffer.from(secretHex, 'hex')).update(body).digest();
  return Buffer.concat([body, mac]);
}

/** A version-1 packet (8-byte instance, 31-byte header, HMAC), as an old peer sends it. */
function v1Packet(payload: Uint8Array, secretHex: string): Buffer {
  const to = Buffer.from('bob');
  const head = Buffer.alloc(31 + to.length);
  head[0] = 1;
  head[1] = 0;
  head.write(KEYS[0].keyId, 2, 'hex');
  head.write('0123456789abcdef', 6, 'hex');
  head.writeBigUInt64BE(1n, 14);
  head.writeBigUInt64BE(BigInt(TS), 22);
  head[30] = to.length;
  to.copy(head, 31);
  const body = Buffer.concat([head, payload]);
  return Buffer.concat([body, createHmac('sha256', Buffer.from(secretHex, 'hex')).update(body).digest()]);
}

export function encodePayload(codec: 'json' | 'msgpack', frames: readonly object[]): Buffer {
  return codec === 'json'
    ? Buffer.from(JSON.stringify(frames), 'utf8')
    : Buffer.from(msgpackEncode(frames, { ignoreUndefined: true }));
}

function header(codec: 'json' | 'msgpack', signer: string, counter: number, to: string, encrypted = false): HeaderFields {
  return { version: VERSION, codec, keyId: key(signer).keyId, instance: INSTANCE, counter, ts: TS, to, encrypted };
}

/** The instance's key: HKDF-SHA256(secret, salt "botz v2", info "botz packet key" ‖ instance, 32 bytes). */
export function packetKey(secretHex: string, instanceHex: string): Buffer {
  const info = Buffer.concat([Buffer.from('botz packet key', 'ascii'), Buffer.from(instanceHex, 'hex')]);
  return Buffer.from(hkdfSync('sha256', Buffer.from(secretHex, 'hex'), 'botz v2', info, 32));
}

/** Four zero bytes, then the counter (u64 BE). */
function nonceOf(h: HeaderFields): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeBigUInt64BE(BigInt(h.counter), 4);
  return nonce;
}

/** Header + AES-256-GCM(payload, aad = header) + the 16-byte tag. */
export function rawEncryptedPacket(h: HeaderFields, plain: Uint8Array, secretHex: string): Buffer {
  const head = rawHeader(h);
  const cipher = createCipheriv('aes-256-gcm', packetKey(secretHex, h.instance), nonceOf(h));
  cipher.setAAD(head);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([head, body, cipher.getAuthTag()]);
}

function packetVector(
  name: string,
  description: string,
  keyring: string[],
  h: HeaderFields,
  signedWith: string,
  frames: object[],
): PacketVector {
  const plain = encodePayload(h.codec, frames);
  const secretHex = key(signedWith).secretHex;
  if (h.encrypted) {
    const packet = rawEncryptedPacket(h, plain, secretHex);
    const head = rawHeader(h);
    return {
      name,
      description,
      keyring,
      signedWith,
      header: h,
      frames,
      payloadHex: packet.subarray(head.length, packet.length - 16).toString('hex'),
      plainPayloadHex: plain.toString('hex'),
      packetKeyHex: packetKey(secretHex, h.instance).toString('hex'),
      nonceHex: nonceOf(h).toString('hex'),
      aadHex: head.toString('hex'),
      tagHex: packet.subarray(packet.length - 16).toString('hex'),
      packetHex: packet.toString('hex'),
    };
  }
  const packet = rawPacket(h, plain, secretHex);
  return {
    name,
    description,
    keyring,
    signedWith,
    header: h,
    frames,
    payloadHex: plain.toString('hex'),
    macInputHex: packet.subarray(0, packet.length - 32).toString('hex'),
    macHex: packet.subarray(packet.length - 32).toString('hex'),
    packetHex: packet.toString('hex'),
  };
}

const request = { v: 1, type: 'request', id: 'AAAAAAAA.1', from: 'alice', body: { greeting: 'hello', n: '1' } };
const nested = {
  v: 1,
  type: 'request',
  id: 'AAAAAAAA.2',
  from: 'alice',
  ttl: 5000,
  body: { list: [1, -2, 3.5, 4294967296, null, true, false], text: 'héllo ✓ 𝄞', nested: { empty: {}, none: [] } },
};
const hello = { v: 1, type: 'hello', id: 'AAAAAAAA.0', from: 'alice', role: 'component', codecs: ['msgpack', 'json'], nonce: 'bm9uY2Utbm9uY2Ut' };
const welcome = { v: 1, type: 'welcome', id: 'SSSSSSSS.1', from: '$server', re: 'AAAAAAAA.0', codec: 'msgpack', session: 'c2Vzc2lvbi10b2tlbg', nonce: 'c2VydmVyLW5vbmNl' };
const response = { v: 1, type: 'response', id: 'BBBBBBBB.7', from: 'bob', re: 'AAAAAAAA.1', body: { greeting: 'hello' } };
const ack = { v: 1, type: 'ack', id: 'BBBBBBBB.8', from: 'bob', re: 'AAAAAAAA.3', ignored: true };
const heartbeat = { v: 1, type: 'heartbeat', id: 'AAAAAAAA.9', from: 'alice' };
const shutdown = { v: 1, type: 'shutdownRequest', id: 'SSSSSSSS.2', from: '$server', forced: false };
const meshSend = { v: 1, type: 'meshSend', id: 'AAAAAAAA.4', from: 'alice', origin: 'alice', recipients: ['bob'], path: ['alice'], hopLimit: 16, ttl: 2000, broadcast: false, frames: [request] };

function packetVectors(): PacketVector[] {
  return [
    packetVector('json-request', 'one request, JSON codec, to a component', ['k1'], header('json', 'k1', 1, 'bob'), 'k1', [request]),
    packetVector('json-hello', 'the first packet of a link: a hello to the server', ['k1'], header('json', 'k1', 1, '$server'), 'k1', [hello]),
    packetVector('json-welcome', 'the server answers the hello (always JSON: the codec switches after it)', ['k1'], header('json', 'k1', 1, 'alice'), 'k1', [welcome]),
    packetVector('json-batch', 'a batch of two frames in one packet, to every receiver', ['k1'], header('json', 'k1', 2, '*'), 'k1', [heartbeat, shutdown]),
    packetVector('msgpack-request', 'a request with a nested, non-string body, MessagePack codec', ['k1'], header('msgpack', 'k1', 3, 'bob'), 'k1', [nested]),
    packetVector('msgpack-batch', 'a response and an ack in one MessagePack packet', ['k1'], header('msgpack', 'k1', 4, 'alice'), 'k1', [response, ack]),
    packetVector('utf8-destination', 'a destination of 5 characters and 9 UTF-8 bytes: L counts bytes', ['k1'], header('json', 'k1', 5, 'bøbé✓'), 'k1', [request]),
    packetVector('rotation-second-key', 'the receiver holds k1 (primary) and k2; the packet is signed with k2', ['k1', 'k2'], header('json', 'k2', 6, 'bob'), 'k2', [request]),
    packetVector('rotation-msgpack', 'the sender has made k2 primary; the receiver still lists k1 first', ['k1', 'k2'], header('msgpack', 'k2', 7, 'bob'), 'k2', [request]),
    packetVector('json-request-encrypted', 'the json-request payload, encrypted (codec byte 0x80)', ['k1'], header('json', 'k1', 8, 'bob', true), 'k1', [request]),
    packetVector('msgpack-batch-encrypted', 'a MessagePack batch, encrypted with k2 (rotation applies as usual)', ['k1', 'k2'], header('msgpack', 'k2', 9, 'alice', true), 'k2', [response, ack]),
  ];
}

function rejected(
  name: string,
  description: string,
  code: string,
  packet: Buffer,
  options: { keyring?: string[]; maxPacketBytes?: number } = {},
): RejectedVector {
  return {
    name,
    description,
    keyring: options.keyring ?? ['k1'],
    maxPacketBytes: options.maxPacketBytes ?? DEFAULT_MAX,
    packetHex: packet.toString('hex'),
    code,
  };
}

function rejectedVectors(): RejectedVector[] {
  const k1 = key('k1').secretHex;
  const good = (codec: 'json' | 'msgpack' = 'json', counter = 1) =>
    rawPacket(header(codec, 'k1', counter, 'bob'), encodePayload(codec, [request]), k1);
  const withPayload = (payload: string | Uint8Array, codec: 'json' | 'msgpack' = 'json') =>
    rawPacket(header(codec, 'k1', 1, 'bob'), typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload, k1);
  const flip = (buf: Buffer, at: number) => {
    const copy = Buffer.from(buf);
    copy[at < 0 ? copy.length + at : at] ^= 0x01;
    return copy;
  };
  const set = (buf: Buffer, at: number, value: number) => {
    const copy = Buffer.from(buf);
    copy[at] = value;
    return copy;
  };
  const big = { ...request, body: { blob: 'x'.repeat(300) } };
  const goodEncrypted = () => rawEncryptedPacket(header('json', 'k1', 1, 'bob', true), encodePayload('json', [request]), k1);
  /** The same header and plaintext, encrypted under the key of another instance. */
  const withInstanceKeyOf = (packet: Buffer, instanceHex: string) => {
    const h = header('json', 'k1', 1, 'bob', true);
    const head = rawHeader(h);
    const cipher = createCipheriv('aes-256-gcm', packetKey(k1, instanceHex), nonceOf(h));
    cipher.setAAD(head);
    const body = Buffer.concat([cipher.update(encodePayload('json', [request])), cipher.final()]);
    return packet.length === head.length + body.length + 16 ? Buffer.concat([head, body, cipher.getAuthTag()]) : packet;
  };
  return [
    rejected('bad-mac-last-byte', 'the last MAC byte has one bit flipped', 'BAD_MAC', flip(good(), -1)),
    rejected('bad-mac-payload', 'one payload byte changed after signing', 'BAD_MAC', flip(good(), 40)),
    rejected('bad-mac-header', 'the counter changed after signing', 'BAD_MAC', flip(good(), 21)),
    rejected('bad-mac-wrong-secret', 'the key id names k1 but the MAC was made with k2', 'BAD_MAC',
      rawPacket(header('json', 'k1', 1, 'bob'), encodePayload('json', [request]), key('k2').secretHex)),
    rejected('unknown-key', 'signed with k3, which the receiver does not hold', 'UNKNOWN_KEY',
      rawPacket(header('json', 'k3', 1, 'bob'), encodePayload('json', [request]), key('k3').secretHex)),
    rejected('rotated-out-key', 'signed with k1 after the receiver dropped it (keyring is k2 only)', 'UNKNOWN_KEY', good(),
      { keyring: ['k2'] }),
    rejected('truncated-one-byte', 'the last byte is missing', 'BAD_MAC', good().subarray(0, good().length - 1)),
    rejected('truncated-short', '50 bytes: shorter than a header and the shorter trailer (55 bytes)', 'MALFORMED_FRAME', good().subarray(0, 50)),
    rejected('destination-overruns', 'the destination length says 255 but the packet ends first', 'MALFORMED_FRAME',
      set(rawPacket(header('json', 'k1', 1, 'b'), Buffer.alloc(0), k1), 38, 255)),
    rejected('bad-packet-version', 'packet version byte 3', 'BAD_VERSION',
      rawPacket({ ...header('json', 'k1', 1, 'bob'), version: 3 }, encodePayload('json', [request]), k1)),
    rejected('version-1-packet', 'a packet of protocol version 1 (an old peer): refused by its version byte, never parsed further', 'BAD_VERSION',
      v1Packet(encodePayload('json', [request]), k1)),
    rejected('encrypted-bad-tag', 'an encrypted packet whose tag has one bit flipped', 'BAD_MAC', flip(goodEncrypted(), -1)),
    rejected('encrypted-bad-ciphertext', 'an encrypted packet with one ciphertext byte changed', 'BAD_MAC', flip(goodEncrypted(), 50)),
    rejected('encrypted-header-changed', 'an encrypted packet whose destination (part of the additional data) changed after sealing', 'BAD_MAC',
      set(goodEncrypted(), 39, 'c'.charCodeAt(0))),
    rejected('encrypted-wrong-instance-key', 'encrypted under another instance\'s key: each instance has its own', 'BAD_MAC',
      withInstanceKeyOf(goodEncrypted(), 'ffeeddccbbaa99887766554433221100')),
    rejected('unknown-codec', 'codec byte 7', 'MALFORMED_FRAME', set(good(), 1, 7)),
    rejected('malformed-json', 'validly signed, but the payload is not JSON', 'MALFORMED_FRAME', withPayload('[{"v":1,')),
    rejected('malformed-msgpack', 'validly signed, but the payload is a truncated MessagePack array', 'MALFORMED_FRAME',
      withPayload(Uint8Array.of(0x92, 0x81), 'msgpack')),
    rejected('payload-not-array', 'the payload is one frame, not an array of frames', 'MALFORMED_FRAME', withPayload(JSON.stringify(request))),
    rejected('payload-empty-array', 'an empty batch', 'MALFORMED_FRAME', withPayload('[]')),
    rejected('unknown-frame-type', 'a frame of type "teleport"', 'UNKNOWN_TYPE', withPayload(JSON.stringify([{ ...request, type: 'teleport' }]))),
    rejected('bad-frame-version', 'a frame with v = 2', 'BAD_VERSION', withPayload(JSON.stringify([{ ...request, v: 2 }]))),
    rejected('missing-field', 'a shutdownRequest without "forced"', 'MALFORMED_FRAME',
      withPayload(JSON.stringify([{ v: 1, type: 'shutdownRequest', id: 'x', from: 'a' }]))),
    rejected('empty-id', 'a frame whose id is the empty string', 'MALFORMED_FRAME', withPayload(JSON.stringify([{ ...request, id: '' }]))),
    rejected('one-bad-frame-spoils-the-batch', 'a good frame followed by a frame of unknown type', 'UNKNOWN_TYPE',
      withPayload(JSON.stringify([request, { ...request, type: 'teleport' }]))),
    rejected('msgpack-proto-key', 'a MessagePack map with the key "__proto__" (refused by the decoder)', 'MALFORMED_FRAME',
      withPayload(Buffer.concat([encodePayload('msgpack', [{ ...request, body: {} }]).subarray(0, -1), Buffer.from([0x81, 0xa9]), Buffer.from('__proto__'), Buffer.from([0xc0])]), 'msgpack')),
    rejected('oversize', 'a valid 444-byte packet; the receiver accepts at most 256 bytes', 'FRAME_TOO_LARGE',
      rawPacket(header('json', 'k1', 1, 'bob'), encodePayload('json', [big]), k1), { maxPacketBytes: 256 }),
    rejected('stale-timestamp', 'signed 31 s before the receiver clock (window 30 s)', 'STALE_TIMESTAMP',
      rawPacket({ ...header('json', 'k1', 1, 'bob'), ts: VECTOR_NOW - 31_000 }, encodePayload('json', [request]), k1)),
    rejected('future-timestamp', 'signed 31 s after the receiver clock', 'STALE_TIMESTAMP',
      rawPacket({ ...header('json', 'k1', 1, 'bob'), ts: VECTOR_NOW + 31_000 }, encodePayload('json', [request]), k1)),
    rejected('before-receiver-start', 'signed 3 s before the receiver started (start skew 2 s)', 'STALE_TIMESTAMP',
      rawPacket({ ...header('json', 'k1', 1, 'bob'), ts: VECTOR_NOW - 3_000 }, encodePayload('json', [request]), k1)),
    // Which failure wins (PROTOCOL.md §5 and §8): each of these fails two checks.
    rejected('order-size-before-version', 'a version-1 packet over the size limit: the size is checked first', 'FRAME_TOO_LARGE',
      v1Packet(encodePayload('json', [request]), k1), { maxPacketBytes: 64 }),
    rejected('order-length-before-version', 'the first 54 bytes of a version-1 packet: too short, checked before the version', 'MALFORMED_FRAME',
      v1Packet(encodePayload('json', [request]), k1).subarray(0, 54)),
    rejected('order-codec-before-key', 'codec byte 7, signed with k3, which the receiver does not hold', 'MALFORMED_FRAME',
      set(rawPacket(header('json', 'k3', 1, 'bob'), encodePayload('json', [request]), key('k3').secretHex), 1, 7)),
    rejected('order-mac-before-timestamp', 'a bad MAC on a packet that is also stale', 'BAD_MAC',
      flip(rawPacket({ ...header('json', 'k1', 1, 'bob'), ts: VECTOR_NOW - 31_000 }, encodePayload('json', [request]), k1), -1)),
    rejected('order-timestamp-before-payload', 'stale, and the payload is not JSON', 'STALE_TIMESTAMP',
      rawPacket({ ...header('json', 'k1', 1, 'bob'), ts: VECTOR_NOW - 31_000 }, Buffer.from('[{"v":1,', 'utf8'), k1)),
    rejected('frame-not-a-map', 'the payload is [1]', 'MALFORMED_FRAME', withPayload('[1]')),
    rejected('frame-version-missing', 'a request without "v"', 'BAD_VERSION', withPayload(JSON.stringify([{ ...request, v: undefined }]))),
    rejected('order-version-before-type', 'v = 2 and type "teleport"', 'BAD_VERSION', withPayload(JSON.stringify([{ ...request, v: 2, type: 'teleport' }]))),
    rejected('frame-type-not-a-string', 'type is the number 7', 'MALFORMED_FRAME', withPayload(JSON.stringify([{ ...request, type: 7 }]))),
    rejected('order-type-before-id', 'type "teleport" and no id', 'UNKNOWN_TYPE', withPayload(JSON.stringify([{ ...request, type: 'teleport', id: undefined }]))),
    rejected('frame-from-too-long', 'a "from" of 256 bytes: longer than a destination can be', 'MALFORMED_FRAME',
      withPayload(JSON.stringify([{ ...request, from: 'a'.repeat(256) }]))),
    rejected('order-first-frame-decides', 'a shutdownRequest without "forced", then a frame of unknown type', 'MALFORMED_FRAME',
      withPayload(JSON.stringify([{ v: 1, type: 'shutdownRequest', id: 'x', from: 'a' }, { ...request, type: 'teleport' }]))),
    rejected('carried-frame-error', 'a meshSend carrying a frame with v = 2: the carried frame\'s error is the packet\'s', 'BAD_VERSION',
      withPayload(JSON.stringify([{ ...meshSend, frames: [{ ...request, v: 2 }] }]))),
    rejected('carried-hello', 'a meshSend carrying a hello, which is never carried', 'MALFORMED_FRAME',
      withPayload(JSON.stringify([{ ...meshSend, frames: [hello] }]))),
    rejected('order-fields-before-carried', 'a meshSend with an empty origin carrying a frame with v = 2: frames are checked last', 'MALFORMED_FRAME',
      withPayload(JSON.stringify([{ ...meshSend, origin: '', frames: [{ ...request, v: 2 }] }]))),
  ];
}

function replaySteps(): ReplayStep[] {
  const A = '000102030405060708090a0b0c0d0e0f';
  const B = 'f0e0d0c0b0a090807060504030201000';
  const t = VECTOR_NOW;
  const step = (note: string, instance: string, counter: number, expect: ReplayStep['expect'], now = t, ts = now): ReplayStep => ({
    note,
    now,
    instance,
    counter,
    ts,
    expect,
  });
  return [
    step('first packet of A', A, 1, 'ok'),
    step('next in order', A, 2, 'ok'),
    step('duplicate of the highest', A, 2, 'REPLAY'),
    step('jump ahead to 10', A, 10, 'ok'),
    step('late but within 32 below the highest', A, 5, 'ok'),
    step('late duplicate', A, 5, 'REPLAY'),
    step('another late one, never seen', A, 3, 'ok'),
    step('counters are per instance: B may use 2', B, 2, 'ok'),
    step('jump A to 50', A, 50, 'ok'),
    step('19 is exactly 31 below 50: the oldest remembered slot', A, 19, 'ok'),
    step('18 is 32 below 50: too old, refused as a replay', A, 18, 'REPLAY'),
    step('10 was seen and is now too old as well', A, 10, 'REPLAY'),
    step('sealed 2.001 s before the receiver started', B, 3, 'STALE_TIMESTAMP', t + 1_000, t - 2_001),
    step('sealed 2 s before the receiver started: within the start skew', B, 4, 'ok', t + 1_000, t - 2_000),
    step('timestamp exactly 30 s old: the edge of the window is accepted', B, 5, 'ok', t + 40_000, t + 10_000),
    step('timestamp 30.001 s old', A, 52, 'STALE_TIMESTAMP', t + 40_000, t + 40_000 - 30_001),
    step('timestamp 30.001 s in the future', A, 53, 'STALE_TIMESTAMP', t + 40_000, t + 40_000 + 30_001),
    step('timestamp exactly 30 s in the future is accepted', A, 54, 'ok', t + 40_000, t + 70_000),
    step('a refused (stale) packet does not consume its counter', A, 52, 'ok', t + 40_000),
    step('A/2 replayed 40 s after it was sealed: its timestamp is outside the window, so it is refused as stale before its counter is looked at, whatever the guard remembers of A', A, 2, 'STALE_TIMESTAMP', t + 40_000, t),
  ];
}

function handshakeSteps(): HandshakeStep[] {
  const k1 = key('k1');
  const dialer = 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf';
  const listener = 'b0b1b2b3b4b5b6b7b8b9babbbcbdbebf';
  const h = (instance: string, counter: number, to: string, encrypted: boolean, codec: 'json' | 'msgpack' = 'json'): HeaderFields => ({
    version: VERSION, codec, keyId: k1.keyId, instance, counter, ts: TS, to, encrypted,
  });
  const helloFrame = { v: 1, type: 'hello', id: 'DDDDDDDD.1', from: 'alice', role: 'component', codecs: ['json'], nonce: 'ZGlhbGVyLW5vbmNlLTE', encrypt: true };
  const welcomeFrame = { v: 1, type: 'welcome', id: 'SSSSSSSS.1', from: '$server', re: 'DDDDDDDD.1', codec: 'json', session: 'c2Vzc2lvbi10b2tlbg', nonce: 'bGlzdGVuZXItbm9uY2U', heartbeatMs: 2000, encrypt: true };
  const authFrame = { v: 1, type: 'auth', id: 'DDDDDDDD.2', from: 'alice', re: 'SSSSSSSS.1', nonce: 'bGlzdGVuZXItbm9uY2U' };
  const registerFrame = { v: 1, type: 'register', id: 'DDDDDDDD.3', from: 'alice', address: null, port: null, groups: [], meta: {} };
  const step = (note: string, sender: HandshakeStep['sender'], header: HeaderFields, frames: object[]): HandshakeStep => {
    const payload = encodePayload(header.codec, frames);
    const packet = header.encrypted ? rawEncryptedPacket(header, payload, k1.secretHex) : rawPacket(header, payload, k1.secretHex);
    return { note, sender, header, frames, packetHex: packet.toString('hex') };
  };
  return [
    step('hello: alone in the first packet, authenticated (not encrypted), to the node the dialer expects', 'dialer', h(dialer, 1, '$server', false), [helloFrame]),
    step('welcome: answers the hello (re), carries a fresh nonce; not encrypted', 'listener', h(listener, 1, 'alice', false), [welcomeFrame]),
    step('auth: the first frame after the welcome echoes its nonce; encrypted, as both ends agreed', 'dialer', h(dialer, 2, '$server', true), [authFrame]),
    step('only now does the listener act on what the dialer sends', 'dialer', h(dialer, 3, '$server', true), [registerFrame]),
  ];
}

/** Every vector file, as the objects that are written to test/vectors/<name>. */
export function makeVectors(): VectorFiles {
  return {
    'keys.json': { keys: KEYS },
    'packets.json': { ...RECEIVER, maxPacketBytes: DEFAULT_MAX, vectors: packetVectors() },
    'rejected.json': { ...RECEIVER, vectors: rejectedVectors() },
    'replay.json': { startedAt: RECEIVER.startedAt, replayWindowMs: RECEIVER.replayWindowMs, startSkewMs: RECEIVER.startSkewMs, steps: replaySteps() },
    'handshake.json': { ...RECEIVER, key: 'k1', steps: handshakeSteps() },
  };
}

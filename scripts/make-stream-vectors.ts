/**
 * Builds test/vectors/streams.json: one stream between alice (the opener) and bob (the
 * acceptor), frame by frame and packet by packet, then a reset, liveness pings and a streamed
 * reply (PROTOCOL.md §12 Streams, Streamed replies). Assembled with node:crypto and
 * @msgpack/msgpack only (make-vectors.ts's packet builder), not with the library: another
 * implementation can check its stream frames against them.
 *
 * Bytes cannot stand in JSON: in the file a `bin` value is written `{"$bin": "<hex>"}`.
 *
 * Run: `UPDATE_VECTORS=1 npx vitest run test/lib/stream/stream-vectors.test.ts` rewrites the
 * file; without the variable the same test checks that the committed file is what this produces.
 */
import { encodePayload, makeVectors, rawPacket, VECTOR_NOW, type HeaderFields, type ReceiverState } from './make-vectors.js';

export interface StreamStep {
  note: string;
  sender: 'alice' | 'bob';
  header: HeaderFields;
  /** The frames, bytes written as {"$bin": hex}. */
  frames: object[];
  payloadHex: string;
  packetHex: string;
}

export interface StreamVectorFile extends ReceiverState {
  key: string;
  steps: StreamStep[];
}

const ALICE = 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf';
const BOB = 'b0b1b2b3b4b5b6b7b8b9babbbcbdbebf';
const STREAM = 'c3RyZWFtLWlkLTAx';
const WINDOW = 262_144;
const ALICE_INSTANCE = 'YWxpY2UtaW5zdGFuY2U';
const BOB_INSTANCE = 'Ym9iLWluc3RhbmNl';

/** Bytes in a frame, as the file writes them. */
export function bin(hex: string): { $bin: string } {
  return { $bin: hex };
}

/** `value` with every {"$bin": hex} turned into its bytes (a Buffer). */
export function withBytes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withBytes);
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  const o = value as Record<string, unknown>;
  if (Object.keys(o).length === 1 && typeof o.$bin === 'string') return Buffer.from(o.$bin, 'hex');
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, withBytes(v)]));
}

function hasBin(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasBin);
  if (typeof value !== 'object' || value === null) return false;
  return '$bin' in value || Object.values(value).some(hasBin);
}

export function makeStreamVectors(): StreamVectorFile {
  const files = makeVectors();
  const k1 = files['keys.json'].keys.find((k) => k.name === 'k1')!;
  const { version, ts } = files['packets.json'].vectors[0].header;
  const counters = { alice: 0, bob: 0 };
  const ids = { alice: 0, bob: 0 };
  const id = (who: 'alice' | 'bob'): string => `${who === 'alice' ? 'AAAAAAAA' : 'BBBBBBBB'}.${++ids[who]}`;
  const frame = (who: 'alice' | 'bob', type: string, fields: object): object => ({ v: 1, type, id: id(who), from: who, ...fields });
  const step = (note: string, sender: 'alice' | 'bob', frames: object[]): StreamStep => {
    // A frame with bytes goes MessagePack-coded whatever the link speaks (§7); these links speak JSON.
    const codec = hasBin(frames) ? 'msgpack' : 'json';
    const header: HeaderFields = { version, codec, keyId: k1.keyId, instance: sender === 'alice' ? ALICE : BOB, counter: ++counters[sender], ts, to: sender === 'alice' ? 'bob' : 'alice', encrypted: false };
    const payload = encodePayload(codec, withBytes(frames) as object[]);
    return { note, sender, header, frames, payloadHex: payload.toString('hex'), packetHex: rawPacket(header, payload, k1.secretHex).toString('hex') };
  };
  const open = frame('alice', 'streamOpen', { stream: STREAM, protocol: 'files', mode: 'bytes', window: WINDOW, instance: ALICE_INSTANCE, headers: { job: '7' } });
  const reply = 'cmVwbHktc3RyZWFtLTAz';
  const replyOpen = frame('alice', 'streamOpen', { stream: reply, protocol: 'botz.reply', mode: 'json', window: WINDOW, instance: ALICE_INSTANCE });
  const steps: StreamStep[] = [
    step('alice opens a byte stream for protocol "files" (a call: bob answers it with re)', 'alice', [open]),
    step("bob's handler for files accepted: his window is what alice may send beyond what his reader took", 'bob', [frame('bob', 'streamAccept', { re: (open as { id: string }).id, stream: STREAM, window: WINDOW, instance: BOB_INSTANCE })]),
    step('two chunks of bytes (bin), seq 1 and 2: MessagePack-coded on a JSON link', 'alice', [
      frame('alice', 'streamData', { stream: STREAM, seq: 1, chunk: bin(Buffer.from('hello, ').toString('hex')) }),
      frame('alice', 'streamData', { stream: STREAM, seq: 2, chunk: bin('0001feff') }),
    ]),
    step("bob's reader took both (11 bytes, under a quarter window, and nothing is left): one credit through seq 2", 'bob', [frame('bob', 'streamCredit', { stream: STREAM, seq: 2, window: WINDOW })]),
    step('alice half-closes: her END takes the next seq', 'alice', [frame('alice', 'streamEnd', { stream: STREAM, seq: 3 })]),
    step("bob's reader took the END: credited at once (alice's end() completes)", 'bob', [frame('bob', 'streamCredit', { stream: STREAM, seq: 3, window: WINDOW })]),
    step("bob's own direction is numbered apart, from seq 1 (a packet holds frames of one codec: this one goes alone)", 'bob', [
      frame('bob', 'streamData', { stream: STREAM, seq: 1, chunk: bin(Buffer.from('ok').toString('hex')) }),
    ]),
    step('bob half-closes', 'bob', [frame('bob', 'streamEnd', { stream: STREAM, seq: 2 })]),
    step("alice's reader took bob's chunk and END: both directions ended and were credited, so both forget the stream", 'alice', [frame('alice', 'streamCredit', { stream: STREAM, seq: 2, window: WINDOW })]),
    step('liveness: alice heard nothing from bob for keepaliveMs while she has streams with him', 'alice', [frame('alice', 'streamPing', { instance: ALICE_INSTANCE, reply: false })]),
    step('bob answers with his instance (a different one would mean he restarted)', 'bob', [frame('bob', 'streamPing', { instance: BOB_INSTANCE, reply: true })]),
    step('an abort of another stream: its receiver fails it with STREAM_RESET (details.remoteCode REMOTE_ERROR); never answered', 'bob', [
      frame('bob', 'streamReset', { stream: 'YW5vdGhlci1zdHJlYW0', code: 'REMOTE_ERROR', message: 'disk full' }),
    ]),
    step('a streamed request: a stream for the reserved protocol botz.reply, in mode json', 'alice', [replyOpen]),
    step('every node with a message handler accepts it', 'bob', [frame('bob', 'streamAccept', { re: (replyOpen as { id: string }).id, stream: reply, window: WINDOW, instance: BOB_INSTANCE })]),
    step('the request: its one value {body}, then its END', 'alice', [
      frame('alice', 'streamData', { stream: reply, seq: 1, chunk: { body: { since: '1h' } } }),
      frame('alice', 'streamEnd', { stream: reply, seq: 2 }),
    ]),
    step('bob credits the request and its END, then sends a chunk per value his handler yields, each {chunk}', 'bob', [
      frame('bob', 'streamCredit', { stream: reply, seq: 2, window: WINDOW }),
      frame('bob', 'streamData', { stream: reply, seq: 1, chunk: { chunk: { line: 'first' } } }),
      frame('bob', 'streamData', { stream: reply, seq: 2, chunk: { chunk: null } }),
    ]),
    step('a chunk holding bytes goes in a MessagePack packet', 'bob', [frame('bob', 'streamData', { stream: reply, seq: 3, chunk: { chunk: { data: bin('cafe') } } })]),
    step('the handler threw: its error is the last value, then the END; alice reports REMOTE_ERROR "boom" after the three chunks', 'bob', [
      frame('bob', 'streamData', { stream: reply, seq: 4, chunk: { error: { code: 'REMOTE_ERROR', message: 'boom' } } }),
      frame('bob', 'streamEnd', { stream: reply, seq: 5 }),
    ]),
    step("alice's reader took it all: one credit through bob's END", 'alice', [frame('alice', 'streamCredit', { stream: reply, seq: 5, window: WINDOW })]),
  ];
  return { now: VECTOR_NOW, startedAt: VECTOR_NOW, replayWindowMs: 30_000, startSkewMs: 2_000, key: 'k1', steps };
}

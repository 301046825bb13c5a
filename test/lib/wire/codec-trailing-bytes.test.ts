/**
 * A frame ending in bytes (a stream chunk) skips the MessagePack encoder for its bytes: the
 * result must be the very bytes the encoder makes, at every bin size, and decode back. A stream
 * chunk's bytes stay where they are (the encoding's `tail`), copied only into the packet; any
 * other frame's are copied at once, so changing them after the send changes nothing sent.
 */
import { encode } from '@msgpack/msgpack';
import { expect, it } from 'vitest';
import { CODECS, REFERENCED_BYTES_MIN, type EncodedFrame } from '../../../src/lib/wire/codec.js';

it.each([1024, 65_535, 65_536, 100_000, 2 ** 20])('a %i-byte chunk encodes as the encoder would', (n) => {
  const chunk = Buffer.alloc(n, 0xab);
  const frame = { v: 1, id: 'AAAAAAAA.1f', from: 'alice', type: 'streamData', stream: 'c3RyZWFtLWlkLTAx', seq: 70_000, chunk };
  const encoded = CODECS.msgpack.encodeFrame(frame);
  const whole = (e: EncodedFrame) => Buffer.concat([e.data as Uint8Array, e.tail ?? new Uint8Array(0)]);
  expect(whole(encoded).equals(Buffer.from(encode(frame, { ignoreUndefined: true })))).toBe(true);
  expect(encoded.tail).toBe(chunk);
  expect(encoded.sealNow).toBeUndefined(); // a stream's chunk may wait for the end of the turn
  expect(encoded.bytes).toBe(whole(encoded).byteLength);
  // As a request's body, the same bytes are copied unless they are large enough to travel alone
  // (then the outbox seals the frame before the send returns).
  const request = { v: 1, id: 'AAAAAAAA.20', from: 'alice', type: 'request', body: chunk };
  const copied = CODECS.msgpack.encodeFrame(request);
  expect(copied.tail === undefined).toBe(n < REFERENCED_BYTES_MIN);
  expect(copied.sealNow === true).toBe(n >= REFERENCED_BYTES_MIN);
  expect(whole(copied).equals(Buffer.from(encode(request)))).toBe(true);
  // Both make the packet's payload the encoder would.
  const payload = (e: EncodedFrame) => {
    const target = Buffer.alloc(CODECS.msgpack.payloadBytes([e], e.bytes));
    expect(CODECS.msgpack.writePayload(target, 0, [e])).toBe(target.length);
    return target;
  };
  expect(payload(encoded).equals(Buffer.from(encode([frame], { ignoreUndefined: true })))).toBe(true);
  expect(payload(copied).equals(Buffer.from(encode([request])))).toBe(true);
  if (n < REFERENCED_BYTES_MIN) {
    chunk.fill(0);
    expect(Buffer.from(copied.data as Uint8Array).equals(Buffer.from(encode({ ...request, body: Buffer.alloc(n, 0xab) })))).toBe(true);
  }
  const back = CODECS.msgpack.decode(CODECS.msgpack.encodeFrame([frame] as unknown as object).data as Uint8Array) as [typeof frame];
  expect(Buffer.from(back[0].chunk).equals(chunk)).toBe(true);
});

it('a frame whose other fields hold bytes, or with bytes not last, goes through the encoder', () => {
  const chunk = Buffer.alloc(2048, 1);
  for (const frame of [{ a: new Uint8Array([1]), chunk }, { chunk, z: 1 }]) {
    expect(Buffer.from(CODECS.msgpack.encodeFrame(frame).data as Uint8Array).equals(Buffer.from(encode(frame)))).toBe(true);
  }
});

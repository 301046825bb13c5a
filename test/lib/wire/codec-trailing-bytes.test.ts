/**
 * A frame ending in bytes (a stream chunk) skips the MessagePack encoder for its bytes: the
 * result must be the very bytes the encoder makes, at every bin size, and decode back.
 */
import { encode } from '@msgpack/msgpack';
import { expect, it } from 'vitest';
import { CODECS } from '../../../src/lib/wire/codec.js';

it.each([1024, 65_535, 65_536, 100_000])('a %i-byte chunk encodes as the encoder would', (n) => {
  const chunk = Buffer.alloc(n, 0xab);
  const frame = { v: 1, id: 'AAAAAAAA.1f', from: 'alice', type: 'streamData', stream: 'c3RyZWFtLWlkLTAx', seq: 70_000, chunk };
  const encoded = CODECS.msgpack.encodeFrame(frame);
  expect(Buffer.from(encoded.data as Uint8Array).equals(Buffer.from(encode(frame, { ignoreUndefined: true })))).toBe(true);
  expect(encoded.bytes).toBe((encoded.data as Uint8Array).byteLength);
  const back = CODECS.msgpack.decode(CODECS.msgpack.encodeFrame([frame] as unknown as object).data as Uint8Array) as [typeof frame];
  expect(Buffer.from(back[0].chunk).equals(chunk)).toBe(true);
});

it('a frame whose other fields hold bytes, or with bytes not last, goes through the encoder', () => {
  const chunk = Buffer.alloc(2048, 1);
  for (const frame of [{ a: new Uint8Array([1]), chunk }, { chunk, z: 1 }]) {
    expect(Buffer.from(CODECS.msgpack.encodeFrame(frame).data as Uint8Array).equals(Buffer.from(encode(frame)))).toBe(true);
  }
});

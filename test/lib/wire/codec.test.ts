/**
 * The codecs carry JSON's data model and nothing else: a MessagePack payload with an extension
 * type (a timestamp would become a Date, others opaque objects) or a map key that is not a
 * string is a malformed payload, as it would be to a JSON receiver.
 */
import { describe, expect, it } from 'vitest';
import { CODECS } from '../../../src/lib/wire/codec.js';

const decode = (bytes: number[]) => () => CODECS.msgpack.decode(Uint8Array.from(bytes));

describe('the MessagePack codec', () => {
  it.each([
    ['a timestamp extension (fixext 4, type -1)', [0x91, 0xd6, 0xff, 0, 0, 0, 1]],
    ['an application extension (fixext 1, type 5)', [0x91, 0xd4, 0x05, 0x00]],
    ['an integer map key', [0x91, 0x81, 0x01, 0xa1, 0x78]],
    ['a nil map key', [0x91, 0x81, 0xc0, 0xa1, 0x78]],
  ])('refuses %s as MALFORMED_FRAME', (_what, bytes) => {
    expect(decode(bytes)).toThrow(expect.objectContaining({ code: 'MALFORMED_FRAME' }));
  });

  it('takes what JSON has: maps with string keys, arrays, strings, numbers, booleans, null', () => {
    const frame = { v: 1, a: [1, -2, 1.5, 'x', true, null], m: { k: 'v' } };
    const { data } = CODECS.msgpack.encodeFrame(frame as never);
    expect(CODECS.msgpack.decode(data as Uint8Array)).toEqual(frame);
  });

  it('encodes a frame the same each time (one reused encoder, nothing left from the last)', () => {
    const a = CODECS.msgpack.encodeFrame({ v: 1, body: 'x'.repeat(10_000) } as never).data as Uint8Array;
    const b = CODECS.msgpack.encodeFrame({ v: 1, body: 'y' } as never).data as Uint8Array;
    expect(CODECS.msgpack.decode(a)).toEqual({ v: 1, body: 'x'.repeat(10_000) });
    expect(CODECS.msgpack.decode(b)).toEqual({ v: 1, body: 'y' });
  });
});

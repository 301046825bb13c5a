import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAC_BYTES, mac, macInto, macMatches, macPads, type MacKey } from '../../../src/lib/wire/mac.js';

const keyOf = (bytes: Uint8Array): MacKey => ({ key: Buffer.from(bytes), ...macPads(bytes) });
const reference = (key: Uint8Array, data: Uint8Array) => createHmac('sha256', key).update(data).digest();

describe('packet MAC (HMAC-SHA256 from precomputed pads)', () => {
  it('equals createHmac for keys shorter and longer than a block, and data on both sides of the scratch size', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: 16_000, maxLength: 17_000 })),
        (keyBytes, data) => {
          expect(mac(keyOf(keyBytes), data).equals(reference(keyBytes, data))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('leaves nothing behind between calls (a long packet, then a short one)', () => {
    const key = keyOf(Buffer.from('a secret of reasonable length'));
    const long = Buffer.alloc(5000, 7);
    const short = Buffer.from('short');
    mac(key, long);
    expect(mac(key, short).equals(reference(key.key, short))).toBe(true);
  });

  it('writes the MAC in place and checks it in constant time', () => {
    const key = keyOf(Buffer.from('another secret of some length'));
    const data = Buffer.from('the bytes that travel');
    const out = Buffer.alloc(MAC_BYTES + 4, 0xee);
    macInto(key, data, out, 2);
    expect(out.subarray(2, 2 + MAC_BYTES).equals(reference(key.key, data))).toBe(true);
    expect(out[0]).toBe(0xee);
    expect(out[MAC_BYTES + 2]).toBe(0xee);
    const good = reference(key.key, data);
    expect(macMatches(key, data, good)).toBe(true);
    for (const i of [0, 15, 31]) {
      const bad = Buffer.from(good);
      bad[i] ^= 1;
      expect(macMatches(key, data, bad)).toBe(false);
    }
    expect(macMatches(key, data, good.subarray(0, 31))).toBe(false);
    expect(macMatches(keyOf(Buffer.from('a different secret, same length')), data, good)).toBe(false);
  });
});

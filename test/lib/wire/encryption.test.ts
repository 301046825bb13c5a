import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BotzError } from '../../../src/lib/errors.js';
import { CODECS } from '../../../src/lib/wire/codec.js';
import { Keyring } from '../../../src/lib/wire/keyring.js';
import { FIXED_HEADER_BYTES, INSTANCE_BYTES, MAC_BYTES, PacketOpener, TAG_BYTES, sealPacket } from '../../../src/lib/wire/packet.js';
import { ReplayGuard } from '../../../src/lib/wire/replay.js';

const keyring = new Keyring(['an encryption test secret, long enough']);
const request = { v: 1, type: 'request', id: 'x.1', from: 'alice', body: { secret: 'the plaintext marker' } };

function seal(counter: number, encrypt: boolean, codec: 'json' | 'msgpack' = 'json'): Buffer {
  const c = CODECS[codec];
  return sealPacket(
    { key: keyring.primary, codec: c, instance: Buffer.alloc(INSTANCE_BYTES, 7), counter, ts: Date.now(), to: 'bob', encrypt },
    [c.encodeFrame(request)],
  );
}
const opener = () => new PacketOpener({ keyring, guard: new ReplayGuard() });

describe('encrypted payloads', () => {
  it.each(['json', 'msgpack'] as const)('%s: the payload hides its content and opens to the same frames', (codec) => {
    const plain = seal(1, false, codec);
    const secret = seal(2, true, codec);
    // Same payload length; the AEAD tag (16 bytes) replaces the HMAC (32).
    expect(secret.length).toBe(plain.length - MAC_BYTES + TAG_BYTES);
    expect(secret[1] & 0x80).toBe(0x80);
    expect(secret.includes('the plaintext marker')).toBe(false);
    expect(plain.includes('the plaintext marker')).toBe(true);
    const opened = opener().open(secret);
    expect(opened.header).toMatchObject({ encrypted: true, codec });
    expect(opened.frames).toEqual([request]);
  });

  it('never reuses keystream: no 16-byte block of keystream appears twice across consecutive packets', () => {
    // Known plaintext, as a passive listener has it: the start of every payload is predictable.
    // keystream = ciphertext XOR plaintext; under CTR with overlapping counter blocks, block k+1
    // of packet n is block k of packet n+1.
    const plain = seal(1, false);
    const plainPayload = plain.subarray(FIXED_HEADER_BYTES + 3, plain.length - MAC_BYTES);
    const blocks = new Set<string>();
    let count = 0;
    for (let counter = 1; counter <= 8; counter++) {
      const packet = seal(counter, true);
      const cipher = packet.subarray(FIXED_HEADER_BYTES + 3, FIXED_HEADER_BYTES + 3 + plainPayload.length);
      for (let at = 0; at + 16 <= plainPayload.length; at += 16) {
        const stream = Buffer.alloc(16);
        for (let i = 0; i < 16; i++) stream[i] = cipher[at + i] ^ plainPayload[at + i];
        blocks.add(stream.toString('hex'));
        count++;
      }
    }
    expect(count).toBeGreaterThan(16);
    expect(blocks.size).toBe(count);
  });

  it('any single-byte change to an encrypted packet is rejected with a BotzError, never decoded', () => {
    const packet = seal(1, true);
    fc.assert(
      fc.property(fc.nat({ max: packet.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const tampered = Buffer.from(packet);
        tampered[at] ^= xor;
        expect(() => opener().open(tampered)).toThrow(BotzError);
      }),
    );
  });
});

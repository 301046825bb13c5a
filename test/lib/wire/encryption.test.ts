import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BotzError } from '../../../src/lib/errors.js';
import { CODECS } from '../../../src/lib/wire/codec.js';
import { Keyring } from '../../../src/lib/wire/keyring.js';
import { FIXED_HEADER_BYTES, MAC_BYTES, PacketOpener, sealPacket } from '../../../src/lib/wire/packet.js';
import { ReplayGuard } from '../../../src/lib/wire/replay.js';

const keyring = new Keyring(['an encryption test secret, long enough']);
const request = { v: 1, type: 'request', id: 'x.1', from: 'alice', body: { secret: 'the plaintext marker' } };

function seal(counter: number, encrypt: boolean, codec: 'json' | 'msgpack' = 'json'): Buffer {
  const c = CODECS[codec];
  return sealPacket(
    { key: keyring.primary, codec: c, instance: Buffer.alloc(8, 7), counter, ts: Date.now(), to: 'bob', encrypt },
    [c.encodeFrame(request)],
  );
}
const opener = () => new PacketOpener({ keyring, guard: new ReplayGuard() });

describe('encrypted payloads', () => {
  it.each(['json', 'msgpack'] as const)('%s: the payload hides its content and opens to the same frames', (codec) => {
    const plain = seal(1, false, codec);
    const secret = seal(2, true, codec);
    expect(plain.length).toBe(secret.length);
    expect(secret[1] & 0x80).toBe(0x80);
    expect(secret.includes('the plaintext marker')).toBe(false);
    expect(plain.includes('the plaintext marker')).toBe(true);
    const opened = opener().open(secret);
    expect(opened.header).toMatchObject({ encrypted: true, codec });
    expect(opened.frames).toEqual([request]);
  });

  it('never repeats a keystream: the same frames under two counters differ everywhere but by chance', () => {
    const a = seal(1, true);
    const b = seal(2, true);
    const payload = (p: Buffer) => p.subarray(FIXED_HEADER_BYTES + 3, p.length - MAC_BYTES);
    let same = 0;
    for (let i = 0; i < payload(a).length; i++) if (payload(a)[i] === payload(b)[i]) same++;
    expect(same).toBeLessThan(payload(a).length / 4);
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

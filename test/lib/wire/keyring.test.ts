import { describe, expect, it } from 'vitest';
import { KEYS } from '../../../scripts/make-vectors.js';
import { BotzError, ErrorCode } from '../../../src/lib/errors.js';
import { Keyring, keyIdOf, MIN_SECRET_BYTES } from '../../../src/lib/wire/keyring.js';
import { PacketOpener, PacketSealer } from '../../../src/lib/wire/packet.js';

const OLD = 'the old shared secret, retiring';
const NEW = 'the new shared secret, rotating in';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof BotzError ? error.code : 'not a BotzError';
  }
  return undefined;
}

function send(from: Keyring, to: Keyring): string | undefined {
  const packet = new PacketSealer({ keyring: from }).sealFrames([{ v: 1, type: 'heartbeat', id: 'h1', from: 'a' }], 'b');
  return codeOf(() => new PacketOpener({ keyring: to }).open(packet));
}

describe('Keyring', () => {
  it('key id is the first 4 bytes (BE) of HMAC-SHA256(secret, "botz key id v1")', () => {
    expect(keyIdOf(Buffer.from(KEYS[0].secretUtf8)).toString(16).padStart(8, '0')).toBe(KEYS[0].keyId);
    expect(new Keyring([KEYS[0].secretUtf8]).primary.id).toBe(parseInt(KEYS[0].keyId, 16));
  });

  it('strings and their UTF-8 bytes are the same key', () => {
    expect(new Keyring(['sécret-with-accents']).primary.id).toBe(new Keyring([Buffer.from('sécret-with-accents')]).primary.id);
  });

  it.each([
    ['no secrets', []],
    ['a secret one byte too short', ['x'.repeat(MIN_SECRET_BYTES - 1)]],
    ['an empty secret beside a good one', ['x'.repeat(MIN_SECRET_BYTES), '']],
  ])('%s → INVALID_ARGUMENT', (_, secrets) => {
    expect(codeOf(() => new Keyring(secrets))).toBe(ErrorCode.INVALID_ARGUMENT);
  });

  it(`accepts a secret of exactly ${MIN_SECRET_BYTES} bytes`, () => {
    expect(new Keyring(['x'.repeat(MIN_SECRET_BYTES)]).size).toBe(1);
  });

  it('the first secret signs; duplicates collapse', () => {
    const ring = new Keyring([NEW, OLD, NEW]);
    expect(ring.primary.id).toBe(keyIdOf(Buffer.from(NEW)));
    expect(ring.size).toBe(2);
    expect(ring.find(keyIdOf(Buffer.from(OLD)))).toBeDefined();
    expect(ring.find(0)).toBeUndefined();
  });

  it('Keyring.from accepts a secret, a list, or a keyring', () => {
    const ring = new Keyring([OLD]);
    expect(Keyring.from(ring)).toBe(ring);
    expect(Keyring.from(OLD).primary.id).toBe(ring.primary.id);
    expect(Keyring.from([NEW, OLD]).size).toBe(2);
  });

  it('rotation: every step of the rollout keeps both directions working', () => {
    // 1. everyone holds OLD; 2. NEW added as secondary; 3. NEW made primary; 4. OLD dropped.
    const steps = [new Keyring([OLD]), new Keyring([OLD, NEW]), new Keyring([NEW, OLD]), new Keyring([NEW])];
    for (let i = 0; i + 1 < steps.length; i++) {
      expect([send(steps[i], steps[i + 1]), send(steps[i + 1], steps[i])]).toEqual([undefined, undefined]);
    }
    // Skipping a step is what breaks: a node on OLD only cannot read a node on NEW only.
    expect(send(steps[3], steps[0])).toBe(ErrorCode.UNKNOWN_KEY);
    expect(send(steps[0], steps[3])).toBe(ErrorCode.UNKNOWN_KEY);
  });
});

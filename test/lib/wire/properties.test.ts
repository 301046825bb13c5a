import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode as msgpackEncode } from '@msgpack/msgpack';
import { encodePayload, KEYS, rawPacket, VECTOR_NOW, type HeaderFields } from '../../../scripts/make-vectors.js';
import { BotzError, ErrorCode } from '../../../src/lib/errors.js';
import type { Codec, Frame } from '../../../src/lib/wire/frames.js';
import { Keyring } from '../../../src/lib/wire/keyring.js';
import { PacketOpener, PacketSealer } from '../../../src/lib/wire/packet.js';
import { ReplayGuard } from '../../../src/lib/wire/replay.js';
import { anyFrame, frameOf, frameTypesOf } from './arbitraries.js';

const SECRET = Buffer.from(KEYS[0].secretHex, 'hex');
const keyring = new Keyring([SECRET]);
const CODEC_NAMES: Codec[] = ['json', 'msgpack'];

function opener(): PacketOpener {
  return new PacketOpener({ keyring, guard: new ReplayGuard({ now: () => VECTOR_NOW }) });
}
function sealer(codec: Codec): PacketSealer {
  return new PacketSealer({ keyring, codec, now: () => VECTOR_NOW });
}

/** What opening gives: the frames, or the error thrown (rethrown unless it is a BotzError). */
function openOutcome(bytes: Uint8Array): Frame[] | BotzError {
  try {
    return opener().open(bytes).frames;
  } catch (error) {
    if (error instanceof BotzError) return error;
    throw error;
  }
}

describe('every valid frame round-trips', () => {
  describe.each(CODEC_NAMES)('through %s', (codec) => {
    it.each(frameTypesOf(codec))('%s', (type) => {
      const s = sealer(codec);
      const o = opener();
      fc.assert(
        fc.property(frameOf(type, codec), (frame) => {
          const opened = o.open(s.sealFrames([frame], 'bob'));
          expect(opened.frames).toEqual([frame]);
          expect(opened.header).toMatchObject({ codec, to: 'bob', ts: VECTOR_NOW });
        }),
        { numRuns: 60 },
      );
    });

    it('batches of frames of mixed types', () => {
      const s = sealer(codec);
      const o = opener();
      fc.assert(
        fc.property(fc.array(anyFrame(codec), { minLength: 1, maxLength: 20 }), fc.constantFrom('*', '$server', 'x'), (frames, to) => {
          const opened = o.open(s.sealFrames(frames, to));
          expect(opened.frames).toEqual(frames);
          expect(opened.header.to).toBe(to);
        }),
      );
    });
  });
});

describe('__proto__ keys in bodies', () => {
  const body = JSON.parse('{"__proto__":{"polluted":"yes"},"a":"1"}') as object;
  const frame = { v: 1, type: 'request', id: 'i1', from: 'alice', body };

  it('JSON carries them as ordinary own keys and never touches a prototype', () => {
    const [decoded] = opener().open(sealer('json').sealFrames([frame], 'bob')).frames as { body: object }[];
    expect(Object.hasOwn(decoded.body, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(decoded.body, '__proto__')?.value).toEqual({ polluted: 'yes' });
    expect(Object.getPrototypeOf(decoded.body)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(decoded).toEqual(frame);
  });

  it('MessagePack: the sender refuses them at once (INVALID_ARGUMENT)', () => {
    const error = (() => {
      try {
        sealer('msgpack').sealFrames([frame], 'bob');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(BotzError);
    expect((error as BotzError).code).toBe(ErrorCode.INVALID_ARGUMENT);
  });

  it('MessagePack: a "__proto__" string value is ordinary data', () => {
    const plain = { ...frame, body: { key: '__proto__', list: ['__proto__'] } };
    expect(opener().open(sealer('msgpack').sealFrames([plain], 'bob')).frames).toEqual([plain]);
  });

  it('MessagePack: a received "__proto__" key is refused (MALFORMED_FRAME), never pollutes', () => {
    // Built by hand: a request whose body is the map {"__proto__": nil}.
    const head = msgpackEncode([{ ...frame, body: {} }]);
    const payload = Buffer.concat([head.subarray(0, -1), Buffer.of(0x81, 0xa9), Buffer.from('__proto__'), Buffer.of(0xc0)]);
    const outcome = openOutcome(
      rawPacket({ version: 2, codec: 'msgpack', keyId: KEYS[0].keyId, instance: '00'.repeat(16), counter: 1, ts: VECTOR_NOW, to: 'bob', encrypted: false }, payload, KEYS[0].secretHex),
    );
    expect(outcome).toBeInstanceOf(BotzError);
    expect((outcome as BotzError).code).toBe(ErrorCode.MALFORMED_FRAME);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('tampering', () => {
  it.each(CODEC_NAMES)('any single-byte change to a %s packet is rejected', (codec) => {
    fc.assert(
      fc.property(
        fc.array(anyFrame(codec), { minLength: 1, maxLength: 3 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (frames, at, delta) => {
          const packet = sealer(codec).sealFrames(frames, 'bob');
          expect(openOutcome(packet)).toEqual(frames);
          const changed = Buffer.from(packet);
          changed[at % changed.length] ^= delta;
          expect(openOutcome(changed)).toBeInstanceOf(BotzError);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('truncating a packet at any length is rejected', () => {
    fc.assert(
      fc.property(anyFrame(), fc.nat(), (frame, cut) => {
        const packet = sealer('json').sealFrames([frame], 'bob');
        expect(openOutcome(packet.subarray(0, cut % packet.length))).toBeInstanceOf(BotzError);
      }),
    );
  });
});

describe('hostile input never throws anything but a BotzError', () => {
  const header = (codec: Codec): HeaderFields => ({
    version: 2,
    codec,
    keyId: KEYS[0].keyId,
    instance: '000102030405060708090a0b0c0d0e0f',
    counter: 1,
    ts: VECTOR_NOW,
    to: 'bob',
    encrypted: false,
  });
  const sign = (codec: Codec, payload: Uint8Array) => rawPacket(header(codec), payload, KEYS[0].secretHex);
  const frameLike = fc.dictionary(
    fc.constantFrom('v', 'type', 'id', 'from', 're', 'body', 'forced', 'component', 'codecs', 'topics', '__proto__', 'constructor'),
    fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(1, 'request', 'hello', 'member', 'toString', '__proto__', 'constructor')),
  );

  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        expect(openOutcome(bytes)).toBeInstanceOf(BotzError);
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes after a valid header, with a valid MAC', () => {
    fc.assert(
      fc.property(fc.constantFrom<Codec>('json', 'msgpack'), fc.uint8Array({ maxLength: 200 }), (codec, payload) => {
        const outcome = openOutcome(sign(codec, payload));
        if (!(outcome instanceof BotzError)) expect(Array.isArray(outcome)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('signed payloads of frame-like values, in both codecs', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Codec>('json', 'msgpack'),
        fc.oneof(fc.array(frameLike, { maxLength: 3 }), fc.jsonValue({ maxDepth: 3 }), frameLike),
        (codec, value) => {
          const payload = codec === 'json' ? Buffer.from(JSON.stringify(value) ?? 'null') : msgpackEncode(value);
          const outcome = openOutcome(sign(codec, payload));
          if (!(outcome instanceof BotzError)) expect(outcome.every((f) => typeof f.type === 'string' && f.v === 1)).toBe(true);
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a valid packet with the payload of the other codec', () => {
    const frames = [{ v: 1, type: 'heartbeat', id: 'h', from: 'a' }];
    for (const [claimed, actual] of [['json', 'msgpack'], ['msgpack', 'json']] as const) {
      const outcome = openOutcome(sign(claimed, encodePayload(actual, frames)));
      expect(outcome).toBeInstanceOf(BotzError);
      expect((outcome as BotzError).code).toBe(ErrorCode.MALFORMED_FRAME);
    }
  });
});

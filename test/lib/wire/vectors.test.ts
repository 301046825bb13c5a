/**
 * The test vectors in test/vectors/ are the contract another implementation checks itself
 * against. This file (1) keeps them in step with scripts/make-vectors.ts — set UPDATE_VECTORS=1
 * to rewrite them — and (2) checks that the library agrees with every one of them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeVectors, type ReceiverState, type VectorFiles } from '../../../scripts/make-vectors.js';
import { BotzError } from '../../../src/lib/errors.js';
import { CODECS } from '../../../src/lib/wire/codec.js';
import { Keyring, keyIdOf, packetKeyOf, packetKeyPrkOf } from '../../../src/lib/wire/keyring.js';
import { PacketOpener, sealPacket } from '../../../src/lib/wire/packet.js';
import { ReplayGuard } from '../../../src/lib/wire/replay.js';

const dir = fileURLToPath(new URL('../../vectors/', import.meta.url));
const generated = makeVectors();
const names = Object.keys(generated) as (keyof VectorFiles)[];

if (process.env.UPDATE_VECTORS === '1') {
  for (const name of names) writeFileSync(dir + name, JSON.stringify(generated[name], null, 2) + '\n');
}

function load<N extends keyof VectorFiles>(name: N): VectorFiles[N] {
  return JSON.parse(readFileSync(dir + name, 'utf8')) as VectorFiles[N];
}

const { keys } = load('keys.json');
const packets = load('packets.json');
const rejected = load('rejected.json');
const replay = load('replay.json');
const handshake = load('handshake.json');

function keyringOf(names: string[]): Keyring {
  return new Keyring(names.map((n) => Buffer.from(keys.find((k) => k.name === n)!.secretHex, 'hex')));
}

/** The replay guard of a file's receiver: created at `startedAt`, its clock at `now` from then on. */
function guardOf(state: ReceiverState): ReplayGuard {
  let now = state.startedAt;
  const guard = new ReplayGuard({ now: () => now, windowMs: state.replayWindowMs, startSkewMs: state.startSkewMs });
  now = state.now;
  return guard;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('vector files', () => {
  it.each(names)('%s is what scripts/make-vectors.ts produces', (name) => {
    expect(load(name)).toEqual(JSON.parse(JSON.stringify(generated[name])));
  });
});

describe('keys', () => {
  it.each(keys.map((k) => [k.name, k] as const))('key id of %s', (_, k) => {
    expect(Buffer.from(k.secretUtf8, 'utf8').toString('hex')).toBe(k.secretHex);
    expect(keyIdOf(Buffer.from(k.secretHex, 'hex')).toString(16).padStart(8, '0')).toBe(k.keyId);
    expect(packetKeyPrkOf(Buffer.from(k.secretHex, 'hex')).key.toString('hex')).toBe(k.packetKeyPrkHex);
  });
});

describe('packet vectors', () => {
  it.each(packets.vectors.map((v) => [v.name, v] as const))('%s: sealing the fields reproduces the bytes', (_, v) => {
    const keyring = keyringOf(v.keyring);
    const key = keyring.find(parseInt(v.header.keyId, 16))!;
    expect(key).toBeDefined();
    const codec = CODECS[v.header.codec];
    const bytes = sealPacket(
      {
        key,
        codec,
        instance: Buffer.from(v.header.instance, 'hex'),
        counter: v.header.counter,
        ts: v.header.ts,
        to: v.header.to,
        encrypt: v.header.encrypted,
      },
      v.frames.map((f) => codec.encodeFrame(f)),
    );
    expect(bytes.toString('hex')).toBe(v.packetHex);
    if (v.header.encrypted) {
      expect(packetKeyOf(key, Buffer.from(v.header.instance, 'hex')).toString('hex')).toBe(v.packetKeyHex);
      expect(v.packetHex).toBe(v.aadHex! + v.payloadHex + v.tagHex!);
    } else {
      expect(bytes.subarray(-32).toString('hex')).toBe(v.macHex);
      expect(v.packetHex).toBe(v.macInputHex! + v.macHex!);
      expect(v.macInputHex!.endsWith(v.payloadHex)).toBe(true);
    }
  });

  it.each(packets.vectors.map((v) => [v.name, v] as const))('%s: opening yields the header and frames', (_, v) => {
    // A fresh guard per vector: several share an instance and a counter.
    const opener = new PacketOpener({
      keyring: keyringOf(v.keyring),
      guard: guardOf(packets),
      maxPacketBytes: packets.maxPacketBytes,
    });
    const opened = opener.open(Buffer.from(v.packetHex, 'hex'));
    expect(opened.header).toEqual({ ...v.header, keyId: parseInt(v.header.keyId, 16) });
    expect(opened.frames).toEqual(v.frames);
  });

  it('covers both codecs, a rotation and encryption', () => {
    expect(packets.vectors.filter((v) => v.header.encrypted).length).toBeGreaterThanOrEqual(2);
    expect(new Set(packets.vectors.map((v) => v.header.codec))).toEqual(new Set(['json', 'msgpack']));
    expect(packets.vectors.some((v) => v.keyring.indexOf(v.signedWith) > 0)).toBe(true);
  });
});

describe('rejected vectors', () => {
  it.each(rejected.vectors.map((v) => [v.name, v.code, v] as const))('%s → %s', (_, code, v) => {
    // A fresh guard per vector: they share an instance and a counter.
    const opener = new PacketOpener({ keyring: keyringOf(v.keyring), guard: guardOf(rejected), maxPacketBytes: v.maxPacketBytes });
    const error = thrown(() => opener.open(Buffer.from(v.packetHex, 'hex')));
    expect(error).toBeInstanceOf(BotzError);
    expect((error as BotzError).code).toBe(code);
  });
});

describe('replay steps', () => {
  it('a guard that sees the steps in order gives each its expected outcome', () => {
    let now = replay.startedAt;
    const guard = new ReplayGuard({ now: () => now, windowMs: replay.replayWindowMs, startSkewMs: replay.startSkewMs });
    const outcomes = replay.steps.map((s) => {
      now = s.now;
      const error = thrown(() => guard.check(s.instance, s.counter, s.ts));
      return { note: s.note, outcome: error === undefined ? 'ok' : (error as BotzError).code };
    });
    expect(outcomes).toEqual(replay.steps.map((s) => ({ note: s.note, outcome: s.expect })));
  });
});

describe('handshake steps', () => {
  it.each(handshake.steps.map((s) => [s.note, s] as const))('%s', (_, step) => {
    const keyring = keyringOf([handshake.key]);
    const codec = CODECS[step.header.codec];
    const sealed = sealPacket(
      {
        key: keyring.primary,
        codec,
        instance: Buffer.from(step.header.instance, 'hex'),
        counter: step.header.counter,
        ts: step.header.ts,
        to: step.header.to,
        encrypt: step.header.encrypted,
      },
      step.frames.map((f) => codec.encodeFrame(f)),
    );
    expect(sealed.toString('hex')).toBe(step.packetHex);
    const opened = new PacketOpener({ keyring, guard: guardOf(handshake) }).open(sealed);
    expect(opened.frames).toEqual(step.frames);
  });

  it('the auth answers the welcome: its re is the welcome id and its nonce the welcome nonce', () => {
    const [hello, welcome, auth] = handshake.steps.map((s) => s.frames[0] as Record<string, unknown>);
    expect(welcome.re).toBe(hello.id);
    expect(auth).toMatchObject({ type: 'auth', re: welcome.id, nonce: welcome.nonce });
  });
});

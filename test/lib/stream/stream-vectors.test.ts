/**
 * test/vectors/streams.json (scripts/make-stream-vectors.ts): keeps the file in step with its
 * generator (UPDATE_VECTORS=1 rewrites it), checks that the library seals each step's frames
 * into the same bytes (choosing MessagePack for frames with bytes on a JSON link) and opens them
 * into valid frames, and that a channel fed the vector's chunks credits them as the vector says.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { vectorFile } from '../../helpers/vectors.js';
import { describe, expect, it } from 'vitest';
import { makeStreamVectors, withBytes, type StreamVectorFile } from '../../../scripts/make-stream-vectors.js';
import { CODECS, encodeFrameFor } from '../../../src/lib/wire/codec.js';
import { Keyring } from '../../../src/lib/wire/keyring.js';
import { PacketOpener, sealPacket } from '../../../src/lib/wire/packet.js';
import { ReplayGuard } from '../../../src/lib/wire/replay.js';
import { validateFrame } from '../../../src/lib/wire/validate.js';
import type { FrameInit } from '../../../src/lib/wire/frames.js';
import { StreamChannel } from '../../../src/lib/stream/stream-channel.js';
import { until } from '../../helpers/wait.js';

const generated = makeStreamVectors();
const vectors: StreamVectorFile = vectorFile('streams.json', generated);
const keys = (JSON.parse(readFileSync(fileURLToPath(new URL('../../vectors/keys.json', import.meta.url)), 'utf8')) as { keys: { name: string; secretHex: string }[] }).keys;
const keyring = new Keyring([Buffer.from(keys.find((k) => k.name === vectors.key)!.secretHex, 'hex')]);

/** Frames as they come out of a decoder: bytes as Uint8Array. */
function decoded(frames: object[]): unknown {
  return JSON.parse(JSON.stringify(withBytes(frames), (_k, v: unknown) => (v instanceof Uint8Array ? { $bin: Buffer.from(v).toString('hex') } : isBufferJson(v) ? { $bin: Buffer.from(v.data).toString('hex') } : v)));
}
function isBufferJson(v: unknown): v is { type: 'Buffer'; data: number[] } {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data);
}

it('streams.json is what scripts/make-stream-vectors.ts produces', () => {
  expect(vectors).toEqual(JSON.parse(JSON.stringify(generated)));
});

describe('stream vectors', () => {
  it.each(vectors.steps.map((s) => [s.note, s] as const))('%s', (_, step) => {
    const frames = withBytes(step.frames) as object[];
    // The library on a JSON link: frames with bytes are MessagePack-coded, the others JSON.
    const encoded = frames.map((f) => encodeFrameFor(CODECS.json, f));
    const codec = CODECS[step.header.codec];
    expect(encoded.every((e) => e.codec === codec.id)).toBe(true);
    const sealed = sealPacket(
      { key: keyring.primary, codec, instance: Buffer.from(step.header.instance, 'hex'), counter: step.header.counter, ts: step.header.ts, to: step.header.to, encrypt: false },
      encoded,
    );
    expect(sealed.toString('hex')).toBe(step.packetHex);
    let now = vectors.startedAt;
    const guard = new ReplayGuard({ now: () => now, windowMs: vectors.replayWindowMs, startSkewMs: vectors.startSkewMs });
    now = vectors.now;
    const opened = new PacketOpener({ keyring, guard }).open(sealed);
    for (const f of opened.frames) validateFrame(f);
    expect(decoded(opened.frames as object[])).toEqual(decoded(step.frames));
  });

  it("a channel fed the vector's first two chunks and its END credits them as bob's steps do", async () => {
    const sent: FrameInit[] = [];
    const [open, , data, credit, end, creditEnd] = vectors.steps.map((s) => withBytes(s.frames) as Record<string, unknown>[]);
    const o = open[0] as { stream: string; window: number; instance: string };
    const bob = new StreamChannel({ send: (_c, init) => sent.push(init), closed: () => {} }, { peer: 'alice', protocol: 'files', headers: { job: '7' }, stream: o.stream }, 'bytes', o.window, false);
    bob.start(o.window, o.instance);
    const got: Buffer[] = [];
    bob.on('data', (b: Buffer) => got.push(b));
    for (const f of data) bob.onData(f.seq as number, f.chunk as Uint8Array);
    await until('bob credited the chunks', () => sent.length === 1);
    expect(Buffer.concat(got).toString('latin1')).toBe('hello, \u0000\u0001\u00fe\u00ff');
    const strip = ({ type, stream, seq, window }: Record<string, unknown>) => ({ type, stream, seq, window });
    expect(sent.map(strip)).toEqual(credit.map(strip));
    bob.onEnd(end[0].seq as number);
    await until('bob credited the END', () => sent.length === 2);
    expect(sent.slice(1).map(strip)).toEqual([strip(creditEnd[0])]);
    bob.destroy();
  });
});

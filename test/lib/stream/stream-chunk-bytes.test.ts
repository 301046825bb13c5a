/**
 * A byte stream's chunks travel as bytes (MessagePack bin), not base64 text: the frame a
 * channel sends holds a view of the written buffer, and a JSON link encodes it as MessagePack.
 * Base64 text from a JSON-only peer is still read.
 */
import { expect, it } from 'vitest';
import type { FrameInit } from '../../../src/lib/wire/frames.js';
import { CODECS, encodeFrameFor } from '../../../src/lib/wire/codec.js';
import { StreamChannel, type StreamIo } from '../../../src/lib/stream/stream-channel.js';

function channel(): { ch: StreamChannel; sent: FrameInit[] } {
  const sent: FrameInit[] = [];
  const io: StreamIo = { send: (_c, init) => sent.push(init), closed: () => {} };
  const ch = new StreamChannel(io, { peer: 'bob', protocol: 'p', headers: {}, stream: 's1' }, 'bytes', 1 << 20, true);
  ch.start(1 << 20, 'bob-instance');
  return { ch, sent };
}

it('sends a written buffer as bytes, cut to 64 KiB, without copying, MessagePack-coded on a JSON link', async () => {
  const { ch, sent } = channel();
  const data = Buffer.alloc(100 * 1024, 7);
  await new Promise<void>((resolve, reject) => ch.write(data, (error) => (error ? reject(error) : resolve())));
  const chunks = sent.filter((f) => f.type === 'streamData').map((f) => (f as { chunk: unknown }).chunk);
  expect(chunks.map((c) => (c as Uint8Array).byteLength)).toEqual([64 * 1024, 36 * 1024]);
  expect(chunks[0]).toBeInstanceOf(Uint8Array);
  expect((chunks[0] as Uint8Array).buffer).toBe(data.buffer);
  const frame = { v: 2, id: 'x', from: 'alice', ...sent.find((f) => f.type === 'streamData')! };
  expect(encodeFrameFor(CODECS.json, frame).codec).toBe(CODECS.msgpack.id);
  ch.destroy();
});

it('reads bytes and base64 text alike', async () => {
  const { ch } = channel();
  ch.onData(1, new Uint8Array([1, 2, 3]));
  ch.onData(2, Buffer.from([4, 5]).toString('base64'));
  const got: Buffer[] = [];
  ch.on('data', (b: Buffer) => got.push(b));
  await new Promise((resolve) => setImmediate(resolve));
  expect(Buffer.concat(got)).toEqual(Buffer.from([1, 2, 3, 4, 5]));
  ch.destroy();
});

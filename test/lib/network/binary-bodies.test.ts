/**
 * Bytes in a body travel as bytes: a Buffer or Uint8Array anywhere in a body arrives as a
 * Uint8Array holding the same bytes, on every path and whichever codec the link negotiated,
 * and on the wire it is MessagePack `bin` (never base64 text or an array of numbers).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Network } from '../../helpers/network.js';
import type { Codec } from '../../../src/lib/wire/frames.js';
import { PacketSealer } from '../../../src/lib/wire/packet.js';
import { Keyring } from '../../../src/lib/wire/keyring.js';

const net = new Network();
afterEach(() => net.stopAll());

describe('binary values in bodies', () => {
  it.each<[string, Codec, boolean]>([
    ['direct, JSON links', 'json', true],
    ['direct, MessagePack links', 'msgpack', true],
    ['relayed, JSON links', 'json', false],
    ['relayed, MessagePack links', 'msgpack', false],
  ])('arrive as the same bytes, %s', async (_what, codec, direct) => {
    await net.serve();
    const seen: unknown[] = [];
    const paths: string[] = [];
    await net.echo('echo', { codecs: [codec], ...(direct ? {} : { port: undefined }), onMessage: (m) => (seen.push(m.body), paths.push(m.path), m.body) });
    const client = await net.client({ codecs: [codec] });
    const image = randomBytes(300_000);
    const body = { name: 'x.png', image, parts: [Uint8Array.of(0, 255), 'text'] };
    const answer = (await client.send('echo', body)) as { name: string; image: Uint8Array; parts: [Uint8Array, string] };
    expect(seen[0]).toMatchObject({ name: 'x.png' });
    expect((seen[0] as { image: unknown }).image).toBeInstanceOf(Uint8Array);
    expect(Buffer.compare(Buffer.from((seen[0] as { image: Uint8Array }).image), image)).toBe(0);
    expect(answer.image).toBeInstanceOf(Uint8Array);
    expect(Buffer.compare(Buffer.from(answer.image), image)).toBe(0);
    expect([...answer.parts[0]]).toEqual([0, 255]);
    expect(answer.parts[1]).toBe('text');
    // A body that is bytes alone.
    const bytes = (await client.send('echo', Buffer.from('raw'))) as Uint8Array;
    expect(Buffer.from(bytes).toString()).toBe('raw');
    expect(new Set(paths)).toEqual(new Set([direct ? 'direct' : 'relay']));
  });
});

describe('what a send takes is the body as it was when called', () => {
  it.each([
    ['batched (10 KiB, copied when encoded)', 10_000],
    ['large (1 MiB, sealed into its packet before send() returns)', 1 << 20],
  ])('%s: changing the bytes right after send() changes nothing sent, and order holds', async (_what, size) => {
    await net.serve();
    const seen: unknown[] = [];
    await net.echo('echo', { onMessage: (m) => (seen.push(m.body), 'ok') });
    const client = await net.client();
    await client.send('echo', 'warm');
    seen.length = 0;
    const bytes = Buffer.alloc(size, 0x5a);
    // A small request queued first, then the body, overwritten at once (before the turn ends), then another request.
    const sent = [client.send('echo', 'before'), client.send('echo', bytes)];
    bytes.fill(0);
    sent.push(client.send('echo', 'after'));
    await Promise.all(sent);
    expect(seen.length).toBe(3);
    expect(seen[0]).toBe('before');
    expect(Buffer.from(seen[1] as Uint8Array).equals(Buffer.alloc(size, 0x5a))).toBe(true);
    expect(seen[2]).toBe('after');
  });
});

describe('a packet carrying bytes', () => {
  it('is MessagePack on a JSON link, with the bytes as bin, and the frames around it stay JSON', () => {
    const sealer = new PacketSealer({ keyring: Keyring.from('0123456789abcdef0123456789abcdef'), codec: 'json' });
    const bytes = Buffer.from('\x00\x01binary-payload\xff', 'latin1');
    const packet = sealer.sealFrames([{ v: 1, id: 'a', from: 'me', type: 'message', body: { b: bytes } }], 'you');
    expect(packet[1]).toBe(1); // codec byte: MessagePack
    // bin 8 (0xc4), its length, then the bytes themselves.
    expect(packet.includes(Buffer.concat([Buffer.of(0xc4, bytes.length), bytes]))).toBe(true);
    const plain = sealer.sealFrames([{ v: 1, id: 'b', from: 'me', type: 'message', body: { b: 'text' } }], 'you');
    expect(plain[1]).toBe(0);
  });
});

describe('the default packet limit (a 16 MiB body and 64 KiB of envelope)', () => {
  it.each([
    ['direct', true],
    ['relayed', false],
  ])('carries a 16 MiB body %s, and refuses a 17 MiB one at once, naming the limit', async (_what, direct) => {
    await net.serve();
    await net.echo('echo', direct ? {} : { port: undefined });
    const client = await net.client();
    const big = randomBytes(16 * 1024 * 1024);
    const answer = (await client.send('echo', big)) as Uint8Array;
    expect(answer.byteLength).toBe(big.byteLength);
    expect(Buffer.compare(Buffer.from(answer), big)).toBe(0);
    const tooBig = await client.send('echo', randomBytes(17 * 1024 * 1024)).catch((e: unknown) => e);
    expect(tooBig).toMatchObject({ code: 'FRAME_TOO_LARGE', details: { limit: 16 * 1024 * 1024 + 64 * 1024 } });
    expect((tooBig as Error).message).toMatch(/exceeds the packet limit of 16842752 bytes/);
  });
});

describe('reliable delivery of bytes', () => {
  it('carries a 6 MiB binary body, sized as bytes (not as the JSON of an array of numbers)', async () => {
    await net.serve();
    const seen: Uint8Array[] = [];
    await net.echo('sink', { onMessage: (m) => void seen.push((m.body as { d: Uint8Array }).d) });
    const sender = await net.echo('sender');
    const big = randomBytes(6 * 1024 * 1024);
    await sender.deliver('sink', { d: big });
    expect(seen).toHaveLength(1);
    expect(Buffer.compare(Buffer.from(seen[0]), big)).toBe(0);
    // Past the packet limit it is still refused up front, naming the size.
    const tooBig = await sender.deliver('sink', { d: randomBytes(17 * 1024 * 1024) }).catch((e: unknown) => e);
    expect(tooBig).toMatchObject({ code: 'FRAME_TOO_LARGE' });
  });
});

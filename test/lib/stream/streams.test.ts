/**
 * Streams between real components over loopback WebSockets: connect/accept, a Duplex of bytes
 * or JSON values, ordered and exactly once, credit both ways with bounded memory, half-close,
 * reset, refusal, a silent peer, many channels without head-of-line blocking, and a relayed
 * channel that survives a server restart.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { Component, Server, StreamChannel, type Client, type TailEvent } from '../../../src/index.js';
import type { Node } from '../../../src/lib/node/node.js';
import { MAX_CHUNK_BYTES } from '../../../src/lib/stream/stream-options.js';
import { Network, SECRET } from '../../helpers/network.js';
import { until } from '../../helpers/wait.js';

const net = new Network();
afterEach(() => net.stopAll());

function nodeOf(c: Client): Node {
  return (c as unknown as { node: Node }).node;
}

function sha(buffer: Buffer): string {
  return createHash('sha256').update(buffer).digest('hex');
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** An acceptor that echoes every stream of `protocol` back to its opener. */
function echo(c: Component, protocol = 'echo'): void {
  c.accept(protocol, (ch) => {
    void pipeline(ch, ch).catch(() => {});
  });
}

/** Rejects with what an error event on `stream` carries. */
function failureOf(stream: StreamChannel): Promise<Error> {
  return new Promise((resolve) => stream.once('error', resolve));
}

describe.each([
  ['direct', { port: 0 }],
  ['relay', {}],
] as const)('streams over %s', (path, acceptorOptions) => {
  it('carries 4 MB of bytes both ways, in order, exactly once', async () => {
    await net.serve();
    const bob = await net.component({ name: 'bob', ...acceptorOptions });
    echo(bob);
    const alice = await net.component({ name: 'alice' });
    const ch = await alice.connect('bob', 'echo');
    const data = randomBytes(4 * 1024 * 1024);
    const [, back] = await Promise.all([pipeline(Readable.from(chunks(data, 100_000)), ch), readAll(ch)]);
    expect(back.length).toBe(data.length);
    expect(sha(back)).toBe(sha(data));
    expect(nodeOf(alice).streams.size).toBe(0);
    await until('bob forgot the stream', () => nodeOf(bob).streams.size === 0);
    void path;
  });

  it('carries JSON values in object mode, with the opener headers seen by the handler', async () => {
    await net.serve();
    const bob = await net.component({ name: 'bob', ...acceptorOptions });
    const seen: unknown[] = [];
    bob.accept('numbers', (ch, info) => {
      seen.push(info);
      void (async () => {
        for await (const value of ch) ch.write({ twice: (value as { n: number }).n * 2 });
        ch.end();
      })();
    });
    const alice = await net.component({ name: 'alice' });
    const ch = await alice.connect('bob', 'numbers', { objectMode: true, headers: { job: '7' } });
    for (let n = 0; n < 500; n++) ch.write({ n });
    ch.end();
    const back: unknown[] = [];
    for await (const value of ch) back.push(value);
    expect(back).toEqual(Array.from({ length: 500 }, (_, n) => ({ twice: n * 2 })));
    expect(seen).toEqual([expect.objectContaining({ peer: 'alice', protocol: 'numbers', headers: { job: '7' } })]);
  });

  it('refuses a JSON value too large for one chunk with FRAME_TOO_LARGE, instead of stalling', async () => {
    await net.serve();
    const bob = await net.component({ name: 'bob', ...acceptorOptions });
    bob.accept('sink', (ch) => void ch.resume());
    const alice = await net.component({ name: 'alice' });
    const ch = await alice.connect('bob', 'sink', { objectMode: true });
    const failed = failureOf(ch);
    ch.write({ big: 'x'.repeat(600 * 1024) });
    expect(await failed).toMatchObject({ code: 'FRAME_TOO_LARGE' });
  });
});

describe('streams', () => {
  it('refuses with UNKNOWN_PROTOCOL when the target has no handler, REFUSED with the reason when it declines', async () => {
    await net.serve();
    const bob = await net.component({ name: 'bob', port: 0 });
    bob.accept('picky', (_ch, info) => {
      if (info.headers.token !== 'yes') throw new Error('no token');
    });
    const alice = await net.component({ name: 'alice' });
    await expect(alice.connect('bob', 'nothing')).rejects.toMatchObject({ code: 'UNKNOWN_PROTOCOL' });
    await expect(alice.connect('bob', 'picky')).rejects.toMatchObject({ code: 'REFUSED', message: 'no token' });
    bob.accept('closed', (ch) => void ch.destroy());
    await expect(alice.connect('bob', 'closed', { timeout: 1000 })).rejects.toMatchObject({ code: 'REFUSED' });
    const ok = await alice.connect('bob', 'picky', { headers: { token: 'yes' } });
    expect(ok).toBeInstanceOf(StreamChannel);
    ok.destroy();
    await expect(alice.connect('nobody-here', 'picky')).rejects.toMatchObject({ code: 'NO_SUCH_COMPONENT' });
    expect(nodeOf(alice).streams.size).toBe(0);
  });

  it('end() half-closes: the other side reads to the end and may still answer', async () => {
    await net.serve();
    const bob = await net.component({ name: 'bob', port: 0 });
    bob.accept('count', (ch) => {
      void readAll(ch).then((all) => ch.end(`got ${all.length} bytes`));
    });
    const alice = await net.component({ name: 'alice' });
    const ch = await alice.connect('bob', 'count');
    ch.end(Buffer.alloc(300_000, 1));
    expect((await readAll(ch)).toString()).toBe('got 300000 bytes');
  });

  it('destroy(err) aborts: the other side fails with STREAM_RESET and the reason', async () => {
    await net.serve();
    const bob = await net.component({ name: 'bob', port: 0 });
    const accepted = new Promise<StreamChannel>((resolve) => bob.accept('abort', (ch) => resolve(ch)));
    const alice = await net.component({ name: 'alice' });
    const ch = await alice.connect('bob', 'abort');
    const theirs = await accepted;
    const failed = failureOf(theirs);
    ch.on('error', () => {}); // destroy(err) emits it here too
    ch.destroy(new Error('changed my mind'));
    expect(await failed).toMatchObject({ code: 'STREAM_RESET', message: expect.stringContaining('changed my mind') });
    await until('both forgot it', () => nodeOf(alice).streams.size === 0 && nodeOf(bob).streams.size === 0);
  });

  it('a stopping node fails its streams on the other side at once with CLOSED', async () => {
    await net.serve();
    const bob = await Component.start({ server: net.server.address, secret: SECRET, name: 'bob', port: 0 });
    bob.accept('hold', () => {});
    const alice = await net.component({ name: 'alice' });
    const ch = await alice.connect('bob', 'hold');
    const failed = failureOf(ch);
    await bob.stop();
    expect(await failed).toMatchObject({ code: 'CLOSED' });
  });

  it('a peer that goes silent fails the stream with UNREACHABLE within the liveness timeout', async () => {
    await net.serve();
    const bob = await net.component({ name: 'bob', port: 0 });
    bob.accept('hold', () => {});
    const alice = await net.component({ name: 'alice', streams: { keepaliveMs: 50, livenessMs: 300 } });
    const ch = await alice.connect('bob', 'hold');
    // bob's process hangs: it takes no stream frame any more (nor answers pings).
    nodeOf(bob).streams.take = () => true;
    const startedAt = Date.now();
    const failed = await failureOf(ch);
    expect(failed).toMatchObject({ code: 'UNREACHABLE' });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(300);
  });

  it('a peer whose instance changed (it restarted) fails the stream with CLOSED, reason peerRestarted', async () => {
    await net.serve();
    const bob = await net.component({ name: 'bob', port: 0 });
    bob.accept('hold', () => {});
    const alice = await net.component({ name: 'alice', streams: { keepaliveMs: 50, livenessMs: 60_000 } });
    const ch = await alice.connect('bob', 'hold');
    // What a new process of bob's answers pings with: another instance.
    (nodeOf(bob).streams as unknown as { instance: string }).instance = 'bob-after-a-restart';
    expect(await failureOf(ch)).toMatchObject({ code: 'CLOSED', details: { reason: 'peerRestarted', peer: 'bob' } });
  });

  it('a direct link that breaks mid-transfer is redialed and the stream goes on, exactly once', async () => {
    await net.serve();
    const bob = await net.component({ name: 'bob', port: 0 });
    echo(bob);
    const alice = await net.component({ name: 'alice' });
    const ch = await alice.connect('bob', 'echo');
    const data = randomBytes(4 * 1024 * 1024);
    const back = readAll(ch);
    await new Promise<void>((resolve) => ch.write(data.subarray(0, 2 * 1024 * 1024), () => resolve()));
    const link = nodeOf(alice).peers.open('bob');
    expect(link).toBeDefined();
    link!.close();
    ch.end(data.subarray(2 * 1024 * 1024));
    expect(sha(await back)).toBe(sha(data));
  });

  it('a slow reader throttles the writer: each side holds at most a window (plus one chunk)', async () => {
    await net.serve();
    const windowBytes = 128 * 1024;
    const bob = await net.component({ name: 'bob', port: 0, streams: { windowBytes } });
    const accepted = new Promise<StreamChannel>((resolve) => bob.accept('sink', (ch) => resolve(ch)));
    const alice = await net.component({ name: 'alice', streams: { windowBytes } });
    const ch = await alice.connect('bob', 'sink');
    const theirs = await accepted;
    theirs.pause();
    const data = randomBytes(4 * 1024 * 1024);
    let written = 0;
    const writer = new Writable({
      write(chunk: Buffer, _e, done) {
        written += chunk.length;
        if (!ch.write(chunk)) ch.once('drain', () => done());
        else done();
      },
      final(done) {
        ch.end(done);
      },
    });
    const writing = pipeline(Readable.from(chunks(data, 32 * 1024)), writer);
    await until('bob holds a full window', () => theirs.buffered.received >= windowBytes - MAX_CHUNK_BYTES);
    // The writer is blocked: what it wrote is what the two windows and Node's buffers hold.
    await until('alice waits for credit', () => ch.writableNeedDrain);
    const bound = windowBytes + MAX_CHUNK_BYTES;
    expect(theirs.buffered.received).toBeLessThanOrEqual(bound);
    expect(ch.buffered.unconfirmed).toBeLessThanOrEqual(bound);
    expect(written).toBeLessThan(data.length / 4);
    theirs.resume();
    const parts: Buffer[] = [];
    theirs.on('data', (part: Buffer) => {
      expect(theirs.buffered.received).toBeLessThanOrEqual(bound);
      parts.push(part);
    });
    await new Promise((resolve) => theirs.once('end', resolve));
    await writing;
    expect(sha(Buffer.concat(parts))).toBe(sha(data));
  });

  it('a tail sees the open, the accept and each side\'s close', async () => {
    await net.serve();
    const watcher = await net.client();
    const seen: TailEvent[] = [];
    await watcher.tail({ names: ['bob'] }, (e) => seen.push(e));
    const bob = await net.component({ name: 'bob', port: 0 });
    echo(bob);
    const alice = await net.component({ name: 'alice' });
    await until('alice traces', () => nodeOf(alice).feed.tracing && nodeOf(bob).feed.tracing);
    const ch = await alice.connect('bob', 'echo');
    ch.end('hi');
    expect((await readAll(ch)).toString()).toBe('hi');
    const kinds = () => seen.flatMap((e) => (e.kind === 'traffic' ? [`${e.event.from}>${e.event.to} ${e.event.kind}`] : []));
    await until('both closes are seen', () => kinds().filter((k) => k.endsWith('streamClose')).length === 2);
    expect(kinds()).toEqual(expect.arrayContaining(['alice>bob streamOpen', 'bob>alice streamAccept', 'alice>bob streamClose', 'bob>alice streamClose']));
    const close = seen.find((e) => e.kind === 'traffic' && e.event.kind === 'streamClose' && e.event.from === 'alice');
    expect(close).toMatchObject({ event: { headers: { protocol: 'echo', in: '2', out: '2' } } });
  });

  it('1,000 channels at once, one of them stalled, the others unaffected', async () => {
    await net.serve();
    const bob = await net.component({ name: 'bob', port: 0 });
    echo(bob);
    const stalled = new Promise<StreamChannel>((resolve) => bob.accept('sink', (ch) => (ch.pause(), resolve(ch))));
    const alice = await net.component({ name: 'alice' });
    const stuck = await alice.connect('bob', 'sink');
    // Fill the stalled channel's window: its writer now waits, and nothing else may.
    while (stuck.write(randomBytes(64 * 1024)));
    await until('the stalled channel is full', async () => (await stalled).buffered.received > 0 && stuck.writableNeedDrain);
    const results = await Promise.all(
      Array.from({ length: 1000 }, async (_, i) => {
        const ch = await alice.connect('bob', 'echo', { timeout: 20_000 });
        ch.end(`channel ${i}`);
        return (await readAll(ch)).toString();
      }),
    );
    expect(results).toEqual(Array.from({ length: 1000 }, (_, i) => `channel ${i}`));
    expect(nodeOf(alice).streams.size).toBe(1);
    stuck.destroy();
  }, 30_000);

  it('a relayed channel survives a server restart and resumes where it was', async () => {
    const first = await Server.start({ host: '127.0.0.1', port: 0, secret: SECRET });
    const port = Number(first.address.split(':')[1]);
    const bob = await Component.start({ server: first.address, secret: SECRET, name: 'bob' });
    const alice = await Component.start({ server: first.address, secret: SECRET, name: 'alice' });
    net.add(() => bob.stop());
    net.add(() => alice.stop());
    echo(bob);
    const ch = await alice.connect('bob', 'echo');
    const firstHalf = randomBytes(1024 * 1024);
    const secondHalf = randomBytes(1024 * 1024);
    const back = readAll(ch);
    await new Promise<void>((resolve) => ch.write(firstHalf, () => resolve()));
    const reconnected = Promise.all([alice, bob].map((c) => new Promise((r) => c.once('reconnected', r))));
    await first.stop();
    ch.end(secondHalf);
    const second = await Server.start({ host: '127.0.0.1', port, secret: SECRET });
    net.add(() => second.stop());
    await reconnected;
    const all = await back;
    expect(sha(all)).toBe(sha(Buffer.concat([firstHalf, secondHalf])));
  }, 20_000);
});

function* chunks(data: Buffer, size: number): Generator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

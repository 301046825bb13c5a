/**
 * Streamed replies between real components over loopback WebSockets: a request handler that
 * returns an async iterable, read with `client.stream(name, body)` as its chunks come; direct,
 * relayed and over a mesh; a handler that throws mid-stream, a peer that goes silent, a caller
 * that stops early (the handler is told), and a slow caller throttling the handler.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Body, Client, Component, Message } from '../../../src/index.js';
import type { Node } from '../../../src/lib/node/node.js';
import type { StreamChannel } from '../../../src/lib/stream/stream-channel.js';
import { wsTransport } from '../../../src/lib/transport/ws.js';
import { meshOfComponents, type MeshOfComponents } from '../../helpers/mesh.js';
import { Network } from '../../helpers/network.js';
import { until } from '../../helpers/wait.js';

const net = new Network();
let mesh: MeshOfComponents | undefined;
afterEach(async () => {
  await net.stopAll();
  await mesh?.stopAll();
  mesh = undefined;
});

function nodeOf(c: Client): Node {
  return (c as unknown as { node: Node }).node;
}

async function collect(chunks: AsyncIterable<Body>): Promise<Body[]> {
  const out: Body[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

/** Counts from 1 to the request's `n`, one chunk each. */
async function* counter(m: Message): AsyncGenerator<Body> {
  const n = (m.body as { n: number }).n;
  for (let i = 1; i <= n; i++) yield { i, from: m.from };
}

describe.each([
  ['direct', { port: 0 }],
  ['relay', {}],
] as const)('streamed replies over %s', (_path, bobOptions) => {
  it('yields each chunk a handler yields, in order, then ends', async () => {
    await net.serve();
    const bob = await net.component({ name: 'bob', ...bobOptions, onMessage: counter });
    const alice = await net.component({ name: 'alice' });
    const chunks = await collect(alice.stream('bob', { n: 300 }));
    expect(chunks).toEqual(Array.from({ length: 300 }, (_, k) => ({ i: k + 1, from: 'alice' })));
    await until('both ends forgot the stream', () => nodeOf(alice).streams.size === 0 && nodeOf(bob).streams.size === 0);
  });

  it('carries bytes inside chunks, and a plain reply as one chunk', async () => {
    await net.serve();
    await net.component({
      name: 'bob',
      ...bobOptions,
      onMessage: (m) =>
        (m.body as { plain?: boolean }).plain
          ? { plain: true }
          : (async function* () {
              yield { data: new Uint8Array([1, 2, 3]) };
              yield 'text';
            })(),
    });
    const alice = await net.component({ name: 'alice' });
    expect(await collect(alice.stream('bob', { plain: true }))).toEqual([{ plain: true }]);
    const [bytes, text] = await collect(alice.stream('bob', {}));
    expect(Buffer.from((bytes as { data: Uint8Array }).data)).toEqual(Buffer.from([1, 2, 3]));
    expect(text).toBe('text');
  });

  it('a handler that throws mid-stream fails the caller with REMOTE_ERROR after the chunks before it', async () => {
    await net.serve();
    await net.component({
      name: 'bob',
      ...bobOptions,
      onMessage: async function* () {
        yield 1;
        yield 2;
        throw new Error('disk on fire');
      },
    });
    const alice = await net.component({ name: 'alice' });
    const got: Body[] = [];
    const failure = await (async () => {
      for await (const chunk of alice.stream('bob', null)) got.push(chunk);
    })().catch((error: unknown) => error);
    expect(got).toEqual([1, 2]);
    expect(failure).toMatchObject({ code: 'REMOTE_ERROR', message: 'disk on fire' });
  });
});

describe('streamed replies', () => {
  it('a caller that stops early ends the handler: its signal aborts and its generator returns', async () => {
    await net.serve();
    let finished = false;
    let aborted = false;
    const bob = await net.component({
      name: 'bob',
      port: 0,
      onMessage: async function* (m: Message) {
        m.signal?.addEventListener('abort', () => (aborted = true));
        try {
          for (let i = 0; ; i++) yield i;
        } finally {
          finished = true;
        }
      },
    });
    const alice = await net.component({ name: 'alice' });
    const got: Body[] = [];
    for await (const chunk of alice.stream('bob', null)) {
      got.push(chunk);
      if (got.length === 3) break;
    }
    expect(got).toEqual([0, 1, 2]);
    await until('the handler was told and stopped', () => finished && aborted);
    await until('both ends forgot the stream', () => nodeOf(alice).streams.size === 0 && nodeOf(bob).streams.size === 0);
  });

  it('a slow caller throttles the handler: it runs at most a window ahead', async () => {
    await net.serve();
    let produced = 0;
    const chunk = 'x'.repeat(8 * 1024);
    const bob = await net.component({
      name: 'bob',
      port: 0,
      onMessage: async function* () {
        for (;;) {
          produced++;
          yield chunk;
        }
      },
    });
    const alice = await net.component({ name: 'alice' });
    const replies = alice.stream('bob', null)[Symbol.asyncIterator]();
    await replies.next();
    const bobChannel = (): StreamChannel | undefined => [...(nodeOf(bob).streams as unknown as { peers: Map<string, { channels: Map<string, StreamChannel> }> }).peers.values()][0]?.channels.values().next().value;
    // The handler is blocked once what it sent fills alice's window.
    await until("bob's sending window is full", () => (bobChannel()?.buffered.unconfirmed ?? 0) > 256 * 1024 - 2 * chunk.length - 100);
    const window = 256 * 1024 / (chunk.length + 2);
    // A window of chunks in flight, plus the writable's 16 and the one being written.
    expect(produced).toBeLessThanOrEqual(window + 16 + 2);
    await replies.return?.();
  });

  it('a peer that goes silent fails the caller with UNREACHABLE within the liveness timeout, never a hang', async () => {
    await net.serve();
    const bob = await net.component({
      name: 'bob',
      port: 0,
      onMessage: async function* () {
        yield 'first';
        await new Promise(() => {});
      },
    });
    const alice = await net.component({ name: 'alice', streams: { keepaliveMs: 50, livenessMs: 300 } });
    const replies = alice.stream('bob', null)[Symbol.asyncIterator]();
    expect((await replies.next()).value).toBe('first');
    nodeOf(bob).streams.take = () => true;
    await expect(replies.next()).rejects.toMatchObject({ code: 'UNREACHABLE' });
  });

  it('a plain request to a handler that streams fails with REMOTE_ERROR that says to stream it', async () => {
    await net.serve();
    await net.component({ name: 'bob', onMessage: counter });
    const alice = await net.component({ name: 'alice' });
    await expect(alice.send('bob', { n: 2 })).rejects.toMatchObject({ code: 'REMOTE_ERROR', message: expect.stringMatching(/stream/) });
  });

  it('a target without a message handler refuses with REMOTE_ERROR, a missing one with NO_SUCH_COMPONENT', async () => {
    await net.serve();
    await net.component({ name: 'bob', onMessage: undefined });
    const alice = await net.component({ name: 'alice' });
    await expect(collect(alice.stream('bob', null))).rejects.toMatchObject({ code: 'REMOTE_ERROR' });
    await expect(collect(alice.stream('nobody', null))).rejects.toMatchObject({ code: 'NO_SUCH_COMPONENT' });
  });
});

it('a malformed streamed request is answered with an error value MALFORMED_FRAME, and the END', async () => {
  await net.serve();
  await net.component({ name: 'bob', port: 0, onMessage: counter });
  const alice = await net.component({ name: 'alice' });
  const ch = await alice.connect('bob', 'botz.reply', { objectMode: true });
  ch.end({ notABody: 1 });
  const values: unknown[] = [];
  for await (const value of ch) values.push(value);
  expect(values).toEqual([{ error: { code: 'MALFORMED_FRAME', message: expect.any(String) } }]);
  await expect(async () => alice.accept('botz.reply', () => {})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
});

it('streamed replies cross a three-node mesh (no server)', async () => {
  mesh = await meshOfComponents(['n1', 'n2', 'n3'], { component: { transport: wsTransport }, handler: () => counter });
  const chunks = await collect((mesh.node('n1') as Component).stream('n3', { n: 50 }));
  expect(chunks).toHaveLength(50);
  expect(chunks[49]).toEqual({ i: 50, from: 'n1' });
});

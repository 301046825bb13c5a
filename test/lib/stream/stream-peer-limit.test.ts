/**
 * The per-peer caps of streams: one peer cannot make a node hold more than
 * `streams.maxStreamsPerPeer` streams (TOO_MANY_STREAMS, the others still get theirs), and a
 * streamed reply holds a handler slot while it streams (TOO_MANY_PENDING past the limit).
 */
import { afterEach, expect, it } from 'vitest';
import type { Body, Message } from '../../../src/index.js';
import { Network } from '../../helpers/network.js';
import { until } from '../../helpers/wait.js';

const net = new Network();
afterEach(() => net.stopAll());

it('a peer past maxStreamsPerPeer is refused with TOO_MANY_STREAMS; another peer is not; a closed stream frees its place', async () => {
  await net.serve();
  const bob = await net.component({ name: 'bob', port: 0, streams: { maxStreamsPerPeer: 3 } });
  bob.accept('hold', () => {});
  const alice = await net.component({ name: 'alice' });
  const held = await Promise.all([1, 2, 3].map(() => alice.connect('bob', 'hold')));
  await expect(alice.connect('bob', 'hold')).rejects.toMatchObject({ code: 'TOO_MANY_STREAMS', message: expect.stringMatching(/3 streams open with "alice"/) });
  const carol = await net.component({ name: 'carol' });
  (await carol.connect('bob', 'hold')).destroy();
  held[0].destroy();
  await until('bob forgot the closed stream', () => (bob as unknown as { node: { streams: { size: number } } }).node.streams.size === 2);
  (await alice.connect('bob', 'hold')).destroy();
});

it('an opener past its own maxStreamsPerPeer fails at once with TOO_MANY_STREAMS, nothing sent', async () => {
  await net.serve();
  const bob = await net.component({ name: 'bob', port: 0 });
  bob.accept('hold', () => {});
  const alice = await net.component({ name: 'alice', streams: { maxStreamsPerPeer: 1 } });
  await alice.connect('bob', 'hold');
  await expect(alice.connect('bob', 'hold')).rejects.toMatchObject({ code: 'TOO_MANY_STREAMS' });
});

it('a streamed reply holds a handler slot while it streams: past the per-peer handler limit, TOO_MANY_PENDING', async () => {
  await net.serve();
  let release = (): void => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  await net.component({
    name: 'bob',
    port: 0,
    handlerLimits: { perPeer: 2 },
    onMessage: async function* (_m: Message): AsyncGenerator<Body> {
      yield 'started';
      await gate;
    },
  });
  const alice = await net.component({ name: 'alice' });
  const open = [alice.stream('bob', null), alice.stream('bob', null)].map((s) => s[Symbol.asyncIterator]());
  for (const s of open) expect((await s.next()).value).toBe('started');
  const third = alice.stream('bob', null)[Symbol.asyncIterator]();
  await expect(third.next()).rejects.toMatchObject({ code: 'TOO_MANY_PENDING' });
  release();
  for (const s of open) expect((await s.next()).done).toBe(true);
  const again: Body[] = [];
  for await (const chunk of alice.stream('bob', null)) again.push(chunk);
  expect(again).toEqual(['started']);
});

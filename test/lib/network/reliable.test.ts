/**
 * Reliable delivery between real components on loopback sockets: order, exactly once,
 * handler and pull modes, cut links, a server restart, a peer restart, and backpressure.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Component, Server } from '../../../src/index.js';
import type { Message } from '../../../src/lib/node/message.js';
import type { ReliableDelivery } from '../../../src/lib/node/reliable-delivery.js';
import type { Frame } from '../../../src/lib/wire/frames.js';
import { Network, SECRET } from '../../helpers/network.js';
import { rawChannel } from '../../helpers/raw-peer.js';
import { until } from '../../helpers/wait.js';

const net = new Network();
afterEach(() => net.stopAll());

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);
/** Short retransmission bounds, so a lost frame is retried within the test's patience. */
const fast = { rto: { initialRtoMs: 100, minRtoMs: 20, maxRtoMs: 300 } };

/** The component's reliable layer (an internal: tests may reach it). */
function reliableOf(c: Component): ReliableDelivery {
  return (c as unknown as { node: { reliable: ReliableDelivery } }).node.reliable;
}

/** Records the seq of every data frame that reaches `c` from the wire, in arrival order. */
function tapData(c: Component): number[] {
  const seqs: number[] = [];
  const r = reliableOf(c);
  const original = r.take.bind(r);
  r.take = (frame, arrival) => {
    if (frame.type === 'data') seqs.push(frame.seq);
    return original(frame, arrival);
  };
  return seqs;
}

/** Messages waiting in `c`'s inbox from `from` (held: arrived, not yet taken). */
function heldBy(c: Component, from: string): number {
  return reliableOf(c).stats().find((s) => s.peer === from)?.available ?? 0;
}

/** Pulls `n` messages from `c.messages()`. */
async function collect(c: Component, n: number): Promise<Message[]> {
  const out: Message[] = [];
  if (n === 0) return out;
  for await (const m of c.messages()) {
    out.push(m);
    if (out.length === n) break;
  }
  return out;
}

describe('reliable delivery over real sockets', () => {
  it('delivers in order to messages() and read(), confirming each deliver end to end', async () => {
    await net.serve();
    const bob = await net.component({ name: 'bob', port: 0 });
    const alice = await net.component({ name: 'alice' });
    const received = collect(bob, 150);
    await Promise.all(range(150).map((i) => alice.deliver('bob', { i })));
    const messages = await received;
    expect(messages.map((m) => m.body)).toEqual(range(150).map((i) => ({ i })));
    expect(messages[0]).toMatchObject({ kind: 'message', from: 'alice', path: 'direct' });
    expect(new Set(messages.map((m) => m.id)).size).toBe(150);

    // Not confirmed while they only wait in bob's inbox: read() is what takes them.
    let confirmed = 0;
    const five = Promise.all(range(5).map((i) => alice.deliver('bob', i).then(() => confirmed++)));
    await until('bob holds five', () => heldBy(bob, 'alice') === 5);
    expect(confirmed).toBe(0);
    expect(bob.read(3).map((m) => m.body)).toEqual([0, 1, 2]);
    expect(bob.read().map((m) => m.body)).toEqual([3, 4]);
    expect(bob.read()).toEqual([]);
    await five;
  });

  it('rejects bad targets with stable codes', async () => {
    await net.serve();
    const alice = await net.component({ name: 'alice' });
    await expect(alice.deliver('@workers', 1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(alice.deliver('alice', 1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(alice.deliver('nobody', 1, { timeout: 3000 })).rejects.toMatchObject({ code: 'NO_SUCH_COMPONENT' });
  });

  it('hands each message to the handler exactly once although the wire repeats and reorders them', async () => {
    const server = await net.serve();
    const got: Message[] = [];
    const bob = await net.component({ name: 'bob', onMessage: (m) => void got.push(m) });
    // A hand-driven sender on the relay: it repeats and reorders data frames on purpose.
    const raw = await rawChannel(server.address, 'dup', SECRET, { answerHeartbeats: true });
    net.add(async () => raw.channel.close());
    await raw.channel.request({ type: 'register', address: null, port: null, groups: [], meta: {} }, { timeoutMs: 2000 });
    await raw.channel.request({ type: 'ready' }, { timeoutMs: 2000 });
    raw.channel.send({ type: 'resume', session: 'S1', epoch: 1, peer: null, received: 0, window: 64, reply: false }, 'bob');
    await raw.waitFor((fs) => fs.some((f) => f.type === 'resume'));
    const bobSession = (raw.frames.find((f) => f.type === 'resume') as Extract<Frame, { type: 'resume' }>).session;
    for (const seq of [2, 1, 2, 1, 3, 3, 2]) {
      raw.channel.send({ type: 'data', session: 'S1', peer: bobSession, seq, body: `m${seq}` }, 'bob');
      raw.channel.flush();
    }
    await raw.waitFor((fs) => fs.some((f) => f.type === 'sack' && f.cumulative === 3));
    expect(got.map((m) => m.body)).toEqual(['m1', 'm2', 'm3']);
    expect(got.map((m) => m.id)).toEqual(['S1:1', 'S1:2', 'S1:3']);
    expect(got[0]).toMatchObject({ kind: 'message', from: 'dup', path: 'relay' });
    expect(() => bob.messages()).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('runs the handler one message at a time, in order, waiting for its promise', async () => {
    await net.serve();
    let running = 0;
    let overlap = false;
    const got: number[] = [];
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    await net.component({
      name: 'bob',
      port: 0,
      onMessage: async (m) => {
        overlap ||= running > 0;
        running++;
        await new Promise((r) => setImmediate(r));
        got.push(m.body as number);
        running--;
        if (got.length === 100) done();
      },
    });
    const alice = await net.component({ name: 'alice' });
    await Promise.all(range(100).map((i) => alice.deliver('bob', i)));
    await all;
    expect(got).toEqual(range(100));
    expect(overlap).toBe(false);
  });

  it('survives the direct link being cut and resends exactly what bob did not hold', async () => {
    await net.serve();
    // A small inbox nobody reads yet: bob holds 10 messages (unconfirmed), the other 20 wait.
    const bob = await net.component({ name: 'bob', port: 0, reliable: { inboxCapacity: 10, ...fast } });
    const alice = await net.component({ name: 'alice', reliable: fast });
    const seqs = tapData(bob);
    const sacks: { held: number }[] = [];
    const tapped = reliableOf(alice);
    const take = tapped.take.bind(tapped);
    tapped.take = (frame, arrival) => {
      if (frame.type === 'sack') sacks.push(frame);
      return take(frame, arrival);
    };
    const sends = range(30).map((i) => alice.deliver('bob', i, { timeout: 10_000 }));
    await until('alice knows bob holds ten', () => sacks.some((f) => f.held === 10));
    expect(reliableOf(alice).stats()[0].unconfirmed).toBe(30);

    const cutAt = seqs.length;
    (alice as unknown as { node: { peers: { drop(n: string): void } } }).node.peers.drop('bob');
    const received = collect(bob, 30);
    await Promise.all(sends);
    const messages = await received;
    expect(messages.map((m) => m.body)).toEqual(range(30));
    // After the cut, nothing bob held came again (but the first, perhaps, as a probe asking
    // whether bob's application took it yet).
    expect(seqs.slice(cutAt).filter((s) => s > 1 && s <= 10)).toEqual([]);
    expect(reliableOf(alice).stats()).toEqual([{ peer: 'bob', unconfirmed: 0, available: 0 }]);
  });

  it('survives a server restart on the relay path, resending only the unacknowledged tail', async () => {
    const first = await Server.start({ host: '127.0.0.1', port: 0, secret: SECRET });
    const port = Number(first.address.split(':')[1]);
    // No ports: every frame between them goes through the server.
    const bob = await Component.start({ server: first.address, secret: SECRET, name: 'bob', reliable: fast });
    const alice = await Component.start({ server: first.address, secret: SECRET, name: 'alice', reliable: fast });
    net.add(() => bob.stop());
    net.add(() => alice.stop());
    const seqs = tapData(bob);
    const received = collect(bob, 40);
    await Promise.all(range(20).map((i) => alice.deliver('bob', i)));

    const back = Promise.all([alice, bob].map((c) => new Promise((r) => c.once('reconnected', r))));
    await first.stop();
    const cutAt = seqs.length;
    const later = range(20, 20).map((i) => alice.deliver('bob', i, { timeout: 15_000 }));
    const second = await Server.start({ host: '127.0.0.1', port, secret: SECRET });
    net.add(() => second.stop());
    await back;
    await Promise.all(later);
    const messages = await received;
    expect(messages.map((m) => m.body)).toEqual(range(40));
    expect(messages.every((m) => m.path === 'relay')).toBe(true);
    expect(seqs.slice(cutAt).filter((s) => s <= 20)).toEqual([]);
  });

  it('reports a peer that restarted and never mixes its streams', async () => {
    await net.serve();
    const bob = await net.component({ name: 'bob', port: 0, reliable: fast });
    const alice1 = await Component.start({ server: net.server.address, secret: SECRET, name: 'alice', port: 0, reliable: fast });
    const firstRead = collect(bob, 1);
    await alice1.deliver('bob', 'from the first alice');
    const [first] = await firstRead;
    await alice1.stop();

    // Sent while alice is gone: meant for the alice that left, so never given to the new one.
    const orphan = bob.deliver('alice', 'for the first alice', { timeout: 15_000 }).then(
      () => 'delivered',
      (error: unknown) => error,
    );
    const restarted = new Promise<{ peer: string; previous: string; failed: number }>((r) => bob.once('peerRestarted', r));
    const alice2 = await net.component({ name: 'alice', port: 0, reliable: fast });
    const secondRead = collect(bob, 1);
    await alice2.deliver('bob', 'from the second alice');
    const [second] = await secondRead;

    const notice = await restarted;
    expect(notice).toMatchObject({ peer: 'alice', previous: first.id.split(':')[0] });
    expect(second.id.split(':')[0]).not.toBe(first.id.split(':')[0]);
    expect(second.id.split(':')[1]).toBe('1');
    expect(await orphan).toMatchObject({ code: 'CLOSED', details: { reason: 'peerRestarted' } });
    expect(alice2.read()).toEqual([]);
  });

  it('stops asking for a peer that left with nothing unconfirmed, and asks again on the next delivery', async () => {
    await net.serve();
    const bob1 = await Component.start({ server: net.server.address, secret: SECRET, name: 'bob', port: 0, reliable: fast });
    const alice = await net.component({ name: 'alice', reliable: fast });
    const hello = collect(bob1, 1);
    await alice.deliver('bob', 'hello');
    expect((await hello).map((m) => m.body)).toEqual(['hello']);
    // Every resume alice sends bob's way, and how each one fared.
    const resumes: string[] = [];
    const caller = (alice as unknown as { node: { caller: { post(peer: string, init: { type: string }, timeoutMs: number): Promise<unknown> } } }).node.caller;
    const post = caller.post.bind(caller);
    caller.post = (peer, init, timeoutMs) => {
      const sent = post(peer, init, timeoutMs);
      if (peer === 'bob' && init.type === 'resume') sent.then(() => resumes.push('sent'), (e: { code: string }) => resumes.push(e.code));
      return sent;
    };
    await bob1.stop();
    // Once the server says bob is gone, alice asks no more: at maxRtoMs (300 ms) she would ask
    // about five more times in the 1.5 s after that.
    await until('the server says bob is gone', () => resumes.includes('NO_SUCH_COMPONENT'), 10_000);
    const asked = resumes.length;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(resumes.slice(asked)).toEqual([]);

    // A new bob: the first delivery was numbered for the bob that left, and fails as it always
    // has when a peer restarts (see above); from then on the new session carries everything.
    const bob2 = await net.component({ name: 'bob', port: 0, reliable: fast });
    await expect(alice.deliver('bob', 'for the bob that left', { timeout: 10_000 })).rejects.toMatchObject({
      code: 'CLOSED',
      details: { reason: 'peerRestarted' },
    });
    const again = collect(bob2, 1);
    await alice.deliver('bob', 'again', { timeout: 10_000 });
    expect((await again).map((m) => m.body)).toEqual(['again']);
  });

  it('settles everything on stop: unconfirmed deliveries reject with CLOSED, readers end', async () => {
    await net.serve();
    const bob = await net.component({ name: 'bob', port: 0, reliable: { inboxCapacity: 1 } });
    const alice = await net.component({ name: 'alice' });
    const outcome = (p: Promise<void>) => p.then(() => 'confirmed', (e: unknown) => e);
    const held = outcome(alice.deliver('bob', 'fits'));
    const stuck = outcome(alice.deliver('bob', 'never confirmed'));
    await until('bob holds the first', () => heldBy(bob, 'alice') === 1);
    await alice.stop();
    // Bob holds the first, but nobody took it: not confirmed either.
    expect(await held).toMatchObject({ code: 'CLOSED' });
    expect(await stuck).toMatchObject({ code: 'CLOSED' });
    await expect(alice.deliver('bob', 'after')).rejects.toMatchObject({ code: 'CLOSED' });
    // Bob's full inbox (capacity 1) refused the second message: only the first is held.
    const reading = collect(bob, 5);
    await bob.stop();
    // The reader got what was held and then ended instead of hanging.
    expect((await reading).map((m) => m.body)).toEqual(['fits']);
  });

  it('makes deliver wait for a slow reader, keeps memory bounded, then times out', async () => {
    await net.serve();
    const bob = await net.component({ name: 'bob', port: 0, reliable: { inboxCapacity: 16, ...fast } });
    const alice = await net.component({ name: 'alice', reliable: { windowSize: 32, maxWaitingSends: 8, ...fast } });
    const settled: boolean[] = range(40).map(() => false);
    const sends = range(40).map((i) => {
      const p = alice.deliver('bob', i, { timeout: i < 32 ? 20_000 : 1_500 });
      void p.then(() => (settled[i] = true), () => {});
      return p;
    });
    await expect(alice.deliver('bob', 'one too many')).rejects.toMatchObject({ code: 'TOO_MANY_PENDING' });
    // Bob's inbox (16) is full and nobody takes from it: nothing is confirmed, and the rest wait
    // in the sender's bounded window and queue.
    await until('bob holds sixteen', () => heldBy(bob, 'alice') === 16);
    expect(reliableOf(bob).stats()).toEqual([{ peer: 'alice', unconfirmed: 0, available: 16 }]);
    expect(reliableOf(alice).stats()[0].unconfirmed).toBe(40);
    expect(settled.filter(Boolean).length).toBe(0);

    expect(bob.read(16).map((m) => m.body)).toEqual(range(16));
    await Promise.all(sends.slice(0, 16));
    await until('bob holds the next sixteen', () => heldBy(bob, 'alice') === 16);
    // Bob never takes these: the inbox stays full, so the last eight cannot even be sent.
    const late = await Promise.allSettled(sends.slice(32));
    expect(late.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok'))).toEqual(
      range(8).map(() => 'TIMEOUT'),
    );
    expect(settled.filter(Boolean).length).toBe(16);
    expect(reliableOf(bob).stats()[0].available).toBe(16);
    expect(bob.read(16).map((m) => m.body)).toEqual(range(16, 16));
    await Promise.all(sends.slice(16, 32));
  });
});

describe('deliver limits', () => {
  it('refuses a message that can never fit in a packet at once, and keeps the stream flowing', async () => {
    const n = new Network();
    try {
      await n.serve();
      const b = await n.component({ name: 'big-receiver', port: 0 });
      const a = await n.component({ name: 'big-sender', maxPacketBytes: 8 * 1024 });
      await expect(a.deliver('big-receiver', 'x'.repeat(20_000), { timeout: 2000 })).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE' });
      const small = a.deliver('big-receiver', 'small', { timeout: 2000 });
      await until('the small one arrived', () => heldBy(b, 'big-sender') === 1);
      expect(b.read().map((m) => m.body)).toEqual(['small']);
      await small;
    } finally {
      await n.stopAll();
    }
  });
});

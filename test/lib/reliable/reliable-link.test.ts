import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReliableFrameInit } from '../../../src/lib/reliable/reliable-frames.js';
import { ReliableLink, type FrameTransport, type ReliableLinkEvent } from '../../../src/lib/reliable/reliable-link.js';
import type { Body } from '../../../src/lib/wire/frames.js';
import { prng } from '../../helpers/prng.js';


interface Faults {
  loss?: number;
  duplication?: number;
  /** Each frame is delayed 1..maxDelayMs (so frames overtake each other). */
  maxDelayMs?: number;
  random?: () => number;
}

/** Two FrameTransports joined by fake-timer deliveries that lose, duplicate and reorder; `cut()` kills it. */
function pipe(faults: Faults = {}) {
  const random = faults.random ?? prng(1);
  let alive = true;
  const handlers: [((f: ReliableFrameInit) => void) | undefined, ((f: ReliableFrameInit) => void) | undefined] = [undefined, undefined];
  const end = (me: 0 | 1): FrameTransport => ({
    send(frame) {
      if (!alive) return;
      const copies = random() < (faults.loss ?? 0) ? 0 : random() < (faults.duplication ?? 0) ? 2 : 1;
      const wire = JSON.stringify(frame);
      for (let i = 0; i < copies; i++) {
        setTimeout(() => {
          if (alive) handlers[1 - me]?.(JSON.parse(wire) as ReliableFrameInit);
        }, 1 + Math.floor(random() * (faults.maxDelayMs ?? 1)));
      }
    },
    onFrame(handler) {
      handlers[me] = handler;
      return () => {
        if (handlers[me] === handler) handlers[me] = undefined;
      };
    },
  });
  return { a: end(0), b: end(1), cut: () => (alive = false) };
}

const fast = { send: { initialRtoMs: 50, minRtoMs: 10, maxRtoMs: 400 } };
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

/** Advances fake time until the promise settles (or the budget runs out). */
async function until<T>(promise: Promise<T>, budgetMs = 600_000): Promise<T> {
  let done = false;
  const watched = promise.finally(() => (done = true));
  for (let t = 0; t < budgetMs && !done; t += 10) await vi.advanceTimersByTimeAsync(10);
  return watched;
}

async function collect(link: ReliableLink, n: number): Promise<Body[]> {
  const out: Body[] = [];
  for await (const m of link.messages()) {
    out.push(m);
    if (out.length === n) break;
  }
  return out;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ReliableLink', () => {
  it('resolves send once the other end holds the message, and delivers in order', async () => {
    const { a, b } = pipe();
    const alice = new ReliableLink(fast);
    const bob = new ReliableLink(fast);
    alice.resume(a);
    bob.resume(b);
    let confirmed = false;
    const sent = alice.send({ n: '1' }).then(() => (confirmed = true));
    expect(confirmed).toBe(false);
    await until(sent);
    expect(bob.available).toBe(1);
    await until(Promise.all(range(5, 2).map((i) => alice.send({ n: String(i) }))));
    expect(bob.read(2)).toEqual([{ n: '1' }, { n: '2' }]);
    expect(bob.read()).toEqual(range(4, 3).map((i) => ({ n: String(i) })));
    expect(bob.read()).toEqual([]);
  });

  it('delivers 500 messages each way exactly once and in order over loss, duplication and reordering', async () => {
    const { a, b } = pipe({ loss: 0.3, duplication: 0.2, maxDelayMs: 30, random: prng(42) });
    const alice = new ReliableLink({ ...fast, send: { ...fast.send, windowSize: 32 }, receive: { capacity: 16 } });
    const bob = new ReliableLink({ ...fast, send: { ...fast.send, windowSize: 32 }, receive: { capacity: 16 } });
    alice.resume(a);
    bob.resume(b);
    const got = Promise.all([collect(bob, 500), collect(alice, 500)]);
    const sends = Promise.all([...range(500).map((i) => alice.send(i)), ...range(500).map((i) => bob.send(i))]);
    await until(sends);
    expect(await until(got)).toEqual([range(500), range(500)]);
    expect(alice.unconfirmed).toBe(0);
  });

  it('applies backpressure: a full window holds sends, too many waiting fail, reading releases them', async () => {
    const { a, b } = pipe();
    const alice = new ReliableLink({ ...fast, send: { ...fast.send, windowSize: 4 }, maxWaitingSends: 4 });
    const bob = new ReliableLink({ ...fast, receive: { capacity: 2 } });
    alice.resume(a);
    bob.resume(b);
    const settled: number[] = [];
    const sends = range(8).map((i) => alice.send(i).then(() => settled.push(i)));
    await expect(alice.send(99)).rejects.toMatchObject({ code: 'TOO_MANY_PENDING' });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(settled).toEqual([0, 1]); // bob's inbox (2) is full: his window is closed
    expect(alice.unconfirmed).toBe(6);
    expect(bob.available).toBe(2);
    const got = collect(bob, 8);
    await until(Promise.all(sends));
    expect(await until(got)).toEqual(range(8));
  });

  it('rejects an unconfirmed send with TIMEOUT when the peer is gone', async () => {
    const { a } = pipe();
    const alice = new ReliableLink({ ...fast, sendTimeoutMs: 2_000 });
    alice.resume(a);
    const sent = alice.send('hello');
    const check = expect(sent).rejects.toMatchObject({ code: 'TIMEOUT' });
    await vi.advanceTimersByTimeAsync(2_001);
    await check;
  });

  it('resumes over a new path and resends exactly what was not acknowledged', async () => {
    const first = pipe({ maxDelayMs: 20 });
    const alice = new ReliableLink(fast);
    const bob = new ReliableLink(fast);
    alice.resume(first.a);
    bob.resume(first.b);
    const events: ReliableLinkEvent[] = [];
    alice.onEvent((e) => events.push(e));
    const sends = range(200).map((i) => alice.send(i));
    await vi.advanceTimersByTimeAsync(25);
    first.cut(); // frames in flight are lost with the path
    const partial = bob.available;
    expect(partial).toBeLessThan(200);
    const second = pipe({ maxDelayMs: 20 });
    alice.resume(second.a);
    bob.resume(second.b);
    await until(Promise.all(sends));
    expect(bob.read()).toEqual(range(200));
    expect(events).toContainEqual({ type: 'resumed', peer: bob.session.id, epoch: 2 });
  });

  it('detects a peer that restarted: fails what it never confirmed, reports it, and starts a fresh stream', async () => {
    const first = pipe();
    const alice = new ReliableLink({ ...fast, receive: { capacity: 4 } });
    const bob = new ReliableLink({ ...fast, receive: { capacity: 2 } });
    alice.resume(first.a);
    bob.resume(first.b);
    await until(Promise.all([alice.send('a1'), alice.send('a2'), bob.send('b1')]));
    const lost = alice.send('a3'); // bob's inbox is full: never confirmed
    const lostCheck = expect(lost).rejects.toMatchObject({ code: 'CLOSED', details: { reason: 'peerRestarted' } });
    await vi.advanceTimersByTimeAsync(1_000);
    first.cut();

    const events: ReliableLinkEvent[] = [];
    alice.onEvent((e) => events.push(e));
    const bob2 = new ReliableLink(fast);
    const second = pipe();
    alice.resume(second.a);
    bob2.resume(second.b);
    await vi.advanceTimersByTimeAsync(100);
    await lostCheck;
    expect(events).toContainEqual({ type: 'peerRestarted', previous: bob.session.id, peer: bob2.session.id, failed: 1 });
    await until(Promise.all([alice.send('a4'), bob2.send('b2')]));
    expect(bob2.read()).toEqual(['a4']);
    expect(alice.read()).toEqual(['b1', 'b2']); // b1 came from the first bob, before the restart
  });

  it('sends each message once when both ends start together (an answering resume is no reason to resend)', async () => {
    const { a, b } = pipe();
    let data = 0;
    const counted: FrameTransport = { send: (f) => (f.type === 'data' && data++, a.send(f)), onFrame: (h) => a.onFrame(h) };
    const alice = new ReliableLink(fast);
    const bob = new ReliableLink(fast);
    alice.resume(counted);
    bob.resume(b);
    const sends = range(50).map((i) => alice.send(i));
    await until(Promise.all(sends));
    expect(bob.read()).toEqual(range(50));
    expect(data).toBe(50);
  });

  it('takes a per-call timeout and hands whole frames to readFrames', async () => {
    const { a, b } = pipe();
    const alice = new ReliableLink({ ...fast, sendTimeoutMs: 60_000 });
    alice.resume(a);
    const short = alice.send('nobody listens', 500);
    const check = expect(short).rejects.toMatchObject({ code: 'TIMEOUT' });
    await vi.advanceTimersByTimeAsync(501);
    await check;
    const bob = new ReliableLink(fast);
    bob.resume(b);
    await until(alice.send('hi'));
    // A TIMEOUT means "not confirmed": the message kept its place in the stream.
    const frames = bob.readFrames();
    expect(frames.map((f) => f.body)).toEqual(['nobody listens', 'hi']);
    expect(frames[1]).toMatchObject({ type: 'data', session: alice.session.id, peer: bob.session.id, seq: 2 });
  });

  it('close rejects unconfirmed sends with CLOSED and ends messages() after the inbox drains', async () => {
    const { a, b } = pipe();
    const alice = new ReliableLink(fast);
    const bob = new ReliableLink(fast);
    alice.resume(a);
    bob.resume(b);
    await until(bob.send('x'));
    const pending = alice.send('never');
    alice.close();
    await expect(pending).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(alice.send('after')).rejects.toMatchObject({ code: 'CLOSED' });
    const seen: Body[] = [];
    for await (const m of alice.messages()) seen.push(m);
    expect(seen).toEqual(['x']);
  });

  it('parks an unanswered resume only when nothing is unconfirmed, and a resume() asks again', async () => {
    const sent: string[] = [];
    const nowhere: FrameTransport = { send: (f) => void sent.push(f.type), onFrame: () => () => {} };
    const alice = new ReliableLink(fast);
    alice.resume(nowhere);
    const pending = alice.send('waits', 60_000).catch((e: unknown) => e);
    expect(alice.park()).toBe(false); // something unconfirmed: keep asking
    await vi.advanceTimersByTimeAsync(1_000);
    const whileWaiting = sent.length;
    expect(whileWaiting).toBeGreaterThan(2);
    alice.close();
    await pending;

    const bob = new ReliableLink(fast);
    sent.length = 0;
    bob.resume(nowhere);
    expect(bob.park()).toBe(true);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sent).toEqual(['resume']); // the first one, and no repeat
    expect(vi.getTimerCount()).toBe(0);
    bob.resume(nowhere);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent.filter((t) => t === 'resume').length).toBeGreaterThan(2);
    bob.close();
  });
});

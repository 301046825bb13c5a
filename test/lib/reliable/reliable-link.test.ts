import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReliableFrameInit } from '../../../src/lib/wire/reliable-frames.js';
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
  it('resolves send only once the application at the other end took the message, and delivers in order', async () => {
    const { a, b } = pipe();
    const alice = new ReliableLink(fast);
    const bob = new ReliableLink(fast);
    alice.resume(a);
    bob.resume(b);
    let confirmed = false;
    const sent = alice.send({ n: '1' }).then(() => (confirmed = true));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(bob.available).toBe(1);
    expect(confirmed).toBe(false); // bob's link holds it; bob's application does not have it yet
    expect(bob.read()).toEqual([{ n: '1' }]);
    await until(sent);
    const more = Promise.all(range(5, 2).map((i) => alice.send({ n: String(i) })));
    await vi.advanceTimersByTimeAsync(100);
    expect(bob.read(2)).toEqual([{ n: '2' }, { n: '3' }]);
    expect(bob.read()).toEqual(range(3, 4).map((i) => ({ n: String(i) })));
    await until(more);
    expect(bob.read()).toEqual([]);
  });

  it('confirms a message read without confirming only when confirm() says the application is done with it', async () => {
    const { a, b } = pipe();
    const alice = new ReliableLink(fast);
    const bob = new ReliableLink(fast);
    alice.resume(a);
    bob.resume(b);
    let confirmed = false;
    const sent = alice.send('m').then(() => (confirmed = true));
    await vi.advanceTimersByTimeAsync(100);
    const frames = bob.readFrames(1, { confirm: false }); // handed to a handler that has not settled
    expect(frames.map((f) => f.body)).toEqual(['m']);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(confirmed).toBe(false);
    bob.confirm();
    await until(sent);
  });

  it('confirms a message from messages() once the loop asks for the next one (its body is done with it) or leaves', async () => {
    const { a, b } = pipe();
    const alice = new ReliableLink(fast);
    const bob = new ReliableLink(fast);
    alice.resume(a);
    bob.resume(b);
    const confirmed: number[] = [];
    const sends = range(3).map((i) => alice.send(i).then(() => confirmed.push(i)));
    await vi.advanceTimersByTimeAsync(100);
    const loop = bob.messages();
    expect((await loop.next()).value).toBe(0); // the loop body runs with 0
    await vi.advanceTimersByTimeAsync(1_000);
    expect(confirmed).toEqual([]);
    expect((await loop.next()).value).toBe(1); // done with 0
    await vi.advanceTimersByTimeAsync(100);
    expect(confirmed).toEqual([0]);
    await loop.return(); // break: done with 1
    await vi.advanceTimersByTimeAsync(100);
    expect(confirmed).toEqual([0, 1]);
    expect(bob.read()).toEqual([2]);
    await until(Promise.all(sends));
  });

  it('retransmits nothing the other end holds while its application is slow; only the first goes again, as a backed-off probe', async () => {
    const { a, b } = pipe();
    const perSeq = new Map<number, number>();
    const counted: FrameTransport = {
      send: (f) => (f.type === 'data' && perSeq.set(f.seq, (perSeq.get(f.seq) ?? 0) + 1), a.send(f)),
      onFrame: (h) => a.onFrame(h),
    };
    const alice = new ReliableLink(fast);
    const bob = new ReliableLink(fast);
    alice.resume(counted);
    bob.resume(b);
    const sends = Promise.all(range(10).map((i) => alice.send(i)));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(bob.available).toBe(10);
    expect(range(9, 2).map((s) => perSeq.get(s))).toEqual(range(9).map(() => 1));
    // maxRtoMs 400: at most one probe every 400 ms once backed off.
    expect(perSeq.get(1)).toBeLessThan(5_000 / 400 + 8);
    expect(bob.read()).toEqual(range(10));
    await until(sends);
  });

  it('repairs a lost confirmation: the probe makes the other end say again how far its application took', async () => {
    const { a, b } = pipe();
    let dropSacks = false;
    const lossy: FrameTransport = { send: (f) => (dropSacks && f.type === 'sack' ? undefined : b.send(f)), onFrame: (h) => b.onFrame(h) };
    const alice = new ReliableLink(fast);
    const bob = new ReliableLink(fast);
    alice.resume(a);
    bob.resume(lossy);
    let confirmed = false;
    const sent = alice.send('m').then(() => (confirmed = true));
    await vi.advanceTimersByTimeAsync(100);
    dropSacks = true;
    expect(bob.read()).toEqual(['m']); // its confirmation is lost
    await vi.advanceTimersByTimeAsync(1_000);
    expect(confirmed).toBe(false);
    dropSacks = false;
    await until(sent, 1_000);
  });

  it('coalesces acknowledgements: one sack for a burst that a fast application takes as it comes', async () => {
    // As a channel carries frames: those sent in one turn travel in one packet, and the frames
    // of a packet are handed on one after the other in one turn.
    const handlers: ((f: ReliableFrameInit) => void)[] = [];
    const packets = (me: 0 | 1): FrameTransport => {
      let packet: ReliableFrameInit[] | undefined;
      return {
        send(frame) {
          if (packet === undefined) {
            const sent = (packet = []);
            setTimeout(() => {
              packet = undefined;
              for (const f of sent) handlers[1 - me](JSON.parse(JSON.stringify(f)) as ReliableFrameInit);
            }, 1);
          }
          packet.push(frame);
        },
        onFrame(handler) {
          handlers[me] = handler;
          return () => {};
        },
      };
    };
    const b = packets(1);
    let sacks = 0;
    let wake: () => void = () => {};
    const counting: FrameTransport = {
      send: (f) => (f.type === 'sack' && sacks++, b.send(f)),
      // As ReliableDelivery does: look for work after every frame handed to the link.
      onFrame: (h) => b.onFrame((f) => (h(f), wake())),
    };
    const alice = new ReliableLink(fast);
    const bob = new ReliableLink(fast);
    alice.resume(packets(0));
    bob.resume(counting);
    await vi.advanceTimersByTimeAsync(100); // the resume exchange
    // A handler pump as ReliableDelivery runs it: one message at a time, confirmed once settled.
    const handled: Body[] = [];
    const pump = (async () => {
      while (handled.length < 50) {
        const [frame] = bob.readFrames(1, { confirm: false });
        if (frame === undefined) {
          await new Promise<void>((r) => (wake = r));
          continue;
        }
        await Promise.resolve(handled.push(frame.body));
        bob.confirm();
      }
    })();
    sacks = 0;
    await until(Promise.all(range(50).map((i) => alice.send(i))));
    await pump;
    expect(handled).toEqual(range(50));
    expect(sacks).toBe(1);
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
    // Bob holds two (his capacity) and took none: nothing is confirmed, nothing more may come.
    expect(settled).toEqual([]);
    expect(alice.unconfirmed).toBe(8);
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
    const got = collect(bob, 200);
    await until(Promise.all(sends));
    expect(await got).toEqual(range(200));
    expect(events).toContainEqual({ type: 'resumed', peer: bob.session.id, epoch: 2 });
  });

  it('detects a peer that restarted: fails what it never confirmed, reports it, and starts a fresh stream', async () => {
    const first = pipe();
    const alice = new ReliableLink({ ...fast, receive: { capacity: 4 } });
    const bob = new ReliableLink({ ...fast, receive: { capacity: 2 } });
    alice.resume(first.a);
    bob.resume(first.b);
    const taken = Promise.all([alice.send('a1'), alice.send('a2')]);
    await vi.advanceTimersByTimeAsync(100);
    expect(bob.read()).toEqual(['a1', 'a2']);
    await until(taken);
    void bob.send('b1').catch(() => {}); // alice holds it and takes it only at the end
    // Bob holds these two but his application never takes them: they die with him.
    const lost = [alice.send('a3'), alice.send('a4')];
    const lostCheck = expect(Promise.allSettled(lost)).resolves.toEqual(
      lost.map(() => ({ status: 'rejected', reason: expect.objectContaining({ code: 'CLOSED', details: expect.objectContaining({ reason: 'peerRestarted' }) }) })),
    );
    await vi.advanceTimersByTimeAsync(1_000);
    expect(bob.available).toBe(2);
    first.cut();

    const events: ReliableLinkEvent[] = [];
    alice.onEvent((e) => events.push(e));
    const bob2 = new ReliableLink(fast);
    const second = pipe();
    alice.resume(second.a);
    bob2.resume(second.b);
    await vi.advanceTimersByTimeAsync(100);
    await lostCheck;
    expect(events).toContainEqual({ type: 'peerRestarted', previous: bob.session.id, peer: bob2.session.id, failed: 2 });
    const later = Promise.all([alice.send('a5'), bob2.send('b2')]);
    await vi.advanceTimersByTimeAsync(100);
    expect(bob2.read()).toEqual(['a5']);
    expect(alice.read()).toEqual(['b1', 'b2']); // b1 came from the first bob, before the restart
    await until(later);
  });

  it('sends each message once when both ends start together (an answering resume is no reason to resend)', async () => {
    const { a, b } = pipe();
    let data = 0;
    const counted: FrameTransport = { send: (f) => (f.type === 'data' && data++, a.send(f)), onFrame: (h) => a.onFrame(h) };
    const alice = new ReliableLink(fast);
    const bob = new ReliableLink(fast);
    alice.resume(counted);
    bob.resume(b);
    const got = collect(bob, 50);
    const sends = range(50).map((i) => alice.send(i));
    await until(Promise.all(sends));
    expect(await got).toEqual(range(50));
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
    const hi = alice.send('hi');
    await vi.advanceTimersByTimeAsync(100);
    // A TIMEOUT means "not confirmed": the message kept its place in the stream.
    const frames = bob.readFrames();
    await until(hi);
    expect(frames.map((f) => f.body)).toEqual(['nobody listens', 'hi']);
    expect(frames[1]).toMatchObject({ type: 'data', session: alice.session.id, peer: bob.session.id, seq: 2 });
  });

  it('close rejects unconfirmed sends with CLOSED and ends messages() after the inbox drains', async () => {
    const { a, b } = pipe();
    const alice = new ReliableLink(fast);
    const bob = new ReliableLink(fast);
    alice.resume(a);
    bob.resume(b);
    void bob.send('x').catch(() => {});
    await vi.advanceTimersByTimeAsync(100);
    expect(alice.available).toBe(1);
    const pending = alice.send('never');
    alice.close();
    await expect(pending).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(alice.send('after')).rejects.toMatchObject({ code: 'CLOSED' });
    const seen: Body[] = [];
    for await (const m of alice.messages()) seen.push(m);
    expect(seen).toEqual(['x']);
    bob.close();
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

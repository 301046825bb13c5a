import { describe, expect, it } from 'vitest';
import type { SeqRange } from '../../../src/lib/wire/reliable-frames.js';
import { SendWindow, type SendWindowOptions } from '../../../src/lib/reliable/send-window.js';

const base: Partial<SendWindowOptions> = { windowSize: 4, initialRtoMs: 100, minRtoMs: 10, maxRtoMs: 800 };
const seqs = (out: { seq: number }[]) => out.map((o) => o.seq);
/** A sack's fields; `held` (arrived in order, not yet taken) defaults to what was taken. */
const ack = (cumulative: number, ranges: SeqRange[] = [], window = 4, held = cumulative) => ({ cumulative, held, ranges, window });

function filled(n: number, options: Partial<SendWindowOptions> = base): SendWindow<string> {
  const w = new SendWindow<string>(options);
  for (let i = 1; i <= n; i++) w.offer(`m${i}`);
  return w;
}

describe('SendWindow', () => {
  it('numbers messages from 1 and refuses beyond windowSize (backpressure)', () => {
    const w = new SendWindow<string>(base);
    expect([1, 2, 3, 4].map((i) => w.offer(`m${i}`))).toEqual([1, 2, 3, 4]);
    expect(w.full).toBe(true);
    expect(w.offer('m5')).toBeUndefined();
    expect(w.size).toBe(4);
    w.poll(0); // sent: only what was sent can be acknowledged
    w.onAck(ack(2, [], 4), 0);
    expect(w.offer('m5')).toBe(5);
  });

  it('sends each new message once, then nothing until the RTO', () => {
    const w = filled(3);
    expect(seqs(w.poll(0))).toEqual([1, 2, 3]);
    expect(w.poll(50)).toEqual([]);
    expect(w.nextDeadline(50)).toBe(100);
    expect(seqs(w.poll(100))).toEqual([1, 2, 3]);
  });

  it.each([
    // cumulative, ranges, released, size after
    [0, [], [], 4],
    [2, [], [1, 2], 2],
    [4, [], [1, 2, 3, 4], 0],
    [9, [], [], 4], // acks what was never sent: impossible, ignored
  ] as const)('ack cumulative %d ranges %j releases %j', (cum, ranges, released, size) => {
    const w = filled(4);
    w.poll(0);
    expect(seqs(w.onAck(ack(cum, [...ranges], 4), 10))).toEqual(released);
    expect(w.size).toBe(size);
  });

  it('ignores a stale ack below the cumulative point', () => {
    const w = filled(4);
    w.poll(0);
    w.onAck(ack(3, [], 4), 10);
    expect(w.onAck(ack(1, [], 0), 20)).toEqual([]);
    expect(w.cumulative).toBe(3);
    expect(seqs(w.poll(200))).toEqual([4]); // window 0 of the stale ack was not applied
  });

  it('does not retransmit selectively acked messages on timeout', () => {
    const w = filled(4);
    w.poll(0);
    w.onAck(ack(0, [[2, 2], [4, 4]], 4), 10);
    expect(seqs(w.poll(1000))).toEqual([1, 3]);
  });

  it('resends a hole at once when dupThreshold messages above it are sacked (fast retransmit, once)', () => {
    const w = filled(5, { ...base, windowSize: 8 });
    w.poll(0);
    w.onAck(ack(1, [[3, 5]], 8), 5);
    expect(seqs(w.poll(6))).toEqual([2]);
    w.onAck(ack(1, [[3, 5]], 8), 7);
    expect(w.poll(8)).toEqual([]);
  });

  it('measures RTT from messages sent once only (Karn) and backs off on timeout', () => {
    const w = filled(2);
    w.poll(0);
    w.onAck(ack(1, [], 4), 40); // sample 40 → srtt 40, rto 40 + 4*20 = 120
    expect(w.srtt).toBe(40);
    expect(w.rto).toBe(120);
    expect(seqs(w.poll(120))).toEqual([2]); // timeout → backoff
    expect(w.rto).toBe(240);
    w.onAck(ack(2, [], 4), 130); // retransmitted: no sample
    expect(w.srtt).toBe(40);
    expect(w.rto).toBe(240);
  });

  it('caps the backoff at maxRtoMs', () => {
    const w = filled(1);
    let now = 0;
    for (let i = 0; i < 10; i++) {
      w.poll(now);
      now = w.nextDeadline(now)!;
    }
    expect(w.rto).toBe(800);
  });

  it('respects the window the receiver advertises, and probes a closed window', () => {
    const w = filled(4);
    w.poll(0);
    w.onAck(ack(2, [], 0), 10); // receiver full: window 0
    expect(w.offer('m5')).toBe(5);
    expect(w.offer('m6')).toBe(6);
    // 3..6 are beyond the closed window whatever their RTO; only 3 goes, as a probe
    expect(seqs(w.poll(500))).toEqual([3]);
    w.onAck(ack(2, [], 2), 501);
    expect(seqs(w.poll(502))).toEqual([4]); // a window of two: 3 in flight, 4 retransmitted, 5 waits
    // once nothing is in flight, a closed window is probed with one message
    const v = filled(2);
    v.poll(0);
    v.onAck(ack(2, [], 0), 10);
    v.offer('m3');
    expect(v.poll(15)).toEqual([]);
    expect(v.nextDeadline(15)).toBe(10 + v.rto);
    const probeSent = 10 + v.rto;
    expect(seqs(v.poll(probeSent))).toEqual([3]);
    v.onAck(ack(2, [], 0), probeSent + 1); // refused: still closed
    expect(v.poll(probeSent + 2)).toEqual([]);
    // the probe is now retransmitted on its own RTO, with backoff, until the window opens
    const rto = v.rto;
    expect(v.nextDeadline(probeSent + 2)).toBe(probeSent + rto);
    expect(seqs(v.poll(probeSent + rto))).toEqual([3]);
    expect(v.rto).toBe(rto * 2);
  });

  it('resume resends exactly what the peer has not got, sacked ones excepted', () => {
    const w = filled(4);
    w.poll(0);
    w.onAck(ack(0, [[3, 3]], 4), 5);
    w.resume(1, 4, 10);
    expect(seqs(w.poll(11))).toEqual([2, 4]);
  });

  it('ignores an ack or a resume for messages queued but never sent (a forged one must not break the window)', () => {
    const w = new SendWindow<string>({ ...base, windowSize: 8 });
    for (let i = 1; i <= 5; i++) w.offer(`m${i}`);
    w.onAck(ack(0, [], 1), 0); // the receiver opens a window of one
    expect(seqs(w.poll(1))).toEqual([1]);
    expect(w.onAck(ack(4, [], 8), 2)).toEqual([]); // 2..4 never left
    expect(w.cumulative).toBe(0);
    expect(seqs(w.resume(4, 8, 3))).toEqual([1]); // holds at most what was sent
    expect(seqs(w.poll(4))).toEqual([2, 3, 4, 5]);
  });

  it('neither retransmits what the receiver holds nor counts it as delivered before the application took it', () => {
    const w = filled(4);
    w.poll(0);
    expect(w.onAck(ack(0, [], 4, 2), 10)).toEqual([]); // 1 and 2 arrived; the application has neither yet
    expect(w.cumulative).toBe(0);
    expect(w.size).toBe(4);
    const sent: number[] = [];
    for (let now = 11; now < 2_000; now++) sent.push(...seqs(w.poll(now)));
    expect(sent.filter((s) => s === 2)).toEqual([]);
    expect(sent.filter((s) => s === 3).length).toBeGreaterThan(2); // not held: retransmitted on its RTO
    expect(seqs(w.onAck(ack(2, [], 4, 2), 2_000))).toEqual([1, 2]);
  });

  it('asks again for a confirmation that may have been lost with one probe of the first message, backing off', () => {
    const w = filled(3);
    w.poll(0);
    w.onAck(ack(0, [], 4, 3), 10); // all three arrived (RTT 10 → rto 30), none taken yet
    expect(w.rto).toBe(30);
    const probes: [number, number[]][] = [];
    let now = 10;
    while (probes.length < 6) {
      now = w.nextDeadline(now)!;
      const out = seqs(w.poll(now)); // a deadline may come early (see nextDeadline): nothing is due then
      if (out.length > 0) probes.push([now, out]);
    }
    // Intervals 30, 60, 120, 240, 480, then the cap (maxRtoMs 800).
    expect(probes).toEqual([[40, [1]], [100, [1]], [220, [1]], [460, [1]], [940, [1]], [1740, [1]]]);
    expect(w.rto).toBe(30); // probes do not back off the retransmission timer of real losses
    // Any ack shows the receiver alive and how far it took: the next probe counts from it.
    w.onAck(ack(0, [], 4, 3), 1_750);
    expect(w.nextDeadline(1_751)).toBe(1_750 + 800);
    // Progress resets the backoff.
    expect(seqs(w.onAck(ack(1, [], 4, 3), 2_000))).toEqual([1]);
    expect(w.nextDeadline(2_001)).toBe(2_030);
    expect(seqs(w.onAck(ack(3, [], 4, 3), 2_010))).toEqual([2, 3]);
    expect(w.nextDeadline(2_011)).toBeUndefined();
  });

  it('measures the RTT when a message arrives, not when the application takes it', () => {
    const w = filled(2);
    w.poll(0);
    w.onAck(ack(0, [], 4, 2), 40);
    expect(w.srtt).toBe(40);
    expect(seqs(w.onAck(ack(2, [], 4, 2), 5_000))).toEqual([1, 2]);
    expect(w.srtt).toBe(40);
  });

  it.each([
    ['held below cumulative', ack(2, [], 4, 1)],
    ['held beyond what was sent', ack(0, [], 4, 3)],
    ['held far beyond what was sent', ack(0, [], 4, 2 ** 40)],
  ])('ignores a sack with an impossible held (%s): the window stays whole', (_what, hostile) => {
    const w = new SendWindow<string>({ ...base, windowSize: 8 });
    for (let i = 1; i <= 5; i++) w.offer(`m${i}`);
    w.onAck(ack(0, [], 2), 0); // a window of two: 1 and 2 go
    expect(seqs(w.poll(1))).toEqual([1, 2]);
    expect(w.onAck(hostile, 2)).toEqual([]);
    expect(w.cumulative).toBe(0);
    // Nothing was taken as held: both are retransmitted on their RTO, and the stream goes on.
    expect(seqs(w.poll(1 + w.rto))).toEqual([1, 2]);
    expect(seqs(w.onAck(ack(2, [], 8), 300))).toEqual([1, 2]);
    expect(seqs(w.poll(301))).toEqual([3, 4, 5]);
  });

  it('after a resume resends what the receiver does not hold, never what it holds', () => {
    const w = filled(4);
    w.poll(0);
    w.onAck(ack(0, [[4, 4]], 4, 2), 5); // 1 and 2 held in order, 4 above a hole
    expect(seqs(w.resume(1, 4, 10))).toEqual([1]); // the resume says 1 was taken
    expect(seqs(w.poll(11))).toEqual([3]);
  });

  it('reset reports messages the receiver held but had not taken with the rest (it lost them)', () => {
    const w = filled(3);
    w.poll(0);
    expect(seqs(w.onAck(ack(1, [], 4, 3), 5))).toEqual([1]);
    expect(seqs(w.reset())).toEqual([2, 3]);
  });

  it('reset returns what was never acknowledged and numbers from 1 again', () => {
    const w = filled(3);
    w.poll(0);
    w.onAck(ack(1, [], 4), 5);
    expect(w.reset()).toEqual([
      { seq: 2, body: 'm2' },
      { seq: 3, body: 'm3' },
    ]);
    expect(w.size).toBe(0);
    expect(w.offer('x')).toBe(1);
  });

  it('refuses a window size below 1', () => {
    expect(() => new SendWindow({ windowSize: 0 })).toThrow(RangeError);
  });
});

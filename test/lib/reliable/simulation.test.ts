/**
 * Property: whatever a hostile network does to data and ack frames (loss, duplication,
 * reordering) and whatever pace the application reads at, every message reaches the
 * application exactly once and in order, the sender is never told a message was delivered
 * before the application took it, and both ends stay within their bounds.
 * A seeded scheduler drives sender, receiver, network and clock; no real time passes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReceiveWindow } from '../../../src/lib/reliable/receive-window.js';
import { SendWindow } from '../../../src/lib/reliable/send-window.js';
import type { SeqRange } from '../../../src/lib/wire/reliable-frames.js';
import { prng } from '../../helpers/prng.js';

type InFlight =
  | { to: 'receiver'; seq: number; body: number }
  | { to: 'sender'; cumulative: number; held: number; ranges: SeqRange[]; window: number };


interface Scenario {
  seed: number;
  messages: number;
  windowSize: number;
  capacity: number;
  loss: number;
  duplication: number;
  faultySteps: number;
}

interface Outcome {
  delivered: number[];
  /** Messages the sender was told were delivered before the application had taken them. */
  confirmedEarly: number;
  maxSenderSize: number;
  maxReceiverHeld: number;
  steps: number;
}

function simulate(s: Scenario): Outcome {
  const random = prng(s.seed);
  const pick = (n: number) => Math.floor(random() * n);
  const sender = new SendWindow<number>({ windowSize: s.windowSize, initialRtoMs: 20, minRtoMs: 5, maxRtoMs: 160 });
  const receiver = new ReceiveWindow<number>({ capacity: s.capacity });
  const net: InFlight[] = [];
  const delivered: number[] = [];
  let now = 0;
  let offered = 0;
  let maxSenderSize = 0;
  let maxReceiverHeld = 0;
  let confirmedEarly = 0;
  let steps = 0;

  const transmit = (f: InFlight) => {
    const faulty = steps < s.faultySteps;
    if (faulty && random() < s.loss) return;
    net.push(f);
    if (faulty && random() < s.duplication) net.push(f);
  };
  const sendAck = () => transmit({ to: 'sender', ...receiver.ack() });

  while (delivered.length < s.messages && steps < 200_000) {
    steps++;
    const action = random();
    if (action < 0.2) {
      while (offered < s.messages && sender.offer(offered) !== undefined) offered++;
    } else if (action < 0.35) {
      for (const out of sender.poll(now)) transmit({ to: 'receiver', ...out });
    } else if (action < 0.75) {
      if (net.length > 0) {
        const [f] = net.splice(pick(net.length), 1);
        if (f.to === 'receiver') {
          receiver.onData(f.seq, f.body);
          sendAck();
        } else {
          for (const { body } of sender.onAck(f, now)) if (!delivered.includes(body)) confirmedEarly++;
        }
      }
    } else if (action < 0.85) {
      const taken = receiver.read(1 + pick(4));
      receiver.confirm(taken.length);
      delivered.push(...taken);
      if (taken.length > 0) sendAck(); // the confirmation
    } else {
      now += 1 + pick(30);
    }
    maxSenderSize = Math.max(maxSenderSize, sender.size);
    maxReceiverHeld = Math.max(maxReceiverHeld, receiver.available + receiver.buffered);
  }
  return { delivered, confirmedEarly, maxSenderSize, maxReceiverHeld, steps };
}

const scenario = fc.record({
  seed: fc.integer(),
  messages: fc.integer({ min: 1, max: 150 }),
  windowSize: fc.integer({ min: 1, max: 32 }),
  capacity: fc.integer({ min: 1, max: 32 }),
  loss: fc.double({ min: 0, max: 0.5, noNaN: true }),
  duplication: fc.double({ min: 0, max: 0.5, noNaN: true }),
  faultySteps: fc.integer({ min: 0, max: 5_000 }),
});

describe('sender + receiver over a lossy, duplicating, reordering network', () => {
  it('delivers every message exactly once, in order, with bounded state', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const r = simulate(s);
        expect(r.delivered).toEqual(Array.from({ length: s.messages }, (_, i) => i));
        expect(r.confirmedEarly).toBe(0);
        expect(r.maxSenderSize).toBeLessThanOrEqual(s.windowSize);
        expect(r.maxReceiverHeld).toBeLessThanOrEqual(s.capacity);
      }),
      { numRuns: 200 },
    );
  });

  it('survives a network that loses most frames for a long time', () => {
    const r = simulate({ seed: 7, messages: 300, windowSize: 16, capacity: 8, loss: 0.8, duplication: 0.3, faultySteps: 50_000 });
    expect(r.delivered).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });
});

/**
 * ReliableLink over the in-memory network's real Link objects: random message loss (which
 * breaks the Link contract on purpose) and links cut under load, with reconnect + resume.
 * Real timers, short RTOs; the test waits on events, never on sleeps.
 */
import { describe, expect, it } from 'vitest';
import type { ReliableFrameInit } from '../../../src/lib/wire/reliable-frames.js';
import { ReliableLink, type FrameTransport } from '../../../src/lib/reliable/reliable-link.js';
import { MemoryNetwork } from '../../../src/lib/transport/memory.js';
import type { Link } from '../../../src/lib/transport/transport.js';
import type { Body } from '../../../src/lib/wire/frames.js';

const MAX = 1 << 20;

/** Frames as JSON on a Link: what a Channel will do once the lead merges the frame types. */
function overLink(link: Link, onClose: () => void): FrameTransport {
  return {
    send: (frame) => link.send(Buffer.from(JSON.stringify(frame))),
    onFrame(handler) {
      let on = true;
      link.attach({
        onMessage: (data) => on && handler(JSON.parse(data.toString()) as ReliableFrameInit),
        onClose,
      });
      return () => (on = false);
    },
  };
}

describe('ReliableLink over MemoryNetwork', () => {
  it('delivers 3000 messages exactly once, in order, through 10% loss and repeated cuts', async () => {
    const net = new MemoryNetwork();
    let seed = 9;
    net.random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    net.lossRate = 0.1;
    const options = { send: { initialRtoMs: 20, minRtoMs: 5, maxRtoMs: 80, windowSize: 64 }, receive: { capacity: 64 } };
    const alice = new ReliableLink(options);
    const bob = new ReliableLink(options);
    const listener = await net.transport('bob').listen({ host: 'bob', port: 0, maxMessageBytes: MAX }, (link) =>
      bob.resume(overLink(link, () => {})),
    );
    let reconnects = 0;
    let stopped = false;
    const connect = async (): Promise<void> => {
      const link = await net.transport('alice').connect(listener.address, { timeoutMs: 1000, maxMessageBytes: MAX });
      alice.resume(
        overLink(link, () => {
          if (stopped) return;
          reconnects++;
          void connect();
        }),
      );
    };
    await connect();

    const received: Body[] = [];
    const reading = (async () => {
      for await (const m of bob.messages()) {
        received.push(m);
        if (received.length === 3000) return;
      }
    })();
    for (let i = 0; i < 3000; i += 100) {
      const batch = Promise.all(Array.from({ length: 100 }, (_, k) => alice.send(i + k)));
      if (i % 500 === 0) net.cut(); // with the batch in flight
      await batch;
    }
    await reading;
    stopped = true;
    expect(received).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(reconnects).toBeGreaterThanOrEqual(5);
    expect(alice.unconfirmed).toBe(0);
    alice.close();
    bob.close();
    await listener.close();
  });
});

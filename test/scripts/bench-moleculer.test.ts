// A tiny run of the Moleculer peer of `npm run bench` (bench/moleculer.js): a real broker in a
// child process over the TCP transporter on loopback, UDP discovery off. Timing is never asserted.
import { describe, it, expect } from 'vitest';
// @ts-expect-error: a plain ES module of the benchmark, without types
import { benchMoleculer } from '../../bench/moleculer.js';
import { figures, runLoad } from '../../src/lib/bench/request-load.js';

describe('Moleculer request/reply peer', () => {
  it('answers every request at 8 and at 1 in flight', async () => {
    const results = (await benchMoleculer({ inFlights: [8, 1], bodyBytes: 100, count: 200, warmup: 20, cpu: null, runLoad, figures })) as {
      target: string;
      inFlight: number;
      messages: number;
      errors: number;
    }[];
    expect(results.map((r) => [r.target, r.inFlight, r.messages, r.errors])).toEqual([
      ['moleculer-tcp', 8, 200, 0],
      ['moleculer-tcp', 1, 200, 0],
    ]);
  });
});

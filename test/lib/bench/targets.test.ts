import { describe, it, expect } from 'vitest';
import { informationalRatios, judgeTargets, medianOf, roundSpreads, type SuiteFigures } from '../../../src/lib/bench/targets.js';

const verdict = (f: SuiteFigures, prefix: string) => judgeTargets(f).find((t) => t.target.startsWith(prefix))!;

describe('judgeTargets', () => {
  it.each([
    [{ directThroughput64: 70_000, rawThroughput64: 70_000 }, 'direct, 64', 'PASS', 1],
    [{ directThroughput64: 60_000, rawThroughput64: 80_000 }, 'direct, 64', 'MISS', 0.75],
    [{ directP50At1: 0.13, rawP50At1: 0.1 }, 'direct, 1', 'PASS', 1.3],
    [{ directP50At1: 0.2, rawP50At1: 0.1 }, 'direct, 1', 'MISS', 2],
    [{ relayThroughput64: 40, rawThroughput64: 80 }, 'relay', 'PASS', 0.5],
    [{ broadcastP50: 4, rawFanoutP50: 2 }, 'broadcast', 'MISS', 2],
    [{ rssPerComponentBytes: 16_500 }, 'server RSS', 'PASS', 16.5],
    [{ rssPerComponentBytes: 25_000 }, 'server RSS', 'MISS', 25],
    [{ sendOneShotMs: 240, nodeStartMs: 80 }, 'botz send', 'PASS', 3],
    [{ directThroughput64: 1 }, 'direct 64 in flight vs NATS', 'SKIP', null],
    [{ broadcastP50: 4, rawFanoutP50: 0 }, 'broadcast', 'SKIP', null],
  ] as const)('%j → %s %s', (f, prefix, expected, measured) => {
    const v = verdict(f, prefix);
    expect(v.verdict).toBe(expected);
    if (measured === null) expect(v.measured).toBeNull();
    else expect(v.measured).toBeCloseTo(measured, 9);
  });

  it.each([
    [{ body64kMBps: 150, rawJsonBody64kMBps: 300 }, '64 KiB bodies', 'PASS', 0.5],
    [{ body1mMBps: 59, rawJsonBody1mMBps: 200 }, '1 MiB bodies', 'MISS', 0.295],
    [{ body8mMBps: 134, rawBody8mMBps: 536 }, '8 MiB bodies', 'PASS', 0.25],
    [{ binary1mMBps: 300, rawBody1mMBps: 888 }, '1 MiB binary', 'MISS', 300 / 888],
    [{ largestDefaultBodyMiB: 1 }, 'largest body with default limits', 'MISS', 1],
    [{ largestDefaultBodyMiB: 16 }, 'largest body with default limits', 'PASS', 16],
    [{ directP99At64: 7.5, rawP99At64: 0.75 }, 'direct, 64 in flight: p99', 'MISS', 10],
    [{ directThroughput64: 88, rawJsonThroughput64: 100 }, 'direct, 64 in flight: throughput vs JSON', 'MISS', 0.88],
    [{ directP50At1: 0.115, rawJsonP50At1: 0.1 }, 'direct, 1 in flight: p50 vs JSON', 'PASS', 1.15],
    [{ directP99At1: 0.53, rawP99At1: 0.25 }, 'direct, 1 in flight: p99', 'MISS', 2.12],
    [{ broadcast1000P50: 25, rawFanout1000P50: 10 }, 'broadcast to 1,000', 'PASS', 2.5],
    [{ deliverDirect: 80, sendDirect: 100 }, 'deliver vs send, direct', 'PASS', 0.8],
    [{ deliverRelay: 53, sendRelay: 100 }, 'deliver vs send, relay', 'MISS', 0.53],
    [{ registrationsPerSec: 640 }, 'registrations per second', 'MISS', 640],
    [{ rssPerComponentBytes: 15_000, rssPerWsConnectionBytes: 9_000 }, 'server RSS per idle component vs bare ws', 'MISS', 15 / 9],
    [{ directThroughput64: 100, moleculerThroughput64: 60 }, 'direct 64 in flight vs Moleculer', 'PASS', 100 / 60],
  ] as const)('issue 14: %j → %s %s', (f, prefix, expected, measured) => {
    const v = verdict(f, prefix);
    expect(v).toMatchObject({ issue: 14, verdict: expected });
    expect(v.measured).toBeCloseTo(measured, 9);
  });

  it('skips every target when nothing was measured', () => {
    expect(judgeTargets({}).every((t) => t.verdict === 'SKIP')).toBe(true);
  });

  it('reports the ratio to the coalescing echo without a verdict', () => {
    expect(informationalRatios({ directThroughput64: 50, rawCoalescedThroughput64: 200 })[0].ratio).toBe(0.25);
  });

  it('reports registrations against bare ws connections opened by the same harness', () => {
    const ratios = informationalRatios({ registrationsPerSec: 400, wsConnectionsPerSec: 1000, serverCpuUsPerRegistration: 900, serverCpuUsPerWsConnection: 300 });
    expect(ratios.find((i) => i.name.startsWith('registrations/s'))?.ratio).toBeCloseTo(0.4, 9);
    expect(ratios.find((i) => i.name.startsWith('server CPU per registration'))?.ratio).toBeCloseTo(3, 9);
  });

  it('reports how much of the 1-in-flight latency JSON framing alone costs', () => {
    const ratios = informationalRatios({ directP50At1: 0.1, rawP50At1: 0.04, rawJsonP50At1: 0.06 });
    expect(ratios.find((i) => i.name.startsWith('ws echo with JSON'))?.ratio).toBeCloseTo(1.5, 9);
    expect(ratios.find((i) => i.name.startsWith('direct, 1 in flight'))?.ratio).toBeCloseTo(0.1 / 0.06, 9);
  });

  it('judges on the median of the rounds and reports their spread', () => {
    const rounds: SuiteFigures[] = [
      { directThroughput64: 50_000, rawThroughput64: 100_000 }, // 0.5: one bad round
      { directThroughput64: 90_000, rawThroughput64: 80_000 }, // 1.125
      { directThroughput64: 70_000, rawThroughput64: 70_000 }, // 1.0
    ];
    const v = judgeTargets(rounds).find((t) => t.target.startsWith('direct, 64'))!;
    expect(v.verdict).toBe('PASS');
    expect(v.measured).toBe(1);
    expect(v.range).toEqual([0.5, 1.125]);
    expect(v.rounds).toBe(3);
    // A ceiling target: two rounds over the limit out of three decide a MISS.
    const latency = judgeTargets([{ directP50At1: 0.12, rawP50At1: 0.1 }, { directP50At1: 0.2, rawP50At1: 0.1 }, { directP50At1: 0.3, rawP50At1: 0.1 }]);
    expect(latency.find((t) => t.target.startsWith('direct, 1'))).toMatchObject({ verdict: 'MISS', measured: 2, rounds: 3 });
    expect(informationalRatios([{ directThroughput64: 1, rawCoalescedThroughput64: 4 }, { directThroughput64: 3, rawCoalescedThroughput64: 4 }])[0].ratio).toBe(0.5);
  });

  it('takes the middle value, or the mean of the two middle values', () => {
    expect(medianOf([])).toBeNull();
    expect(medianOf([3, 1, 2])).toBe(2);
    expect(medianOf([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('roundSpreads', () => {
  it('reports each per-round figure with its median, range and highest over lowest', () => {
    const spreads = roundSpreads([{ directThroughput64: 47_000, rawThroughput64: 150_000 }, { directThroughput64: 110_000, rawThroughput64: 190_000 }, { directThroughput64: 90_000 }]);
    expect(spreads.find((x) => x.name.startsWith('direct, 64 in flight, msgs/s'))).toEqual({ name: 'direct, 64 in flight, msgs/s', median: 90_000, range: [47_000, 110_000], swing: 110_000 / 47_000 });
    expect(spreads.find((x) => x.name.startsWith('plain ws echo, 64 in flight, msgs/s'))).toMatchObject({ median: 170_000, range: [150_000, 190_000] });
    expect(spreads.find((x) => x.name.startsWith('deliver'))).toMatchObject({ median: null, range: null, swing: null });
  });
});

import { describe, it, expect } from 'vitest';
import { informationalRatios, judgeTargets, type SuiteFigures } from '../../../src/lib/bench/targets.js';

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

  it('skips every target when nothing was measured', () => {
    expect(judgeTargets({}).every((t) => t.verdict === 'SKIP')).toBe(true);
  });

  it('reports the ratio to the coalescing echo without a verdict', () => {
    expect(informationalRatios({ directThroughput64: 50, rawCoalescedThroughput64: 200 })[0].ratio).toBe(0.25);
  });
});

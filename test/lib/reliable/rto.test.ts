import { describe, expect, it } from 'vitest';
import { addRttSample, backOff, initialRtt, resetBackoff, type RtoOptions, type RttState } from '../../../src/lib/reliable/rto.js';

const opts: RtoOptions = { initialRtoMs: 1000, minRtoMs: 50, maxRtoMs: 8000 };

describe('RTO (RFC 6298)', () => {
  it.each([
    // samples, expected srtt, rttvar, rto
    [[100], 100, 50, 300],
    [[100, 100], 100, 37.5, 250],
    [[100, 200], 112.5, 62.5, 362.5],
    [[1], 1, 0.5, 50], // clamped to the floor
    [[5000], 5000, 2500, 8000], // clamped to the cap
  ])('samples %j give srtt %d, rttvar %d, rto %d', (samples, srtt, rttvar, rto) => {
    let s = initialRtt(opts);
    for (const r of samples) s = addRttSample(s, r, opts);
    expect(s).toEqual({ srtt, rttvar, rto });
  });

  it.each([
    [1000, 1, 2000],
    [1000, 3, 8000],
    [1000, 10, 8000],
  ])('rto %d backed off %d times is %d (capped)', (start, times, expected) => {
    let s: RttState = { srtt: undefined, rttvar: 0, rto: start };
    for (let i = 0; i < times; i++) s = backOff(s, opts);
    expect(s.rto).toBe(expected);
  });

  it('starts at the initial RTO and a fresh sample undoes backoff', () => {
    let s = initialRtt(opts);
    expect(s.rto).toBe(1000);
    s = addRttSample(s, 100, opts);
    s = backOff(backOff(s, opts), opts);
    expect(s.rto).toBe(1200);
    expect(resetBackoff(s, opts).rto).toBe(300);
    expect(addRttSample(s, 100, opts).rto).toBe(250);
  });
});

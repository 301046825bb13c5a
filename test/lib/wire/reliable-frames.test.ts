import { describe, expect, it } from 'vitest';
import type { FrameType } from '../../../src/lib/wire/frames.js';
import { FRAME_FIELDS } from '../../../src/lib/wire/validate.js';

/** The reliable frames' rows of the one field table (validate.ts). */
function valid(frame: Record<string, unknown>): boolean {
  const fields = FRAME_FIELDS[frame.type as FrameType];
  return Object.entries(fields).every(([key, check]) => check(frame[key]));
}

const data = { type: 'data', session: 's', peer: 'p', seq: 1, body: { k: 'v' } };
const sack = { type: 'sack', session: 's', peer: 'p', cumulative: 0, held: 0, ranges: [[2, 3]], window: 8 };
const resume = { type: 'resume', session: 's', epoch: 1, peer: null, received: 0, window: 8, reply: false };

describe('the reliable frames in FRAME_FIELDS', () => {
  it.each([
    ['data', data, true],
    ['data, seq 0', { ...data, seq: 0 }, false],
    ['data, seq 1.5', { ...data, seq: 1.5 }, false],
    ['data, empty session', { ...data, session: '' }, false],
    ['data, no body is fine (null travels)', { ...data, body: null }, true],
    ['sack', sack, true],
    ['sack, inverted range', { ...sack, ranges: [[3, 2]] }, false],
    ['sack, too many ranges', { ...sack, ranges: Array.from({ length: 9 }, (_, i) => [i * 2 + 2, i * 2 + 2]) }, false],
    ['sack, negative window', { ...sack, window: -1 }, false],
    ['sack, held beyond cumulative', { ...sack, cumulative: 3, held: 7 }, true],
    ['sack, held missing', { ...sack, held: undefined }, false],
    ['sack, negative held', { ...sack, held: -1 }, false],
    ['sack, fractional held', { ...sack, held: 1.5 }, false],
    ['sack, held as a string', { ...sack, held: '3' }, false],
    ['resume', resume, true],
    ['resume, known peer', { ...resume, peer: 'p' }, true],
    ['resume, reply missing', { ...resume, reply: undefined }, false],
  ])('%s → %s', (_name, frame, ok) => {
    expect(valid(frame)).toBe(ok);
  });

  it('data carries optional headers: a string map', () => {
    expect(valid({ ...data, headers: { 'trace-id': 'abc' } })).toBe(true);
    expect(valid({ ...data, headers: { n: 1 } })).toBe(false);
  });
});

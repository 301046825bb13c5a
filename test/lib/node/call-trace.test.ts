import { describe, expect, it } from 'vitest';
import { answeredCall, failedCall, jsonSize, type TracedCall } from '../../../src/lib/node/call-trace.js';
import type { Frame } from '../../../src/lib/wire/frames.js';

const call = (bodies: boolean): TracedCall => ({
  self: 'alice',
  target: 'echo',
  init: { type: 'request', body: { a: '1' } },
  path: 'direct',
  startedAt: 1000,
  bodies,
});
const reply = { v: 1, type: 'response', id: 'e.7', from: 'echo', re: 'a.3', body: { a: '1' } } as Frame;

describe('call traces for tail', () => {
  it('report the frame sent and its answer, with the latency on the answer', () => {
    expect(answeredCall(call(false), reply, 1004)).toEqual([
      { from: 'alice', to: 'echo', kind: 'request', id: 'a.3', size: jsonSize(call(false).init), path: 'direct' },
      { from: 'echo', to: 'alice', kind: 'response', id: 'e.7', re: 'a.3', size: jsonSize(reply), path: 'direct', latencyMs: 4 },
    ]);
  });

  it.each([
    [true, { a: '1' }],
    [false, undefined],
  ])('carry bodies only when a tail asked (%s)', (bodies, expected) => {
    const [sent, answer] = answeredCall(call(bodies), reply, 1001);
    expect(sent.body).toEqual(expected);
    expect(answer.body).toEqual(expected);
  });

  it('report a call without an answer as an error with the time it waited', () => {
    expect(failedCall(call(true), 1250)).toEqual({ from: 'alice', to: 'echo', kind: 'error', id: '-', size: jsonSize(call(true).init), path: 'direct', latencyMs: 250 });
  });
});

/**
 * The one dispatch runs the handler and answers with how it settled, whatever the handler is:
 * a plain value is answered at once (no promise, no turn), a promise when it settles, a throw
 * or a rejection as REMOTE_ERROR (even of undefined); the handler's slot is free again after
 * each, and a refusal runs nothing.
 */
import { describe, expect, it } from 'vitest';
import { BotzError, ErrorCode } from '../../../src/lib/errors.js';
import { PendingRequests } from '../../../src/lib/channel/pending.js';
import { HandlerLimit } from '../../../src/lib/node/handler-limit.js';
import { Inbound, type Answer, type MessageHandler } from '../../../src/lib/node/inbound.js';
import { reply, type Arrival } from '../../../src/lib/node/message.js';
import type { Frame, FrameInit } from '../../../src/lib/wire/frames.js';

function inbound(handler: MessageHandler | undefined, limits = { perPeer: 1, total: 1 }) {
  const answers: FrameInit[] = [];
  const limit = new HandlerLimit('me', limits);
  const node = new Inbound({
    name: 'me',
    calls: new PendingRequests<Answer>(),
    handler,
    noHandler: () => new BotzError(ErrorCode.REMOTE_ERROR, 'no handler'),
    broadcasts: true,
    limit,
    answer: (_frame, _arrival, init) => void answers.push(init),
    takers: [],
    shutdown: () => {},
  });
  return { node, answers, limit };
}

const arrival: Arrival = { path: 'direct', encrypted: false };
const request = (id: string, body: unknown = null) => ({ v: 1, type: 'request', id, from: 'peer', body }) as Frame;

describe('Inbound: how a handler settles is how it is answered', () => {
  it.each<[string, MessageHandler, FrameInit]>([
    ['a plain value', (m) => m.body, { type: 'response', re: 'r1', body: { x: 1 } }],
    ['undefined', () => undefined, { type: 'response', re: 'r1', body: null }],
    ['a Reply with headers', () => reply('ok', { headers: { k: 'v' } }), { type: 'response', re: 'r1', body: 'ok', headers: { k: 'v' } }],
    [
      'a throw',
      () => {
        throw new Error('boom');
      },
      { type: 'error', re: 'r1', code: 'REMOTE_ERROR', message: 'boom' },
    ],
  ])('%s: answered in the same turn, the slot free again', (_what, handler, expected) => {
    const { node, answers, limit } = inbound(handler);
    node.receive(request('r1', { x: 1 }), arrival);
    expect(answers).toEqual([expected]);
    expect(limit.running).toBe(0);
  });

  it.each<[string, MessageHandler, Partial<FrameInit>]>([
    ['a promise', async (m) => m.body, { type: 'response', body: { x: 1 } }],
    ['a rejection', () => Promise.reject(new Error('late boom')), { type: 'error', code: 'REMOTE_ERROR', message: 'late boom' }],
    ['a rejection with undefined', () => Promise.reject(undefined), { type: 'error', code: 'REMOTE_ERROR' }],
    [
      'a throw of undefined',
      () => {
        throw undefined;
      },
      { type: 'error', code: 'REMOTE_ERROR' },
    ],
  ])('%s: answered once it settles, the slot held until then', async (_what, handler, expected) => {
    const { node, answers, limit } = inbound(handler);
    node.receive(request('r1', { x: 1 }), arrival);
    await new Promise((r) => setImmediate(r));
    expect(answers).toEqual([expect.objectContaining({ re: 'r1', ...expected })]);
    expect(limit.running).toBe(0);
  });

  it('a request past the limit is refused without running, while the first still runs', async () => {
    let ran = 0;
    let finish!: () => void;
    const { node, answers, limit } = inbound(() => {
      ran++;
      return new Promise<void>((r) => (finish = r));
    });
    node.receive(request('r1'), arrival);
    node.receive(request('r2'), arrival);
    expect(ran).toBe(1);
    expect(answers).toEqual([expect.objectContaining({ type: 'error', re: 'r2', code: 'TOO_MANY_PENDING' })]);
    finish();
    await new Promise((r) => setImmediate(r));
    expect(answers[1]).toEqual({ type: 'response', re: 'r1', body: null });
    expect(limit.running).toBe(0);
  });
});

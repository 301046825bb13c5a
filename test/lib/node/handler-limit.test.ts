import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/lib/errors.js';
import { HandlerLimit } from '../../../src/lib/node/handler-limit.js';

describe('HandlerLimit', () => {
  it.each([
    // peers of the calls in order, limits, which are refused
    [['a', 'a', 'a'], { perPeer: 2, total: 10 }, [false, false, true]],
    [['a', 'b', 'c'], { perPeer: 2, total: 2 }, [false, false, true]],
    [['a', 'a', 'b', 'b'], { perPeer: 2, total: 3 }, [false, false, false, true]],
  ])('%j with %j: refused %j', (peers, limits, refused) => {
    const limit = new HandlerLimit('me', limits);
    const outcome = peers.map((peer) => {
      try {
        limit.take(peer);
        return false;
      } catch (error) {
        expect(error).toMatchObject({ code: ErrorCode.TOO_MANY_PENDING });
        return true;
      }
    });
    expect(outcome).toEqual(refused);
    expect(limit.refused).toBe(refused.filter(Boolean).length);
  });

  it('a released slot is free again, per peer and in all', () => {
    const limit = new HandlerLimit('me', { perPeer: 1, total: 2 });
    limit.take('a');
    expect(() => limit.take('a')).toThrow(expect.objectContaining({ code: ErrorCode.TOO_MANY_PENDING }) as Error);
    limit.take('b');
    expect(() => limit.take('c')).toThrow(expect.objectContaining({ code: ErrorCode.TOO_MANY_PENDING }) as Error);
    limit.release('a');
    limit.take('c');
    limit.release('b');
    limit.release('c');
    expect(limit.running).toBe(0);
    limit.take('a');
    expect(limit.running).toBe(1);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a limit of %s', (n) => {
    expect(() => new HandlerLimit('me', { perPeer: n })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }) as Error);
  });
});

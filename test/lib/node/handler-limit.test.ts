import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/lib/errors.js';
import { HandlerLimit } from '../../../src/lib/node/handler-limit.js';

/** A call that stays running until `finish` is called. */
function held(): { call: () => Promise<void>; finish: () => void } {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { call: () => done, finish };
}

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
        void limit.run(peer, held().call);
        return false;
      } catch (error) {
        expect(error).toMatchObject({ code: ErrorCode.TOO_MANY_PENDING });
        return true;
      }
    });
    expect(outcome).toEqual(refused);
    expect(limit.refused).toBe(refused.filter(Boolean).length);
  });

  it('frees the slot when the call settles, whether it resolves, rejects or throws', async () => {
    const limit = new HandlerLimit('me', { perPeer: 1 });
    const first = held();
    const running = limit.run('a', first.call);
    expect(() => limit.run('a', () => 1)).toThrow(expect.objectContaining({ code: ErrorCode.TOO_MANY_PENDING }) as Error);
    first.finish();
    await running;
    await expect(limit.run('a', () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    await expect(
      limit.run('a', () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(await limit.run('a', () => 42)).toBe(42);
    expect(limit.running).toBe(0);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a limit of %s', (n) => {
    expect(() => new HandlerLimit('me', { perPeer: n })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }) as Error);
  });
});

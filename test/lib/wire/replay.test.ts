import { describe, expect, it } from 'vitest';
import { BotzError, ErrorCode } from '../../../src/lib/errors.js';
import { DEFAULT_REPLAY_WINDOW_MS, DEFAULT_START_SKEW_MS, ReplayGuard } from '../../../src/lib/wire/replay.js';

const T0 = 1_000_000_000;

function clockedGuard(options: { windowMs?: number; startSkewMs?: number } = {}) {
  const clock = { now: T0 };
  const guard = new ReplayGuard({ ...options, now: () => clock.now });
  return { clock, guard };
}

/** Feeds counters (all stamped "now") to a fresh guard; returns "ok" or the code of each. */
function run(counters: number[]): string[] {
  const { guard } = clockedGuard();
  return counters.map((c) => {
    try {
      guard.check('aaaaaaaaaaaaaaaa', c, T0);
      return 'ok';
    } catch (error) {
      return (error as BotzError).code;
    }
  });
}

describe('ReplayGuard counters', () => {
  it.each([
    ['in order', [1, 2, 3, 4], ['ok', 'ok', 'ok', 'ok']],
    ['a gap is fine', [1, 5, 9], ['ok', 'ok', 'ok']],
    ['reorder within 32', [1, 10, 3, 2, 9, 4], ['ok', 'ok', 'ok', 'ok', 'ok', 'ok']],
    ['duplicate of the highest', [1, 2, 2], ['ok', 'ok', 'REPLAY']],
    ['duplicate of a late one', [1, 10, 5, 5], ['ok', 'ok', 'ok', 'REPLAY']],
    ['duplicate of the first', [7, 8, 7], ['ok', 'ok', 'REPLAY']],
    ['31 below the highest is remembered', [40, 9], ['ok', 'ok']],
    ['32 below the highest is too old', [40, 8], ['ok', 'REPLAY']],
    ['a jump of 32 or more forgets the bitmap', [1, 2, 100, 2, 69, 68], ['ok', 'ok', 'ok', 'REPLAY', 'ok', 'REPLAY']],
    ['counters beyond 2^32', [2 ** 40, 2 ** 40 + 1, 2 ** 40], ['ok', 'ok', 'REPLAY']],
  ])('%s', (_, counters, expected) => {
    expect(run(counters)).toEqual(expected);
  });

  it('instances are independent', () => {
    const { guard } = clockedGuard();
    guard.check('aaaaaaaaaaaaaaaa', 1, T0);
    expect(() => guard.check('bbbbbbbbbbbbbbbb', 1, T0)).not.toThrow();
    expect(guard.size).toBe(2);
  });

  it('a refused packet does not consume its counter', () => {
    const { guard } = clockedGuard();
    expect(() => guard.check('aaaaaaaaaaaaaaaa', 1, T0 + DEFAULT_REPLAY_WINDOW_MS + 1)).toThrow(BotzError);
    expect(() => guard.check('aaaaaaaaaaaaaaaa', 1, T0)).not.toThrow();
  });
});

describe('ReplayGuard timestamps', () => {
  const W = DEFAULT_REPLAY_WINDOW_MS;
  it.each([
    ['now', 0, 0, 'ok'],
    ['exactly a window old (receiver up long enough)', W + 5_000, -W, 'ok'],
    ['one ms older than the window', W + 5_000, -W - 1, ErrorCode.STALE_TIMESTAMP],
    ['exactly a window in the future', 0, W, 'ok'],
    ['one ms beyond the window in the future', 0, W + 1, ErrorCode.STALE_TIMESTAMP],
    ['sealed before the receiver started, within the start skew', 0, -DEFAULT_START_SKEW_MS, 'ok'],
    ['sealed before the receiver started, beyond the start skew', 0, -DEFAULT_START_SKEW_MS - 1, ErrorCode.STALE_TIMESTAMP],
    ['start floor still holds later on', 10_000, -10_000 - DEFAULT_START_SKEW_MS - 1, ErrorCode.STALE_TIMESTAMP],
  ])('%s', (_, elapsed, offset, expected) => {
    const { clock, guard } = clockedGuard();
    clock.now = T0 + elapsed;
    let outcome = 'ok';
    try {
      guard.check('aaaaaaaaaaaaaaaa', 1, clock.now + offset);
    } catch (error) {
      outcome = (error as BotzError).code;
    }
    expect(outcome).toBe(expected);
  });

  it('honours a configured window and skew', () => {
    const { clock, guard } = clockedGuard({ windowMs: 1_000, startSkewMs: 0 });
    expect(() => guard.check('a', 1, T0 - 1)).toThrow(expect.objectContaining({ code: ErrorCode.STALE_TIMESTAMP }));
    clock.now = T0 + 5_000;
    expect(() => guard.check('a', 2, T0 + 3_999)).toThrow(expect.objectContaining({ code: ErrorCode.STALE_TIMESTAMP }));
    expect(() => guard.check('a', 3, T0 + 4_000)).not.toThrow();
  });
});

describe('ReplayGuard memory', () => {
  it('forgets instances idle for longer than the window', () => {
    const { clock, guard } = clockedGuard();
    for (let i = 0; i < 100; i++) guard.check(`idle-${i}`, 1, T0);
    expect(guard.size).toBe(100);
    clock.now = T0 + DEFAULT_REPLAY_WINDOW_MS / 2;
    guard.check('busy', 1, clock.now);
    expect(guard.size).toBe(101);
    clock.now = T0 + DEFAULT_REPLAY_WINDOW_MS + 1;
    guard.check('busy', 2, clock.now);
    expect(guard.size).toBe(1);
  });

  it('a swept instance cannot be replayed: its timestamps are stale by then', () => {
    const { clock, guard } = clockedGuard();
    guard.check('gone', 1, T0);
    clock.now = T0 + DEFAULT_REPLAY_WINDOW_MS + 1;
    guard.check('other', 1, clock.now);
    expect(guard.size).toBe(1);
    expect(() => guard.check('gone', 1, T0)).toThrow(expect.objectContaining({ code: ErrorCode.STALE_TIMESTAMP }));
  });

  it('a sender whose clock runs ahead is remembered as long as its packets stay fresh', () => {
    const { clock, guard } = clockedGuard();
    const ahead = 20_000; // within the window, so its packets are accepted
    guard.check('fast-clock', 1, T0 + ahead);
    clock.now = T0 + DEFAULT_REPLAY_WINDOW_MS + 1; // past our window, not past its stamp's
    guard.check('other', 1, clock.now); // sweeps
    expect(() => guard.check('fast-clock', 1, T0 + ahead)).toThrow(expect.objectContaining({ code: ErrorCode.REPLAY }));
    clock.now = T0 + 2 * DEFAULT_REPLAY_WINDOW_MS + 2; // the next sweep, its stamp stale by then
    guard.check('other', 2, clock.now);
    expect(guard.size).toBe(1); // forgotten once its newest stamp is stale
    expect(() => guard.check('fast-clock', 1, T0 + ahead)).toThrow(expect.objectContaining({ code: ErrorCode.STALE_TIMESTAMP }));
  });
});

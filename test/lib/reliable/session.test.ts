import { describe, expect, it } from 'vitest';
import { Session, newSessionId } from '../../../src/lib/reliable/session.js';

const resume = (session: string, epoch: number, peer: string | null, received = 0) => ({
  session,
  epoch,
  peer,
  received,
  window: 16,
});

describe('Session', () => {
  it('makes distinct random ids', () => {
    const ids = new Set(Array.from({ length: 100 }, () => newSessionId()));
    expect(ids.size).toBe(100);
  });

  it('begins each path with a new epoch and a resume naming the known peer', () => {
    const s = new Session('a1');
    expect(s.begin(0, 16)).toEqual({ type: 'resume', session: 'a1', epoch: 1, peer: null, received: 0, window: 16, reply: false });
    s.onResume(resume('b1', 1, 'a1'));
    expect(s.heard).toBe(true);
    expect(s.begin(7, 9)).toMatchObject({ epoch: 2, peer: 'b1', received: 7, window: 9 });
    expect(s.heard).toBe(false);
  });

  it.each([
    // what we knew, the resume, outcome
    ['nothing', undefined, resume('b1', 1, null), { kind: 'first', peer: 'b1', received: 0 }],
    ['b1', 'b1', resume('b1', 2, 'a1', 12), { kind: 'same', peer: 'b1', received: 12, newPath: true }],
    ['b1, answering on a known path', 'b1', resume('b1', 1, 'a1', 5), { kind: 'same', peer: 'b1', received: 5, newPath: false }],
    ['b1, who speaks of an old us', 'b1', resume('b1', 2, 'a0', 12), { kind: 'same', peer: 'b1', received: 0 }],
    ['b1, new session', 'b1', resume('b2', 1, null), { kind: 'restarted', previous: 'b1', peer: 'b2', received: 0 }],
  ])('knowing %s', (_what, known, frame, outcome) => {
    const s = new Session('a1');
    if (known) s.onResume(resume(known, 1, null));
    expect(s.onResume(frame)).toMatchObject(outcome);
    expect(s.peer).toBe(frame.session);
  });

  it('ignores an older epoch of the current peer and late frames of a peer session left behind', () => {
    const s = new Session('a1');
    s.onResume(resume('b1', 3, null));
    expect(s.onResume(resume('b1', 2, 'a1', 5))).toEqual({ kind: 'stale' });
    s.onResume(resume('b2', 1, null));
    expect(s.onResume(resume('b1', 4, 'a1', 5))).toEqual({ kind: 'stale' });
    expect(s.peer).toBe('b2');
  });

  it('accepts data and sacks only for the current pair of sessions', () => {
    const s = new Session('a1');
    expect(s.accepts({ session: 'b1', peer: 'a1' })).toBe(false);
    s.onResume(resume('b1', 1, null));
    expect(s.accepts({ session: 'b1', peer: 'a1' })).toBe(true);
    expect(s.accepts({ session: 'b1', peer: 'a0' })).toBe(false);
    expect(s.accepts({ session: 'b0', peer: 'a1' })).toBe(false);
  });
});

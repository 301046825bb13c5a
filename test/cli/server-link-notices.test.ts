import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { followServerLink, isLinkLost, linkChangeLine, linkChangeRecord, type LinkChange } from '../../src/cli/server-link-notices.js';

describe('followServerLink', () => {
  it('reports one loss per outage and the return with how long it was down, until stopped', () => {
    const events = new EventEmitter();
    let now = 1_000;
    const seen: LinkChange[] = [];
    const stop = followServerLink(events, '127.0.0.1:7300', (c) => seen.push(c), () => now);
    events.emit('disconnected', { message: 'link to $server closed: server stopping' });
    now = 2_000;
    events.emit('disconnected', { message: 'connect ECONNREFUSED' });
    now = 9_100;
    events.emit('reconnected');
    expect(seen).toEqual([
      { state: 'lost', server: '127.0.0.1:7300', at: 1_000, reason: 'link to the server closed: server stopping' },
      { state: 'back', server: '127.0.0.1:7300', at: 9_100, downMs: 8_100 },
    ]);
    expect(linkChangeLine(seen[0])).toBe('lost the botz server at 127.0.0.1:7300 (link to the server closed: server stopping); reconnecting…');
    expect(linkChangeLine(seen[1])).toBe('back on the botz server at 127.0.0.1:7300 after 8.1s');
    expect(linkChangeRecord(seen[1])).toEqual({ type: 'reconnected', server: '127.0.0.1:7300', at: 9_100, downMs: 8_100 });
    stop();
    events.emit('disconnected', { message: 'again' });
    expect(seen).toHaveLength(2);
  });

  it('knows the errors of a dropped link', () => {
    expect(isLinkLost({ code: 'CLOSED' })).toBe(true);
    expect(isLinkLost({ code: 'NO_SUCH_COMPONENT' })).toBe(false);
    expect(isLinkLost(undefined)).toBe(false);
  });
});

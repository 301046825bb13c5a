import { describe, expect, it } from 'vitest';
import { formatClock, rejectedLine } from '../../src/cli/event-lines.js';

describe('rejectedLine', () => {
  const at = new Date(2024, 0, 2, 12, 3, 4, 567).getTime();
  it.each<[Parameters<typeof rejectedLine>, string]>([
    [['BAD_MAC', '127.0.0.1:4100', at], '12:03:04.567  rejected BAD_MAC from 127.0.0.1:4100'],
    [['NAME_TAKEN', '127.0.0.1:4100', at, 'echo'], '12:03:04.567  rejected NAME_TAKEN from 127.0.0.1:4100 (claims to be echo)'],
    [['TOO_MANY_CONNECTIONS', '127.0.0.1', at, undefined, 352], '12:03:04.567  rejected TOO_MANY_CONNECTIONS from 127.0.0.1: 352 times in the last second'],
    [['HANDSHAKE_TIMEOUT', '2001:db8:0:0::/64', at, undefined, 1], '12:03:04.567  rejected HANDSHAKE_TIMEOUT from 2001:db8:0:0::/64: once in the last second'],
  ])('%j', (args, line) => {
    expect(formatClock(at)).toBe('12:03:04.567');
    expect(rejectedLine(...args)).toBe(line);
  });
});

import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/lib/errors.js';
import {
  defaultConnectionLimits,
  FALLBACK_FD_LIMIT,
  openFileLimit,
  parseOpenFileLimit,
  resolveConnectionLimits,
} from '../../../src/lib/transport/connection-limits.js';

describe('defaultConnectionLimits', () => {
  it.each([
    // fd limit, total, unauthenticated, per source
    [64, 32, 16, 8],
    [200, 136, 68, 34],
    [256, 192, 96, 48],
    [1024, 768, 384, 192],
    [20_000, 15_000, 1_024, 512],
    [1_048_576, 65_536, 1_024, 512],
  ])('with %i open files: %i connections, %i unauthenticated, %i per source', (fds, total, unauthenticated, perSource) => {
    const limits = defaultConnectionLimits(fds);
    expect([limits.maxConnections, limits.maxUnauthenticated, limits.maxUnauthenticatedPerSource]).toEqual([total, unauthenticated, perSource]);
    expect(limits.maxConnections).toBeLessThan(fds);
    expect(limits).toMatchObject({ handshakeTimeoutMs: 5_000, maxUnauthenticatedMessageBytes: 64 * 1024 });
  });
});

describe('resolveConnectionLimits', () => {
  it('derives the unauthenticated caps from a given total', () => {
    expect(resolveConnectionLimits({ maxConnections: 40 }, 1024)).toMatchObject({ maxConnections: 40, maxUnauthenticated: 20, maxUnauthenticatedPerSource: 10 });
  });

  it('keeps what it is given and fills in the rest', () => {
    expect(resolveConnectionLimits({ maxUnauthenticatedPerSource: 3, handshakeTimeoutMs: 100 }, 256)).toEqual({
      maxConnections: 192,
      maxUnauthenticated: 96,
      maxUnauthenticatedPerSource: 3,
      handshakeTimeoutMs: 100,
      maxUnauthenticatedMessageBytes: 64 * 1024,
    });
  });

  it.each([[{ maxConnections: 0 }], [{ maxUnauthenticated: -1 }], [{ handshakeTimeoutMs: 1.5 }], [{ maxUnauthenticatedMessageBytes: Number.NaN }]])(
    'refuses %j with INVALID_ARGUMENT',
    (limits) => {
      expect(() => resolveConnectionLimits(limits, 1024)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    },
  );
});

describe('parseOpenFileLimit', () => {
  const proc = (soft: string) =>
    'Limit                     Soft Limit           Hard Limit           Units     \n' +
    'Max cpu time              unlimited            unlimited            seconds   \n' +
    `Max open files            ${soft.padEnd(20)} 1048576              files     \n`;
  it.each([
    [proc('256'), 256],
    [proc('1048576'), 1_048_576],
    [proc('unlimited'), Number.MAX_SAFE_INTEGER],
    [proc('lots'), FALLBACK_FD_LIMIT],
    ['', FALLBACK_FD_LIMIT],
  ])('%#: %i', (text, limit) => {
    expect(parseOpenFileLimit(text)).toBe(limit);
  });

  it('reads this process\'s limit (on Linux, the soft limit of /proc/self/limits)', () => {
    expect(openFileLimit()).toBeGreaterThan(0);
  });
});

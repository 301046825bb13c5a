import { describe, expect, it } from 'vitest';
import { broadcastExit, broadcastLines } from '../../src/cli/verbs/broadcast.js';
import { shutdownLine } from '../../src/cli/verbs/shutdown.js';

const failure = { name: 'c', error: { code: 'TIMEOUT', message: 'no answer' } };

describe('broadcast result lines and exit code', () => {
  it('succeeds when everyone addressed took it or ignores broadcasts', () => {
    const r = { delivered: ['b', 'a'], ignored: ['z'], failed: [] };
    expect(broadcastLines(r)).toEqual(['delivered (2): a, b', 'ignored   (1): z']);
    expect(broadcastExit(r)).toBe(0);
  });

  it('fails with 1 when someone failed, and says who and why', () => {
    const r = { delivered: ['a'], ignored: [], failed: [failure] };
    expect(broadcastLines(r)).toEqual(['delivered (1): a', 'failed    c: TIMEOUT no answer']);
    expect(broadcastExit(r)).toBe(1);
  });

  it('fails with 3 when nobody was there to get it', () => {
    const r = { delivered: [], ignored: [], failed: [] };
    expect(broadcastLines(r, 'workers')).toEqual(['delivered (0): - (no ready component in group "workers")']);
    expect(broadcastLines(r)).toEqual(['delivered (0): - (no ready component)']);
    expect(broadcastExit(r)).toBe(3);
  });
});

describe('shutdown answer line', () => {
  it.each([
    [true, 'echo: ready, shutting down'],
    [false, 'echo: not ready, refused to shut down'],
  ])('ready %s', (ready, line) => {
    expect(shutdownLine('echo', ready)).toBe(line);
  });
});

import { describe, it, expect } from 'vitest';
import { figures, runLoad } from '../../../src/lib/bench/request-load.js';
import { benchBody, benchBytes } from '../../../src/lib/bench/body.js';

/** A clock that only moves when told to. */
function fakeClock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('runLoad', () => {
  it('accounts for every call: started = ok + errors, with failures by code', async () => {
    const result = await runLoad({
      inFlight: 7,
      count: 100,
      call: async (seq) => {
        if (seq % 10 === 3) throw Object.assign(new Error('x'), { code: 'TIMEOUT' });
        if (seq % 25 === 0) throw new Error('no code');
      },
    });
    expect(result.started).toBe(100);
    expect(result.ok + result.errors).toBe(100);
    expect(result.errorCodes).toEqual({ TIMEOUT: 10, ERROR: 4 });
    expect(result.latenciesMs.length).toBe(result.ok);
  });

  it('keeps exactly inFlight calls outstanding', async () => {
    let outstanding = 0;
    let most = 0;
    const result = await runLoad({
      inFlight: 5,
      count: 50,
      call: async () => {
        outstanding++;
        most = Math.max(most, outstanding);
        await new Promise<void>((resolve) => setImmediate(resolve));
        outstanding--;
      },
    });
    expect(most).toBe(5);
    expect(result.ok).toBe(50);
  });

  it('stops starting calls once the duration has passed, and times calls with the injected clock', async () => {
    const clock = fakeClock();
    const result = await runLoad({
      inFlight: 1,
      durationMs: 100,
      now: clock.now,
      call: async () => {
        clock.advance(10);
      },
    });
    expect(result.started).toBe(10);
    expect(result.elapsedMs).toBe(100);
    expect([...result.latenciesMs]).toEqual(Array(10).fill(10));
  });

  it('grows its sample buffer past its first size in duration mode', async () => {
    const clock = fakeClock();
    const result = await runLoad({ inFlight: 3, durationMs: 70_000, now: clock.now, call: async () => void clock.advance(1) });
    expect(result.ok).toBe(70_000);
    expect(result.latenciesMs.length).toBe(70_000);
  });

  it('reports progress', async () => {
    const clock = fakeClock();
    const seen: number[] = [];
    await runLoad({ inFlight: 1, count: 10, now: clock.now, progressEveryMs: 30, onProgress: (p) => seen.push(p.done), call: async () => void clock.advance(10) });
    expect(seen).toEqual([3, 6, 9]);
  });

  it.each([[{ inFlight: 0, count: 1 }], [{ inFlight: 1 }]])('rejects %j', async (o) => {
    await expect(runLoad({ ...o, call: async () => {} })).rejects.toThrow(RangeError);
  });
});

describe('figures', () => {
  it('derives msgs/s, MB/s and latency statistics', () => {
    const f = figures({ started: 4, ok: 4, errors: 0, errorCodes: {}, elapsedMs: 2000, latenciesMs: Float64Array.from([4, 1, 3, 2]) }, 100);
    expect(f.msgsPerSec).toBe(2);
    expect(f.mbPerSec).toBe(0.0002);
    expect(f.latencyMs).toMatchObject({ min: 1, p50: 2, max: 4, count: 4 });
  });

  it('gives zero rates for a run that took no time', () => {
    expect(figures({ started: 0, ok: 0, errors: 0, errorCodes: {}, elapsedMs: 0, latenciesMs: new Float64Array() }, 100).msgsPerSec).toBe(0);
  });
});

describe('bench bodies', () => {
  it.each([8, 100, 1024])('a %d-byte body encodes to exactly that many bytes', (n) => {
    expect(Buffer.byteLength(JSON.stringify(benchBody(n)))).toBe(n);
    expect(benchBytes(n).length).toBe(n);
  });
});

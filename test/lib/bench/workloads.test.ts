// Tiny runs of every workload with its peers in this process: they check the shape of the
// results and that every message is accounted for. Timing is never asserted.
import { describe, it, expect } from 'vitest';
import { benchRequests, REQUEST_TARGETS } from '../../../src/lib/bench/request-bench.js';
import { benchBroadcast, spread } from '../../../src/lib/bench/broadcast-bench.js';
import { benchConnectionMemory } from '../../../src/lib/bench/connection-memory-bench.js';
import { benchRegistrations } from '../../../src/lib/bench/registration-bench.js';
import { inProcessHost } from '../../../src/lib/bench/peer-host.js';
import { wallTime } from '../../../src/lib/bench/wall-time.js';
import { DEFAULT_MAX_PACKET_BYTES } from '../../../src/lib/wire/packet.js';

describe('request/response workload', () => {
  it.each(REQUEST_TARGETS)('%s: answers all 200 requests', async (target) => {
    const r = await benchRequests({ target, inFlight: 8, bodyBytes: 100, count: 200, warmup: 20, host: inProcessHost });
    expect(r).toMatchObject({ target, inFlight: 8, bodyBytes: 100, messages: 200, errors: 0, errorCodes: {} });
    expect(r.latencyMs.count).toBe(200);
    expect(r.latencyMs.min).toBeLessThanOrEqual(r.latencyMs.max);
    expect(r.msgsPerSec).toBeGreaterThan(0);
  });

  it.each(['direct', 'raw'] as const)('%s: carries a binary (Uint8Array) body larger than the default packet limit when the limit is raised', async (target) => {
    const r = await benchRequests({ target, inFlight: 2, bodyBytes: 1536 * 1024, binary: true, maxPacketBytes: 4 * 1024 * 1024, count: 4, warmup: 1, host: inProcessHost });
    expect(r).toMatchObject({ target, binary: true, bodyBytes: 1536 * 1024, messages: 4, errors: 0 });
    expect(r.mbPerSec).toBeCloseTo((r.msgsPerSec * 1536 * 1024) / 1e6, 6);
  });

  it('spreads requests over several echo components', async () => {
    const r = await benchRequests({ target: 'relay', inFlight: 4, bodyBytes: 50, count: 60, warmup: 0, components: 3, host: inProcessHost });
    expect(r).toMatchObject({ components: 3, messages: 60, errors: 0 });
  });
});

describe('request/response workload, bodies (issue 17)', () => {
  it.each(['relay', 'mesh'] as const)('%s: bodyFor gives each request its own body', async (target) => {
    const seen: number[] = [];
    const bodyFor = (seq: number) => (seen.push(seq), { n: seq, d: 'x'.repeat(seq % 7) });
    const r = await benchRequests({ target, inFlight: 2, bodyBytes: 100, count: 10, warmup: 3, host: inProcessHost, bodyFor });
    expect(r).toMatchObject({ messages: 10, errors: 0 });
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 13 }, (_, i) => i));
  });

  it('stops at a failed first request instead of timing failures', async () => {
    const bodyFor = () => ({ d: 'x'.repeat(DEFAULT_MAX_PACKET_BYTES) });
    const r = await benchRequests({ target: 'relay', inFlight: 4, bodyBytes: 100, durationMs: 60_000, host: inProcessHost, bodyFor });
    expect(r).toMatchObject({ messages: 0, errors: 1, errorCodes: { FRAME_TOO_LARGE: 1 } });
  });
});

describe('broadcast workload', () => {
  it.each(['botz', 'raw'] as const)('%s: every receiver acknowledges every round', async (target) => {
    const r = await benchBroadcast({ target, receivers: 5, rounds: 10, warmup: 2, bodyBytes: 100, host: inProcessHost });
    expect(r).toMatchObject({ target, receivers: 5, rounds: 10, errors: 0, delivered: 50 });
    expect(r.latencyMs.count).toBe(10);
  });
});

describe('broadcast over several receiver processes', () => {
  it('splits receivers evenly', () => {
    expect(spread(1000, 4)).toEqual([250, 250, 250, 250]);
    expect(spread(10, 4)).toEqual([3, 3, 2, 2]);
    expect(spread(2, 4)).toEqual([1, 1]);
  });

  it.each(['botz', 'raw'] as const)('%s: receivers in 3 hosts all acknowledge', async (target) => {
    const r = await benchBroadcast({ target, receivers: 7, processes: 3, rounds: 4, warmup: 1, bodyBytes: 100, host: inProcessHost });
    expect(r).toMatchObject({ target, receivers: 7, processes: 3, rounds: 4, errors: 0, delivered: 28, failureCodes: {} });
    expect(r.latencyMs.count).toBe(4);
  });
});

describe('bare ws connection memory (the registration baseline)', () => {
  it('opens every connection from several holders and reads the server memory', async () => {
    const r = await benchConnectionMemory({ connections: 12, perProcess: 5, serverHost: inProcessHost, host: inProcessHost });
    expect(r).toMatchObject({ connections: 12, open: 12, processes: 3 });
    expect(r.rssPerConnectionBytes).toBe((r.serverRssAfter - r.serverRssBefore) / 12);
    expect(r.connectionsPerSec).toBeGreaterThan(0);
    expect(r.serverCpuUsPerConnection).toBeGreaterThan(0);
  });
});

describe('registration workload', () => {
  it('registers every component, spread over processes, and reads the server memory', async () => {
    const waited: number[] = [];
    const r = await benchRegistrations({
      components: 25,
      perProcess: 10,
      heartbeatIntervalMs: 500,
      settleHeartbeats: 2,
      serverHost: inProcessHost,
      host: inProcessHost,
      wait: async (ms) => void waited.push(ms),
    });
    expect(r).toMatchObject({ components: 25, registered: 25, processes: 3 });
    expect(waited).toEqual([1000]);
    expect(r.registrationsPerSec).toBeGreaterThan(0);
    expect(r.serverRssAfter).toBeGreaterThan(0);
    expect(r.rssPerComponentBytes).toBe((r.serverRssAfter - r.serverRssBefore) / 25);
    expect(r.serverCpuUsPerRegistration).toBeGreaterThan(0);
  });
});

describe('wallTime', () => {
  it('times every run and counts the failing ones', async () => {
    const ok = await wallTime(process.execPath, ['-e', '0'], { runs: 2 });
    expect(ok).toMatchObject({ runs: 2, failures: 0 });
    expect(ok.medianMs).toBeGreaterThan(0);
    const failing = await wallTime(process.execPath, ['-e', 'process.exit(3)'], { runs: 2 });
    expect(failing.failures).toBe(2);
  });
});

import { describe, it, expect } from 'vitest';
import { renderResultsSection, replaceResultsSection, RESULTS_BEGIN, RESULTS_END, type SuiteResults } from '../../../src/lib/bench/readme-section.js';
import { judgeTargets } from '../../../src/lib/bench/targets.js';

const latency = (p50: number, p99: number) => ({ count: 10, min: p50 / 2, p50, p90: p50, p99, max: p99, mean: p50 });

const results: SuiteResults = {
  machine: { cpuModel: 'Test CPU', cores: 2, memoryMB: 4096, os: 'linux 6', node: 'v20.0.0', date: '2026-12-04T00:00:00.000Z', pinning: 'taskset: here', loadAverage: [0.1, 0.2, 0.3] },
  rounds: 2,
  scale: 1,
  parts: ['requests', 'bodies'],
  elapsedSeconds: 400,
  requests: [
    { round: 1, target: 'direct', inFlight: 64, msgsPerSec: 90_000, mbPerSec: 9, errors: 0, latencyMs: latency(0.5, 2) },
    { round: 2, target: 'direct', inFlight: 64, msgsPerSec: 110_000, mbPerSec: 11, errors: 0, latencyMs: latency(0.4, 1) },
  ],
  bodies: [{ round: 1, workload: '1m', target: 'raw', inFlight: 4, bodyBytes: 1024 * 1024, msgsPerSec: 100, mbPerSec: 104.9, errors: 0, latencyMs: latency(10, 20) }],
  defaultLimit: [
    { bodyBytes: 1024 * 1024, ok: true, errorCodes: {} },
    { bodyBytes: 16 * 1024 * 1024, ok: false, errorCodes: { FRAME_TOO_LARGE: 1 } },
  ],
  registration: { components: 5000, registered: 5000, processes: 10, registrationsPerSec: 305.2, rssPerComponentBytes: 17_700, serverCpuUsPerRegistration: 1400.4 },
  wsConnections: { connections: 5000, processes: 10, rssPerConnectionBytes: 8_360, connectionsPerSec: 1233.4, serverCpuUsPerConnection: 272.2 },
  targets: judgeTargets([{ directThroughput64: 90_000, rawJsonThroughput64: 100_000 }, { directThroughput64: 110_000, rawJsonThroughput64: 100_000 }]),
};

describe('README → Performance from a results file', () => {
  it('names the machine and renders each target with its range and verdict, and each workload with its median', () => {
    const section = renderResultsSection(results);
    expect(section.startsWith(RESULTS_BEGIN) && section.endsWith(RESULTS_END)).toBe(true);
    expect(section).toContain('Machine: Test CPU, 2 CPUs, 4 GB, linux 6, Node v20.0.0; 2026-12-04; load average at the start 0.1 / 0.2 / 0.3');
    expect(section).toContain('2 interleaved rounds, scale 1, 7 minutes in all; parts: requests, bodies.');
    expect(section).toContain('| 14 | direct, 64 in flight: throughput vs JSON-parsing ws echo | 1x | 0.9–1.1 | ≥ 1x | PASS ✓ |');
    expect(section).toContain('| 14 | 8 MiB bodies: MB/s vs plain ws | — |  | ≥ 0.25x | not run |');
    expect(section).toContain('| request/response, 100 B, 64 in flight | direct | 100,000 msgs/s (90,000–110,000) | 0.45 (0.4–0.5) | 1.5 (1–2) |');
    expect(section).toContain('| 1 MiB bodies, 4 in flight | raw | 105 MB/s | 10 | 20 |');
    expect(section).toContain('| a 16 MiB body, default limits | botz | fails: FRAME_TOO_LARGE | | |');
    expect(section).toContain('| registration, 5,000 components from 10 processes | botz | 305/s; 17.7 KB server RSS each; 1,400 µs server CPU each | | |');
    expect(section).toContain('| 5,000 idle connections from 10 processes | bare ws | 1,233/s; 8.36 KB server RSS each; 272 µs server CPU each | | |');
  });

  it('rewrites only the text between the markers', () => {
    const readme = `# x\n\nprose before\n${RESULTS_BEGIN}\nold table\n${RESULTS_END}\nprose after\n`;
    expect(replaceResultsSection(readme, `${RESULTS_BEGIN}\nnew\n${RESULTS_END}`)).toBe(`# x\n\nprose before\n${RESULTS_BEGIN}\nnew\n${RESULTS_END}\nprose after\n`);
  });

  it('refuses a README without exactly one pair of markers in order', () => {
    expect(() => replaceResultsSection('no markers', 'x')).toThrow(/exactly once/);
    expect(() => replaceResultsSection(`${RESULTS_END}\n${RESULTS_BEGIN}`, 'x')).toThrow(/exactly once/);
    expect(() => replaceResultsSection(`${RESULTS_BEGIN}${RESULTS_END}${RESULTS_BEGIN}`, 'x')).toThrow(/exactly once/);
  });
});

// `botz bench` through the real binary (built dist/), as people run it.
import { describe, it, expect } from 'vitest';
import { isolatedEnv, runBotz } from '../e2e/harness.js';

describe('botz bench', () => {
  it('--json: measures botz and the baselines, and accounts for every request', async () => {
    const r = await runBotz(['bench', 'relay', '--count', '200', '--in-flight', '4', '--size', '64', '--baseline', '--json'], isolatedEnv({}));
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ mode: 'relay', bodyBytes: 64, inFlight: 4, components: 1 });
    for (const f of [out.botz, out.baseline.raw, out.baseline.rawCoalesced, out.baseline.rawJson]) {
      expect(f).toMatchObject({ messages: 200, errors: 0, inFlight: 4, bodyBytes: 64 });
      expect(Object.keys(f.latencyMs)).toEqual(['count', 'min', 'p50', 'p90', 'p99', 'max', 'mean']);
    }
    expect(out.baseline.raw.target).toBe('raw');
    expect(out.baseline.rawCoalesced.target).toBe('raw-coalesced');
    expect(out.baseline.rawJson.target).toBe('raw-json');
    expect(typeof out.baseline.ratios.throughputVsRaw).toBe('number');
    expect(typeof out.baseline.ratios.p50VsRawJson).toBe('number');
    expect(r.stderr).toBe(''); // no progress line when not on a terminal
  }, 60_000);

  it('prints figures for people', async () => {
    const r = await runBotz(['bench', '--count', '100', '--in-flight', '2'], isolatedEnv({}));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^botz direct +[\d,]+ msgs\/s .* p50 [\d.]+ .* errors 0$/m);
  }, 60_000);

  it('mesh mode sends requests across a line of mesh nodes and accounts for each', async () => {
    const r = await runBotz(['bench', 'mesh', '--count', '300', '--in-flight', '8', '--json'], isolatedEnv({}));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ mode: 'mesh', botz: { target: 'mesh', messages: 300, errors: 0 } });
  }, 60_000);

  it('--credentials: the same load with per-component credentials in the same run, as ratios of the shared secret', async () => {
    const r = await runBotz(['bench', 'direct', '--count', '200', '--in-flight', '4', '--credentials', '--json'], isolatedEnv({}));
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.botz).toMatchObject({ messages: 200, errors: 0 });
    expect(out.credentials.botz).toMatchObject({ target: 'direct', messages: 200, errors: 0 });
    expect(typeof out.credentials.ratios.throughput).toBe('number');
    expect(typeof out.credentials.ratios.p50).toBe('number');
  }, 60_000);

  it('mesh --credentials: the same line with a credential per node, every request sealed end to end', async () => {
    const r = await runBotz(['bench', 'mesh', '--count', '200', '--in-flight', '4', '--credentials', '--json'], isolatedEnv({}));
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.botz).toMatchObject({ target: 'mesh', messages: 200, errors: 0 });
    expect(out.credentials.botz).toMatchObject({ target: 'mesh', messages: 200, errors: 0 });
  }, 60_000);

  it('mesh mode refuses --server: it starts its own mesh', async () => {
    const r = await runBotz(['bench', 'mesh', '--server', '127.0.0.1:9', '--json'], isolatedEnv({}));
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe('INVALID_ARGUMENT');
  });
});

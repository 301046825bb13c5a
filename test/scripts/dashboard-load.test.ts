/**
 * The dashboard's load script at CI size (the 1,000 components and 5,000 msgs/s run
 * with `npm run dashboard:load`): the page shows every component while drawing a bounded
 * number of rows, and gets about one push a second whatever the traffic. Timings are reported
 * by the script, not judged here (the machine is shared). Needs a build (dist/).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runToEnd } from '../e2e/harness.js';

describe('scripts/dashboard-load.mjs, small', () => {
  it('50 components and 500 msgs/s: every component shown, rows and pushes bounded', async () => {
    const env = { ...process.env, COMPONENTS: '50', RATE: '500', DURATION: '1.5', QUIET_DURATION: '0.2', MESH: '0' };
    const run = await runToEnd([join(ROOT, 'scripts/dashboard-load.mjs'), '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout.trim().split('\n').pop()!);
    expect(report.open.count).toBe(50);
    expect(report.open.rows).toBe(50);
    expect(report.open.trafficRows).toBeLessThanOrEqual(200);
    expect(report.open.pushesPerSecond).toBeGreaterThan(0);
    expect(report.open.pushesPerSecond).toBeLessThanOrEqual(2);
    expect(report.open.networkRate).toBeGreaterThan(0);
  }, 60_000);
});

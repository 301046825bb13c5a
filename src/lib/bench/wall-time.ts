/**
 * Wall time of a command started from scratch (the CLI one-shot case): runs it `runs` times
 * after one unmeasured run, and reports the median, so one slow start does not decide.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './stats.js';

export interface WallTimeResult {
  command: string;
  runs: number;
  medianMs: number;
  minMs: number;
  /** Runs that exited non-zero (their time is still counted). */
  failures: number;
}

function once(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ ms: performance.now() - t0, code }));
  });
}

export async function wallTime(cmd: string, args: string[], options: { runs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<WallTimeResult> {
  const runs = options.runs ?? 10;
  const env = options.env ?? process.env;
  await once(cmd, args, env); // warms the file cache
  const times: number[] = [];
  let failures = 0;
  for (let i = 0; i < runs; i++) {
    const { ms, code } = await once(cmd, args, env);
    times.push(ms);
    if (code !== 0) failures++;
  }
  return { command: [cmd, ...args].join(' '), runs, medianMs: median(times), minMs: Math.min(...times), failures };
}

/** True when hyperfine is on PATH: then it times the one-shot case instead of our own timer. */
export function hasHyperfine(): boolean {
  return spawnSync('hyperfine', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Times shell `commands` with hyperfine (warm-up runs first) and returns each one's median
 * and minimum, in the same shape as `wallTime`.
 */
export async function hyperfineTimes(commands: string[], options: { runs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<WallTimeResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'botz-hyperfine-'));
  const out = join(dir, 'result.json');
  const runs = options.runs ?? 10;
  const r = spawnSync('hyperfine', ['--warmup', '2', '--runs', String(runs), '--export-json', out, '--style', 'none', ...commands], {
    env: options.env ?? process.env,
    stdio: 'ignore',
  });
  if (r.status !== 0) throw new Error(`hyperfine exited with ${r.status}`);
  const report = JSON.parse(await readFile(out, 'utf8')) as { results: { command: string; median: number; min: number; exit_codes: number[] }[] };
  await rm(dir, { recursive: true, force: true });
  return report.results.map((x) => ({
    command: x.command,
    runs,
    medianMs: x.median * 1000,
    minMs: x.min * 1000,
    failures: x.exit_codes.filter((c) => c !== 0).length,
  }));
}

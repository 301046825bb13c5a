/**
 * Wall time of a command started from scratch (the CLI one-shot case): runs it `runs` times
 * after one unmeasured run, and reports the median, so one slow start does not decide.
 */
import { spawn } from 'node:child_process';
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

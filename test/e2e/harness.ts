/**
 * Runs the real `bin/run.js` (built dist/) as a child process, the way people and scripts do.
 * Every network gets its own config directory, so the secret `botz serve` creates is isolated.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'run.js');

/** The environment a child sees: ours minus any botz settings, plus `extra`. */
export function isolatedEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const key of ['BOTZ_SECRET', 'BOTZ_SERVER', 'BOTZ_CONFIG_DIR', 'BOTZ_CREDENTIAL', 'BOTZ_TLS_CA', 'BOTZ_TLS_CERT', 'BOTZ_TLS_KEY', 'FORCE_COLOR']) delete env[key];
  return { ...env, ...extra };
}

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run one command to completion. */
export function runBotz(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<Result> {
  return runToEnd([BIN, ...args], env, input);
}

/** Run `node NODE_ARGS...` to completion with `input` on stdin; its exit code and output. */
export function runToEnd(nodeArgs: string[], env: NodeJS.ProcessEnv, input?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b));
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** A long-running command (`serve`, `register`, `tail`) whose output lines can be awaited. */
export class Running {
  readonly lines: string[] = [];
  readonly errLines: string[] = [];
  readonly exited: Promise<number | null>;
  private waiters: { re: RegExp; resolve: (line: string) => void; stream: 'out' | 'err' }[] = [];

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    this.exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
    this.split(child.stdout, 'out');
    this.split(child.stderr, 'err');
  }

  private split(stream: NodeJS.ReadableStream, which: 'out' | 'err'): void {
    let rest = '';
    stream.on('data', (b: Buffer) => {
      rest += b.toString();
      const parts = rest.split('\n');
      rest = parts.pop()!;
      for (const line of parts) {
        (which === 'out' ? this.lines : this.errLines).push(line);
        for (const w of [...this.waiters]) {
          if (w.stream === which && w.re.test(line)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(line);
          }
        }
      }
    });
  }

  /** The first line (already printed or still to come) on stdout (or stderr) matching `re`. */
  waitFor(re: RegExp, stream: 'out' | 'err' = 'out'): Promise<string> {
    const seen = (stream === 'out' ? this.lines : this.errLines).find((l) => re.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.waiters.push({ re, resolve, stream });
      void this.exited.then(() => reject(new Error(`exited before printing ${re}: ${[...this.lines, ...this.errLines].join('\n')}`)));
    });
  }

  /** Send `signal` and wait for the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

export function startBotz(args: string[], env: NodeJS.ProcessEnv): Running {
  return new Running(spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] }));
}

/** A `botz serve --port 0` with its own config dir; `env` points clients at it. */
export interface Network {
  server: Running;
  address: string;
  configDir: string;
  env: NodeJS.ProcessEnv;
  /** Start `botz register NAME ...args` and wait until it is registered. */
  register(name: string, ...args: string[]): Promise<Running>;
  stop(): Promise<void>;
}

/** A `botz serve` on a free loopback port (with `serveArgs`, e.g. `--encrypt`), its own config dir and env. */
export async function startNetwork(serveArgs: string[] = []): Promise<Network> {
  const configDir = await mkdtemp(join(tmpdir(), 'botz-e2e-'));
  const server = startBotz(['serve', '--port', '0', ...serveArgs], isolatedEnv({ BOTZ_CONFIG_DIR: configDir }));
  const first = await server.waitFor(/^listening on /);
  const address = first.replace('listening on ', '').trim();
  const env = isolatedEnv({ BOTZ_CONFIG_DIR: configDir, BOTZ_SERVER: address });
  const running: Running[] = [];
  return {
    server,
    address,
    configDir,
    env,
    async register(name, ...args) {
      const r = startBotz(['register', name, ...args], env);
      running.push(r);
      await r.waitFor(/^registered /);
      return r;
    },
    async stop() {
      await Promise.all(running.map((r) => r.stop('SIGKILL')));
      await server.stop('SIGTERM');
    },
  };
}

export { NOTHING_LISTENS } from '../helpers/ports.js';

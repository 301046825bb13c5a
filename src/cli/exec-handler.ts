/**
 * `botz register --exec CMD`: run CMD once per request, body as JSON on stdin, reply as the JSON
 * it prints. A failing CMD becomes a RemoteError carrying its stderr, which the caller sees as
 * exit code 5.
 *
 * CMD is bounded: it runs in its own process group, and the whole group is killed (SIGKILL) when
 * it outlives its time (default 30 s), when it prints more than fits in one packet, or when
 * `botz register` stops. `ExecPool` also caps how many run at once, queueing the rest.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BotzError, RemoteError } from '../lib/errors.js';
import type { Headers, Json } from '../lib/wire/frames.js';
import { DEFAULT_MAX_PACKET_BYTES } from '../lib/wire/packet.js';

/** How much of a failing command's stderr travels back to the caller. */
const MAX_STDERR_CHARS = 2_000;
/** How much of its stderr is kept while it runs (the tail; more is dropped as it arrives). */
const STDERR_KEEP_BYTES = 64 * 1024;

/** How long one run of CMD may take before it is killed. */
export const DEFAULT_EXEC_TIMEOUT_MS = 30_000;
/** How many runs of CMD `ExecPool` allows at once. */
export const DEFAULT_EXEC_CONCURRENCY = 16;

export interface ExecContext {
  /** The sender's name, given to CMD as env BOTZ_FROM. */
  from: string;
  /** request or broadcast, as env BOTZ_KIND. */
  kind: string;
  /** The message's headers, as env BOTZ_HEADERS (a JSON object, `{}` when none came). */
  headers?: Headers;
}

export interface ExecLimits {
  /** Kill CMD after this long (default DEFAULT_EXEC_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Kill CMD once its stdout exceeds this many bytes (default: the default packet limit). */
  maxOutputBytes?: number;
  /** Kill CMD when this fires. */
  signal?: AbortSignal;
  /** When the timeout's clock started (default: now), e.g. when the request arrived. */
  startedAt?: number;
}

/** Run `command` through the shell with `body` on stdin; resolve with the JSON it printed. */
export function runExecHandler(command: string, body: Json, ctx: ExecContext, env: NodeJS.ProcessEnv = process.env, limits: ExecLimits = {}): Promise<Json> {
  const timeoutMs = limits.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
  const maxOutputBytes = limits.maxOutputBytes ?? DEFAULT_MAX_PACKET_BYTES;
  const { signal } = limits;
  // The handler is arbitrary code: it never inherits the network's secret.
  const { BOTZ_SECRET: _secret, ...childEnv } = env;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(stoppingError());
    // detached: CMD leads its own process group, so killing the group takes its children too.
    const child = spawn(command, {
      shell: true,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...childEnv, BOTZ_FROM: ctx.from, BOTZ_KIND: ctx.kind, BOTZ_HEADERS: JSON.stringify(ctx.headers ?? {}) },
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    const err: Buffer[] = [];
    let errBytes = 0;
    /** Why we killed it; once set, that is the outcome. */
    let killedFor: BotzError | undefined;
    let settled = false;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    const exited = () => child.exitCode !== null || child.signalCode !== null;
    const kill = (why: BotzError) => {
      if (settled || killedFor) return;
      killedFor = why;
      child.stdout.destroy();
      child.stderr.destroy();
      child.stdin.destroy();
      killGroup(child);
      // Settled on 'exit', not 'close': a grandchild that escaped the group may hold the pipes.
      if (exited()) finish(() => reject(why));
    };
    const timer = setTimeout(
      () => kill(new RemoteError(`handler was killed after ${timeoutMs} ms: it did not finish in time`, { details: { timeoutMs, killed: true } })),
      Math.max(0, timeoutMs - (Date.now() - (limits.startedAt ?? Date.now()))),
    );
    const onAbort = () => kill(stoppingError());
    signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (b: Buffer) => {
      outBytes += b.length;
      if (outBytes > maxOutputBytes) {
        kill(
          new RemoteError(`handler was killed: its output exceeded ${maxOutputBytes} bytes, more than fits in a reply`, {
            details: { limit: maxOutputBytes, killed: true },
          }),
        );
        return;
      }
      out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      err.push(b);
      errBytes += b.length;
      while (err.length > 1 && errBytes - err[0].length >= STDERR_KEEP_BYTES) errBytes -= err.shift()!.length;
    });
    child.on('error', (e) => {
      killGroup(child);
      finish(() => reject(new RemoteError(`cannot run handler: ${e.message}`, { cause: e })));
    });
    child.on('exit', () => {
      if (killedFor) finish(() => reject(killedFor!));
    });
    // A handler that ignores stdin closes it early; that is not a failure.
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(body) + '\n');
    child.on('close', (code, sig) => {
      if (killedFor) return finish(() => reject(killedFor!));
      const stderr = Buffer.concat(err).toString('utf8').trim().slice(-MAX_STDERR_CHARS);
      if (code !== 0) {
        const how = sig ? `was killed by ${sig}` : `exited with code ${code}`;
        finish(() => reject(new RemoteError(`handler ${how}${stderr ? `: ${stderr}` : ''}`, { details: { exitCode: code, stderr } })));
        return;
      }
      const stdout = Buffer.concat(out).toString('utf8').trim();
      if (stdout === '') return finish(() => resolve(null));
      try {
        const reply = JSON.parse(stdout) as Json;
        finish(() => resolve(reply));
      } catch {
        finish(() => reject(new RemoteError(`handler printed something that is not JSON: ${stdout.slice(0, 200)}`, { details: { stdout: stdout.slice(0, 200) } })));
      }
    });
  });
}

function stoppingError(): RemoteError {
  return new RemoteError('handler was killed: botz register is stopping', { details: { killed: true } });
}

/** SIGKILL the child's process group (it leads one: spawned detached), else the child alone. */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

export interface ExecPoolOptions {
  /** Per run, counted from the request's arrival (time spent queued included). */
  timeoutMs?: number;
  maxOutputBytes?: number;
  /** At most this many runs at once (default DEFAULT_EXEC_CONCURRENCY); the rest wait in order. */
  concurrency?: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs CMD per request under ExecLimits, at most `concurrency` at once; `stop()` kills them all. */
export class ExecPool {
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  /** Kill a CMD whose stdout exceeds this (set it to the component's packet limit). */
  maxOutputBytes: number;
  private active = 0;
  private readonly waiting: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private readonly live = new Set<Promise<unknown>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly command: string,
    private readonly options: ExecPoolOptions = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? DEFAULT_EXEC_CONCURRENCY);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
    this.maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_PACKET_BYTES;
  }

  /** Runs now, or once a slot frees up. */
  async run(body: Json, ctx: ExecContext): Promise<Json> {
    const arrived = Date.now();
    await this.acquire();
    try {
      const left = this.timeoutMs - (Date.now() - arrived);
      if (left <= 0) {
        throw new RemoteError(`handler was not started: it waited ${this.timeoutMs} ms for one of ${this.concurrency} slots`, {
          details: { timeoutMs: this.timeoutMs, concurrency: this.concurrency },
        });
      }
      const run = runExecHandler(this.command, body, ctx, this.options.env ?? process.env, {
        timeoutMs: this.timeoutMs,
        startedAt: arrived,
        maxOutputBytes: this.maxOutputBytes,
        signal: this.stopping.signal,
      });
      const settled = run.then(
        () => {},
        () => {},
      );
      this.live.add(settled);
      try {
        return await run;
      } finally {
        this.live.delete(settled);
      }
    } finally {
      this.release();
    }
  }

  /** Runs going now. */
  get running(): number {
    return this.live.size;
  }

  /** Refuses what waits, kills every running CMD, and resolves once they have exited. */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const w of this.waiting.splice(0)) w.reject(stoppingError());
    await Promise.all([...this.live]);
  }

  private async acquire(): Promise<void> {
    if (this.stopping.signal.aborted) throw stoppingError();
    if (this.active < this.concurrency) {
      this.active++;
      return;
    }
    // The run that finishes hands its slot straight to us.
    await new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next.resolve();
    else this.active--;
  }
}

/**
 * The request/response load generator: keeps `inFlight` calls outstanding until a count or a
 * duration is reached, and records every call's latency. It knows nothing about what a call
 * is (a botz send, a raw ws echo), so botz and its baselines are driven by the same loop.
 */
import { summarize, type Summary } from './stats.js';

/** Progress as the load runs (for a line updated in place). */
export interface LoadProgress {
  done: number;
  errors: number;
  elapsedMs: number;
}

export interface LoadOptions {
  /** One request/response; resolves on the answer. Its argument is the sequence number. */
  call: (seq: number) => Promise<unknown>;
  /** Calls kept outstanding at once (1 = latency mode). */
  inFlight: number;
  /** Stop after this many calls (started, then answered or failed). */
  count?: number;
  /** Stop starting calls after this long (ms). At least one of count/duration must be set. */
  durationMs?: number;
  /** Monotonic clock in ms (default performance.now). */
  now?: () => number;
  onProgress?: (progress: LoadProgress) => void;
  /** How often onProgress is called, at most (ms). */
  progressEveryMs?: number;
}

export interface LoadResult {
  /** Calls started. Every one is counted in `ok` or `errors`: started = ok + errors. */
  started: number;
  ok: number;
  errors: number;
  /** Failures by error code (`code` of the thrown error, else 'ERROR'). */
  errorCodes: Record<string, number>;
  elapsedMs: number;
  /** Latency of each successful call, in ms, in completion order. */
  latenciesMs: Float64Array;
}

/** Runs the load; never rejects (a failing call is counted, not thrown). */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { call, inFlight } = options;
  if (!(inFlight >= 1)) throw new RangeError('inFlight must be at least 1');
  if (options.count === undefined && options.durationMs === undefined) throw new RangeError('count or durationMs is required');
  const now = options.now ?? (() => performance.now());
  const limit = options.count ?? Infinity;
  const durationMs = options.durationMs ?? Infinity;
  const progressEveryMs = options.progressEveryMs ?? 200;
  // Preallocated so recording a sample allocates nothing inside the measured loop.
  let latencies = new Float64Array(Number.isFinite(limit) ? limit : 1 << 16);
  let ok = 0;
  let errors = 0;
  let started = 0;
  const errorCodes: Record<string, number> = {};
  const t0 = now();
  let nextProgress = t0 + progressEveryMs;

  const more = (): boolean => started < limit && now() - t0 < durationMs;
  const record = (ms: number): void => {
    if (ok === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[ok++] = ms;
  };

  const worker = async (): Promise<void> => {
    while (more()) {
      const seq = started++;
      const begin = now();
      try {
        await call(seq);
        record(now() - begin);
      } catch (error) {
        errors++;
        const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'ERROR';
        errorCodes[code] = (errorCodes[code] ?? 0) + 1;
      }
      if (options.onProgress) {
        const t = now();
        if (t >= nextProgress) {
          nextProgress = t + progressEveryMs;
          options.onProgress({ done: ok + errors, errors, elapsedMs: t - t0 });
        }
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elapsedMs = now() - t0;
  return { started, ok, errors, errorCodes, elapsedMs, latenciesMs: latencies.subarray(0, ok) };
}

/** What a benchmark prints for one request/response run. */
export interface RequestFigures {
  messages: number;
  errors: number;
  errorCodes: Record<string, number>;
  elapsedMs: number;
  /** Answered requests per second. */
  msgsPerSec: number;
  /** Request body bytes per second, in MB (10^6 bytes); replies carry as much again. */
  mbPerSec: number;
  latencyMs: Summary;
}

/** Turns a run into msgs/s, MB/s and latency statistics. */
export function figures(result: LoadResult, bodyBytes: number): RequestFigures {
  const seconds = result.elapsedMs / 1000;
  const msgsPerSec = seconds > 0 ? result.ok / seconds : 0;
  return {
    messages: result.ok,
    errors: result.errors,
    errorCodes: result.errorCodes,
    elapsedMs: result.elapsedMs,
    msgsPerSec,
    mbPerSec: (msgsPerSec * bodyBytes) / 1e6,
    latencyMs: summarize(result.latenciesMs),
  };
}

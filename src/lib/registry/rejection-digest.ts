/**
 * Keeps a flood of rejections from becoming a flood of events (and of `botz serve` log lines):
 * the first few rejections of a code from a source in a window pass at once, with their full
 * remote address and peer; the others are only counted, and summed up in one event when the
 * window ends. While the flood goes on, one summary per window and nothing else; a window with
 * nothing in it ends silently, and the next rejection passes at once again. Pure: time comes in
 * with each call.
 *
 *   12:03:04.120  rejected TOO_MANY_CONNECTIONS from 127.0.0.1:50312
 *   ...           (four more like it)
 *   12:03:05.120  rejected TOO_MANY_CONNECTIONS from 127.0.0.1: 347 times in the last second
 */
import { sourceOf } from '../transport/admission.js';
import { splitAddress } from '../transport/transport.js';

export interface Rejection {
  code: string;
  /** `host:port` of the other end (or any label, such as `mesh`). */
  remote: string;
  peer?: string;
  at: number;
}

/** How many rejections of `code` from the source `remote` the window ending at `at` held. */
export interface RejectionSummary {
  code: string;
  /** The source (an IPv4 address, an IPv6 /64), or `other sources` past `maxSources`. */
  remote: string;
  at: number;
  count: number;
}

export const DEFAULT_REJECTION_WINDOW_MS = 1_000;
/** Rejections of one code from one source that pass one by one in a window: the usual few stay as they were. */
export const DEFAULT_REJECTION_BURST = 5;
/** Distinct (code, source) windows kept at once: beyond them, one shared summary per code. */
export const DEFAULT_MAX_REJECTION_SOURCES = 64;
const OTHER_SOURCES = 'other sources';

interface Window {
  code: string;
  source: string;
  endsAt: number;
  /** Passed one by one in this window. */
  passed: number;
  /** Counted for the summary. */
  count: number;
}

export class RejectionDigest {
  private readonly windowMs: number;
  private readonly burst: number;
  private readonly maxSources: number;
  private readonly windows = new Map<string, Window>();

  constructor(options: { windowMs?: number; burst?: number; maxSources?: number } = {}) {
    this.windowMs = options.windowMs ?? DEFAULT_REJECTION_WINDOW_MS;
    this.burst = options.burst ?? DEFAULT_REJECTION_BURST;
    this.maxSources = options.maxSources ?? DEFAULT_MAX_REJECTION_SOURCES;
  }

  /** The rejection to report now, or undefined when it is counted into its window's summary. */
  add(rejection: Rejection): Rejection | undefined {
    let source = sourceOfRemote(rejection.remote);
    let key = `${rejection.code} ${source}`;
    if (!this.windows.has(key) && this.windows.size >= this.maxSources) {
      source = OTHER_SOURCES;
      key = `${rejection.code} ${source}`;
    }
    const window = this.windows.get(key);
    if (!window) {
      this.windows.set(key, { code: rejection.code, source, endsAt: rejection.at + this.windowMs, passed: 1, count: 0 });
      return rejection;
    }
    if (window.passed < this.burst) {
      window.passed++;
      return rejection;
    }
    window.count++;
    return undefined;
  }

  /** Summaries of the windows that ended by `now` and counted anything. */
  due(now: number): RejectionSummary[] {
    const summaries: RejectionSummary[] = [];
    for (const [key, window] of this.windows) {
      if (window.endsAt > now) continue;
      if (window.count === 0) {
        this.windows.delete(key);
        continue;
      }
      summaries.push({ code: window.code, remote: window.source, at: now, count: window.count });
      // The flood goes on, maybe: the next window counts from here, and lets nothing pass.
      window.endsAt = now + this.windowMs;
      window.passed = this.burst;
      window.count = 0;
    }
    return summaries;
  }

  /** Every summary still open, whatever the time (the server is stopping). */
  flush(now: number): RejectionSummary[] {
    const summaries = [...this.windows.values()]
      .filter((w) => w.count > 0)
      .map((w) => ({ code: w.code, remote: w.source, at: now, count: w.count }));
    this.windows.clear();
    return summaries;
  }

  /** When the earliest open window ends, for the caller's timer; undefined when none is open. */
  get nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const window of this.windows.values()) if (next === undefined || window.endsAt < next) next = window.endsAt;
    return next;
  }
}

function sourceOfRemote(remote: string): string {
  try {
    return sourceOf(splitAddress(remote).host);
  } catch {
    return remote;
  }
}

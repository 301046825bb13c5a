/**
 * The one owner of a channel's outstanding requests. Each entry settles exactly once: by its
 * reply, by its timeout, or by `closeAll` when the channel goes away — never left hanging.
 *
 * Timeouts share one timer per map, armed for the earliest deadline, instead of one timer per
 * request: at tens of thousands of requests a second, arming and clearing a timer for each
 * one is measurable garbage and work. A sweep runs only when the earliest deadline passes.
 * When the map empties the timer stays armed but stops holding the process open (unref), so
 * one request at a time (latency mode) does not pay for a new timer per request either; the
 * sweep it eventually runs finds nothing due and re-arms only for what is still waiting.
 */
import { BotzError, Cancelled, ErrorCode, Timeout } from '../errors.js';
import type { Frame } from '../wire/frames.js';

interface Entry {
  resolve(frame: Frame): void;
  reject(error: BotzError): void;
  deadline: number;
  timeoutMs: number;
  describe: () => string;
  /** The caller's AbortSignal and our listener on it, removed when the entry settles. */
  signal?: AbortSignal;
  onAbort?: () => void;
}

export const DEFAULT_MAX_PENDING = 10_000;

export class PendingRequests {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires (ms epoch); Infinity when none is armed. */
  private armedFor = Infinity;

  constructor(readonly maxPending = DEFAULT_MAX_PENDING) {}

  get size(): number {
    return this.entries.size;
  }

  /** True while a timer is armed that keeps the process running (only when something waits). */
  get holdsProcessOpen(): boolean {
    return this.timer?.hasRef() ?? false;
  }

  /**
   * Registers a wait for the reply to `id`. `describe` names the request in a timeout message,
   * which says it got no answer within `shownTimeoutMs` (default `timeoutMs`): the caller's
   * whole timeout, when part of it went to a lookup or a dial first. When `signal` fires first,
   * the wait ends with CANCELLED.
   */
  add(id: string, timeoutMs: number, describe: () => string, shownTimeoutMs = timeoutMs, signal?: AbortSignal): Promise<Frame> {
    if (signal?.aborted) return Promise.reject(new Cancelled(`${describe()} was cancelled`));
    if (this.entries.size >= this.maxPending) {
      return Promise.reject(
        new BotzError(ErrorCode.TOO_MANY_PENDING, `more than ${this.maxPending} requests are waiting on this link`, {
          details: { limit: this.maxPending },
        }),
      );
    }
    return new Promise<Frame>((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      const entry: Entry = { resolve, reject, deadline, timeoutMs: shownTimeoutMs, describe };
      if (signal) {
        entry.signal = signal;
        entry.onAbort = () => this.fail(id, new Cancelled(`${describe()} was cancelled`));
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.entries.set(id, entry);
      if (deadline < this.armedFor) this.arm(deadline);
      else if (this.entries.size === 1) this.timer?.ref();
    });
  }

  /** Settles the wait for `re`; returns false when nobody waits for it (late or unknown). */
  settle(re: string, frame: Frame): boolean {
    const entry = this.entries.get(re);
    if (!entry) return false;
    this.entries.delete(re);
    release(entry);
    entry.resolve(frame);
    if (this.entries.size === 0) this.timer?.unref();
    return true;
  }

  fail(id: string, error: BotzError): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    release(entry);
    entry.reject(error);
    if (this.entries.size === 0) this.timer?.unref();
  }

  closeAll(error: BotzError): void {
    const all = [...this.entries.values()];
    this.entries.clear();
    this.disarm();
    for (const entry of all) {
      release(entry);
      entry.reject(error);
    }
  }

  private arm(at: number): void {
    clearTimeout(this.timer);
    this.armedFor = at;
    this.timer = setTimeout(() => this.sweep(), Math.max(0, at - Date.now()));
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  /** Times out every entry whose deadline passed, then re-arms for the earliest one left. */
  private sweep(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = Date.now();
    let next = Infinity;
    for (const [id, entry] of this.entries) {
      if (entry.deadline <= now) {
        this.entries.delete(id);
        release(entry);
        entry.reject(new Timeout(`${entry.describe()} got no answer within ${entry.timeoutMs} ms`, { details: { timeoutMs: entry.timeoutMs } }));
      } else if (entry.deadline < next) next = entry.deadline;
    }
    if (next !== Infinity) this.arm(next);
  }
}

/** Stops listening to the entry's AbortSignal: a long-lived signal must not collect listeners. */
function release(entry: Entry): void {
  if (entry.onAbort) entry.signal!.removeEventListener('abort', entry.onAbort);
}

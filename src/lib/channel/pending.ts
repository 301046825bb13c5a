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
import { timerDelay } from '../timer-limit.js';

/** How long a reply is waited for, and what a timeout or a cancellation says about it. */
export interface PendingWait {
  timeoutMs: number;
  /** Names the request in a timeout or cancellation message ("the request to "echo""). */
  describe: () => string;
  /**
   * The timeout a timeout message names (default `timeoutMs`): the caller's whole timeout, when
   * part of it went to a lookup or a dial first.
   */
  shownTimeoutMs?: number;
  /** Ends the wait with CANCELLED when it fires. */
  signal?: AbortSignal;
  /** Who should answer (a name, or the server); a timeout carries it as `details.peer`. */
  peer?: string;
}

interface Entry {
  resolve(frame: Frame): void;
  reject(error: BotzError): void;
  deadline: number;
  wait: PendingWait;
  /** Our listener on the wait's signal, removed when the entry settles. */
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

  /** Throws TOO_MANY_PENDING when no more requests may wait: check before sending one. */
  assertRoom(): void {
    if (this.entries.size >= this.maxPending) {
      throw new BotzError(ErrorCode.TOO_MANY_PENDING, `more than ${this.maxPending} requests are waiting on this link`, {
        details: { limit: this.maxPending },
      });
    }
  }

  /** Registers a wait for the reply to `id`; it ends by the reply, by its timeout, or by its signal. */
  add(id: string, wait: PendingWait): Promise<Frame> {
    const { signal } = wait;
    if (signal?.aborted) return Promise.reject(new Cancelled(`${wait.describe()} was cancelled`));
    try {
      this.assertRoom();
    } catch (error) {
      return Promise.reject(error as BotzError);
    }
    return new Promise<Frame>((resolve, reject) => {
      const deadline = Date.now() + wait.timeoutMs;
      const entry: Entry = { resolve, reject, deadline, wait };
      if (signal) {
        entry.onAbort = () => this.fail(id, new Cancelled(`${wait.describe()} was cancelled`));
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
    // Node fires a timer longer than 2^31-1 ms at once: cap it, and the sweep re-arms for the rest.
    this.timer = setTimeout(() => this.sweep(), timerDelay(at - Date.now()));
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
        entry.reject(timedOut(entry.wait));
      } else if (entry.deadline < next) next = entry.deadline;
    }
    if (next !== Infinity) this.arm(next);
  }
}

/** Stops listening to the entry's AbortSignal: a long-lived signal must not collect listeners. */
function release(entry: Entry): void {
  if (entry.onAbort) entry.wait.signal!.removeEventListener('abort', entry.onAbort);
}

function timedOut(wait: PendingWait): Timeout {
  const timeoutMs = wait.shownTimeoutMs ?? wait.timeoutMs;
  const details: Record<string, unknown> = { timeoutMs };
  if (wait.peer !== undefined) details.peer = wait.peer;
  return new Timeout(`${wait.describe()} got no answer within ${timeoutMs} ms`, { details });
}

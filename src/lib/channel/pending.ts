/**
 * The one way botz waits for an answer: a map of outstanding requests, each of which settles
 * exactly once: by its reply, by its timeout, by its signal, or by `closeAll` / `failWhere` when
 * what it waits on goes away — never left hanging. A channel keeps one for its own exchanges
 * (the handshake, raw peers in tests); a node keeps one for its calls, whatever path they took.
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
import { systemClock, type Clock, type TimerHandle } from '../clock.js';

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
  /** What the wait depends on (the channel a request left on): `failWhere` finds it by this. */
  tag?: unknown;
  /** The error a timeout ends it with, when "got no answer within" does not say what it waited for. */
  timedOut?: () => BotzError;
}

interface Entry<T> {
  resolve(value: T): void;
  reject(error: BotzError): void;
  deadline: number;
  wait: PendingWait;
  /** Our listener on the wait's signal, removed when the entry settles. */
  onAbort?: () => void;
}

export const DEFAULT_MAX_PENDING = 10_000;

export class PendingRequests<T = Frame> {
  private readonly entries = new Map<string, Entry<T>>();
  private timer: TimerHandle | undefined;
  /** When the armed timer fires (ms epoch); Infinity when none is armed. */
  private armedFor = Infinity;
  /** Whether the armed timer keeps the process alive (only while something waits). */
  private holding = false;

  constructor(
    readonly maxPending = DEFAULT_MAX_PENDING,
    private readonly clock: Clock = systemClock,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** True while a timer is armed that keeps the process running (only when something waits). */
  get holdsProcessOpen(): boolean {
    return this.timer !== undefined && this.holding;
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
  add(id: string, wait: PendingWait): Promise<T> {
    const { signal } = wait;
    if (signal?.aborted) return Promise.reject(new Cancelled(`${wait.describe()} was cancelled`));
    try {
      this.assertRoom();
    } catch (error) {
      return Promise.reject(error as BotzError);
    }
    return new Promise<T>((resolve, reject) => {
      const deadline = this.clock.now() + wait.timeoutMs;
      const entry: Entry<T> = { resolve, reject, deadline, wait };
      if (signal) {
        entry.onAbort = () => this.fail(id, new Cancelled(`${wait.describe()} was cancelled`));
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.entries.set(id, entry);
      if (deadline < this.armedFor) this.arm(deadline);
      else if (this.entries.size === 1) this.hold(true);
    });
  }

  /** Settles the wait for `re`; returns false when nobody waits for it (late or unknown). */
  settle(re: string, value: T): boolean {
    const entry = this.entries.get(re);
    if (!entry) return false;
    this.entries.delete(re);
    release(entry);
    entry.resolve(value);
    if (this.entries.size === 0) this.hold(false);
    return true;
  }

  fail(id: string, error: BotzError): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    release(entry);
    entry.reject(error);
    if (this.entries.size === 0) this.hold(false);
  }

  /** Fails every wait whose tag matches (the requests that left on a link that closed). */
  failWhere(matches: (tag: unknown) => boolean, error: BotzError): void {
    for (const [id, entry] of [...this.entries]) if (matches(entry.wait.tag)) this.fail(id, error);
  }

  /** Settles every wait with `value` (what they all waited for came). */
  settleAll(value: T): void {
    for (const id of [...this.entries.keys()]) this.settle(id, value);
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
    this.timer?.clear();
    this.armedFor = at;
    // The clock clamps a delay too long for a timer; the sweep re-arms for the rest.
    this.timer = this.clock.setTimeout(() => this.sweep(), at - this.clock.now());
    this.holding = true;
  }

  /** The armed timer keeps the process alive only while something waits. */
  private hold(on: boolean): void {
    if (this.holding === on || !this.timer) return;
    this.holding = on;
    if (on) this.timer.ref();
    else this.timer.unref();
  }

  private disarm(): void {
    this.timer?.clear();
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  /** Times out every entry whose deadline passed, then re-arms for the earliest one left. */
  private sweep(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = this.clock.now();
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
function release<T>(entry: Entry<T>): void {
  if (entry.onAbort) entry.wait.signal!.removeEventListener('abort', entry.onAbort);
}

function timedOut(wait: PendingWait): BotzError {
  if (wait.timedOut) return wait.timedOut();
  const timeoutMs = wait.shownTimeoutMs ?? wait.timeoutMs;
  const details: Record<string, unknown> = { timeoutMs };
  if (wait.peer !== undefined) details.peer = wait.peer;
  return new Timeout(`${wait.describe()} got no answer within ${timeoutMs} ms`, { details });
}

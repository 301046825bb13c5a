/**
 * The one clock behind every timer of a node: heartbeats, liveness, timeouts, retransmission,
 * mesh announcements, reconnect backoff. It is injected (a node's options carry it), so a test
 * can run all of those in virtual time, deterministically, with `ManualClock`: nothing about
 * time is left to the machine's load.
 *
 * Timers are one-shot; a periodic task re-arms itself. `unref` timers do not keep a process
 * alive (what Node's unref() says); the system clock honours it, the manual one ignores it.
 */
import { timerDelay } from './timer-limit.js';

export interface TimerHandle {
  /** Stops the timer; harmless if it fired or was cleared already. */
  clear(): void;
  /** Lets the process exit while this timer waits. */
  unref(): TimerHandle;
  /** Keeps the process alive while this timer waits (the default). */
  ref(): TimerHandle;
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `fn` once after `ms` (clamped to what a timer can hold; see timer-limit.ts). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
}

/** Real time, through Node's timers (read at call time, so vitest's fake timers apply to it too). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, timerDelay(ms));
    const handle: TimerHandle = {
      clear: () => clearTimeout(timer),
      unref: () => (timer.unref(), handle),
      ref: () => (timer.ref(), handle),
    };
    return handle;
  },
};

/** Milliseconds left until `deadline`, at least 1 (a timer of 0 would not mean "no time left"). */
export function remaining(clock: Clock, deadline: number): number {
  return Math.max(1, deadline - clock.now());
}

/** Runs `fn` every `ms` on `clock` until the returned handle is cleared. */
export function every(clock: Clock, ms: number, fn: () => void): TimerHandle {
  let current: TimerHandle;
  let stopped = false;
  let unrefd = false;
  const arm = (): void => {
    current = clock.setTimeout(() => {
      if (stopped) return;
      arm();
      fn();
    }, ms);
    if (unrefd) current.unref();
  };
  arm();
  const handle: TimerHandle = {
    clear: () => {
      stopped = true;
      current.clear();
    },
    unref: () => ((unrefd = true), current.unref(), handle),
    ref: () => ((unrefd = false), current.ref(), handle),
  };
  return handle;
}

interface Scheduled {
  at: number;
  seq: number;
  fn: () => void;
  cleared: boolean;
}

/**
 * Virtual time for tests and simulations: time stands still until `advance` (or `runUntil`)
 * moves it, and timers fire in deadline order (ties in the order they were set) as it passes
 * their deadline. Between timers, `advance` lets promise callbacks and I/O of the real event
 * loop run (a macrotask turn), so code that awaits between timers behaves as it would.
 */
export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly timers: Scheduled[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: Scheduled = { at: this.time + Math.max(0, ms), seq: this.seq++, fn, cleared: false };
    this.timers.push(timer);
    const handle: TimerHandle = {
      clear: () => void (timer.cleared = true),
      unref: () => handle,
      ref: () => handle,
    };
    return handle;
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order. */
  async advance(ms: number): Promise<void> {
    await this.runUntil(this.time + ms);
  }

  /** Moves time to `at`, firing every timer due on the way. */
  async runUntil(at: number): Promise<void> {
    for (;;) {
      await this.quiesce();
      const next = this.nextDue(at);
      if (!next) break;
      this.time = Math.max(this.time, next.at);
      next.cleared = true;
      next.fn();
    }
    this.time = Math.max(this.time, at);
    await this.quiesce();
  }

  /**
   * Lets what the last timer set off run to its end before time moves on: promise chains,
   * nextTicks and setImmediate hops (a message handed on, a packet flushed) may take several
   * turns of the event loop before they set the timer that comes next. Turns go on until
   * QUIET_TURNS in a row set no new timer.
   */
  private async quiesce(): Promise<void> {
    for (let quiet = 0; quiet < QUIET_TURNS; ) {
      const before = this.seq;
      await settle();
      quiet = this.seq === before ? quiet + 1 : 0;
    }
  }

  private nextDue(at: number): Scheduled | undefined {
    let best: Scheduled | undefined;
    for (let i = this.timers.length - 1; i >= 0; i--) {
      const t = this.timers[i];
      if (t.cleared) {
        this.timers.splice(i, 1);
        continue;
      }
      if (t.at <= at && (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq))) best = t;
    }
    return best;
  }
}

/** Event-loop turns without a new timer after which virtual time may move on. */
const QUIET_TURNS = 8;

/** One macrotask turn: pending promise callbacks, nextTicks and ready I/O run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

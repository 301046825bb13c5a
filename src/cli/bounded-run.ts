/**
 * Bounded runs of streaming verbs (`tail`, `components --watch`), as natscli's `--count` and
 * mosquitto's `-W`: stop after N items, or after a while; the exit code says which ended it
 * (0 for the count, or for the wait alone; 4, a timeout, when the wait ran out first).
 */
import { BotzError, ErrorCode } from '../lib/errors.js';
import { formatDuration } from './duration.js';

/** --count: how many items may still print, and a promise kept when none may. */
export class Counter {
  seen = 0;
  private resolve!: () => void;
  readonly reached = new Promise<void>((resolve) => (this.resolve = resolve));

  constructor(private readonly limit: number | undefined) {}

  get done(): boolean {
    return this.limit !== undefined && this.seen >= this.limit;
  }

  /** True when one more item may print (and counts it). */
  take(): boolean {
    if (this.done) return false;
    this.seen++;
    if (this.done) this.resolve();
    return true;
  }
}

/** --wait: a promise kept once it ran out (never without it), and whether it did. */
export interface Wait {
  promise: Promise<void>;
  cancel(): void;
  ranOut: boolean;
}

export function startWait(ms: number | undefined): Wait {
  let timer: NodeJS.Timeout | undefined;
  const w: Wait = {
    ranOut: false,
    promise: new Promise<void>((resolve) => {
      if (ms !== undefined) timer = setTimeout(() => ((w.ranOut = true), resolve()), ms);
    }),
    cancel: () => clearTimeout(timer),
  };
  return w;
}

/** A run ended by --wait before its --count: TIMEOUT (exit 4), saying how far it got. */
export function checkWaitedOut(wait: Wait, counter: Counter, bounds: { wait?: number; count?: number }, items: string): void {
  wait.cancel();
  if (wait.ranOut && bounds.count !== undefined && !counter.done) {
    throw new BotzError(ErrorCode.TIMEOUT, `--wait ${formatDuration(bounds.wait ?? 0)} ran out after ${counter.seen} of ${bounds.count} ${items}`, { details: { wait: true } });
  }
}

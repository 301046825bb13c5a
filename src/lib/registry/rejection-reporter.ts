/**
 * A RejectionDigest on a clock: each rejection is reported at once or counted, and the summary
 * of a flood is reported when its window ends. What a server and the Botzilla gateway both need
 * to log refusals without a line per packet of a flood.
 */
import type { Clock, TimerHandle } from '../clock.js';
import { RejectionDigest, type Rejection, type RejectionSummary } from './rejection-digest.js';

export class RejectionReporter<R extends Rejection> {
  private readonly digest = new RejectionDigest();
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly emit: (event: R | RejectionSummary) => void,
  ) {}

  /** Reports `rejection` now, or counts it into its flood's summary (reported when due). */
  report(rejection: R): void {
    if (this.digest.add(rejection)) this.emit(rejection);
    this.schedule();
  }

  /** No more timers; every summary still open is reported now. */
  stop(): void {
    this.stopped = true;
    this.timer?.clear();
    this.timer = undefined;
    for (const summary of this.digest.flush(this.clock.now())) this.emit(summary);
  }

  private schedule(): void {
    const dueAt = this.digest.nextDueAt;
    if (this.timer !== undefined || dueAt === undefined || this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      for (const summary of this.digest.due(this.clock.now())) this.emit(summary);
      this.schedule();
    }, Math.max(0, dueAt - this.clock.now()));
    this.timer.unref();
  }
}

/**
 * Sends waiting for room in the send window, oldest first: a queue without O(n) shifts or
 * removals. A send that timed out while waiting is only marked; taking passes over it.
 */
import type { BotzError } from '../errors.js';
import type { TimerHandle } from '../clock.js';
import type { Body, Headers } from '../wire/values.js';

/** One `send()` of a ReliableLink until it settles: waiting, then numbered in the window. */
export interface PendingSend {
  body: Body;
  headers?: Headers;
  resolve(): void;
  reject(error: BotzError): void;
  settled: boolean;
  /** Still in the waiting queue (not yet numbered). */
  queued: boolean;
  timer: TimerHandle | undefined;
}

export class WaitingSends {
  private items: PendingSend[] = [];
  private head = 0;
  /** Live sends in the queue: timed-out ones stay in it until taking passes them, uncounted. */
  count = 0;

  push(p: PendingSend): void {
    p.queued = true;
    this.items.push(p);
    this.count++;
  }

  /** Takes `p` out of the count (it timed out); its slot is passed over later. */
  drop(p: PendingSend): void {
    if (!p.queued) return;
    p.queued = false;
    this.count--;
  }

  /** The oldest live send, taken out of the queue; undefined when none waits. */
  shift(): PendingSend | undefined {
    while (this.head < this.items.length) {
      const p = this.items[this.head++];
      if (!p.queued) continue;
      p.queued = false;
      this.count--;
      this.compact();
      return p;
    }
    this.compact();
    return undefined;
  }

  /** Empties the queue; returns the live sends that were in it. */
  clear(): PendingSend[] {
    const live = this.items.slice(this.head).filter((p) => p.queued);
    for (const p of live) p.queued = false;
    this.items = [];
    this.head = 0;
    this.count = 0;
    return live;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/**
 * The one owner of a channel's outstanding requests. Each entry settles exactly once: by its
 * reply, by its timeout, or by `closeAll` when the channel goes away — never left hanging.
 */
import { BotzError, ErrorCode, Timeout } from '../errors.js';
import type { Frame } from '../wire/frames.js';

interface Entry {
  resolve(frame: Frame): void;
  reject(error: BotzError): void;
  timer: NodeJS.Timeout;
}

export const DEFAULT_MAX_PENDING = 10_000;

export class PendingRequests {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly maxPending = DEFAULT_MAX_PENDING) {}

  get size(): number {
    return this.entries.size;
  }

  /** Registers a wait for the reply to `id`. `describe` names the request in a timeout message. */
  add(id: string, timeoutMs: number, describe: () => string): Promise<Frame> {
    if (this.entries.size >= this.maxPending) {
      return Promise.reject(
        new BotzError(ErrorCode.TOO_MANY_PENDING, `more than ${this.maxPending} requests are waiting on this link`, {
          details: { limit: this.maxPending },
        }),
      );
    }
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.entries.delete(id);
        reject(new Timeout(`${describe()} got no answer within ${timeoutMs} ms`, { details: { timeoutMs } }));
      }, timeoutMs);
      this.entries.set(id, { resolve, reject, timer });
    });
  }

  /** Settles the wait for `frame.re`; returns false when nobody waits for it (late or unknown). */
  settle(re: string, frame: Frame): boolean {
    const entry = this.entries.get(re);
    if (!entry) return false;
    this.entries.delete(re);
    clearTimeout(entry.timer);
    entry.resolve(frame);
    return true;
  }

  fail(id: string, error: BotzError): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    clearTimeout(entry.timer);
    entry.reject(error);
  }

  closeAll(error: BotzError): void {
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const entry of all) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
  }
}

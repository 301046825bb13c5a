/**
 * Keeps dialed links up: an address this node dialed is dialed again, with the one backoff of
 * botz (exponential, full jitter: backoff.ts), whenever the link to it drops — until it is hung
 * up or the node stops. Links that discovery or the other end made are not ours to restore.
 */
import { backoffDelay } from '../backoff.js';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';

export interface RedialerDeps {
  dial(address: string): Promise<string>;
  /** Backoff base in ms: the first retry comes within it; each failure doubles the cap, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  clock?: Clock;
  /** The jitter's random source, [0, 1) (tests make it fixed). */
  random?: () => number;
}

interface Target {
  peer: string;
  attempt: number;
  timer?: TimerHandle;
}

export class Redialer {
  private readonly targets = new Map<string, Target>();
  private stopped = false;

  constructor(private readonly deps: RedialerDeps) {}

  /** Remembers that `address` (reached `peer`) should stay linked. */
  add(address: string, peer: string): void {
    const t = this.targets.get(address);
    if (t) {
      t.timer?.clear();
      t.timer = undefined;
    }
    this.targets.set(address, { peer, attempt: 0 });
  }

  /** Forgets every target matching the peer name or address (a hangup). */
  remove(nameOrAddress: string): void {
    for (const [address, t] of this.targets) {
      if (address === nameOrAddress || t.peer === nameOrAddress) {
        t.timer?.clear();
        this.targets.delete(address);
      }
    }
  }

  /** The link to `peer` dropped: schedule a redial of every address that reached it. */
  linkDown(peer: string): void {
    for (const [address, t] of this.targets) if (t.peer === peer) this.schedule(address, t);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.targets.values()) t.timer?.clear();
    this.targets.clear();
  }

  /** Addresses being kept up, sorted. */
  addresses(): string[] {
    return [...this.targets.keys()].sort();
  }

  private schedule(address: string, t: Target): void {
    if (this.stopped || t.timer) return;
    const { baseDelayMs: baseMs, maxDelayMs: maxMs, clock = systemClock, random } = this.deps;
    const delay = backoffDelay(t.attempt, { baseMs, maxMs }, random);
    t.timer = clock.setTimeout(() => {
      t.timer = undefined;
      if (this.targets.get(address) !== t) return;
      t.attempt++;
      this.deps.dial(address).then(
        (peer) => {
          if (this.targets.get(address) === t) {
            t.peer = peer;
            t.attempt = 0;
          }
        },
        () => this.targets.get(address) === t && this.schedule(address, t),
      );
    }, delay);
    t.timer.unref();
  }
}

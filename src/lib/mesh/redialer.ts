/**
 * Keeps dialed links up: an address this node dialed is dialed again, with exponential
 * backoff, whenever the link to it drops — until it is hung up or the node stops. Links that
 * discovery or the other end made are not ours to restore.
 */

export interface RedialerDeps {
  dial(address: string): Promise<string>;
  /** First retry delay in ms; each failure doubles it, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

interface Target {
  peer: string;
  attempt: number;
  timer?: NodeJS.Timeout;
}

export class Redialer {
  private readonly targets = new Map<string, Target>();
  private stopped = false;

  constructor(private readonly deps: RedialerDeps) {}

  /** Remembers that `address` (reached `peer`) should stay linked. */
  add(address: string, peer: string): void {
    const t = this.targets.get(address);
    if (t) {
      clearTimeout(t.timer);
      t.timer = undefined;
    }
    this.targets.set(address, { peer, attempt: 0 });
  }

  /** Forgets every target matching the peer name or address (a hangup). */
  remove(nameOrAddress: string): void {
    for (const [address, t] of this.targets) {
      if (address === nameOrAddress || t.peer === nameOrAddress) {
        clearTimeout(t.timer);
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
    for (const t of this.targets.values()) clearTimeout(t.timer);
    this.targets.clear();
  }

  /** Addresses being kept up, sorted. */
  addresses(): string[] {
    return [...this.targets.keys()].sort();
  }

  private schedule(address: string, t: Target): void {
    if (this.stopped || t.timer) return;
    const delay = Math.min(this.deps.maxDelayMs, this.deps.baseDelayMs * 2 ** t.attempt);
    t.timer = setTimeout(() => {
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
    t.timer.unref?.();
  }
}

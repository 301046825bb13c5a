/**
 * Who is tailing, and what they want to see. Components report traffic only while at least
 * one tail is open: the hub calls `setTracing(true)` when the first subscriber arrives and
 * `setTracing(false)` when the last leaves, and the server tells every link. With no tail open,
 * reporting costs a component one boolean test per message.
 */
import type { Channel } from '../channel/channel.js';
import type { TrafficEvent } from '../wire/frames.js';

export class TrafficHub {
  /** subscriber → names it follows (empty: everything), and whether it wants bodies. */
  private readonly subscribers = new Map<Channel, { names: Set<string>; bodies: boolean }>();
  private bodies = false;

  constructor(private readonly setTracing: (on: boolean, bodies: boolean) => void) {}

  /** Whether reports should carry bodies right now. */
  get wantsBodies(): boolean {
    return this.bodies;
  }

  get active(): boolean {
    return this.subscribers.size > 0;
  }

  add(ch: Channel, names: string[], bodies: boolean): void {
    this.subscribers.set(ch, { names: new Set(names), bodies });
    this.update();
  }

  remove(ch: Channel): void {
    if (this.subscribers.delete(ch)) this.update();
  }

  private lastSent: string | undefined;

  /** Tells the links only when tracing turns on or off, or bodies are wanted or not. */
  private update(): void {
    this.bodies = [...this.subscribers.values()].some((s) => s.bodies);
    const state = `${this.active}/${this.bodies}`;
    if (state === this.lastSent || (!this.active && this.lastSent === undefined)) return;
    this.lastSent = state;
    this.setTracing(this.active, this.bodies);
  }

  /**
   * Best effort, tail by tail: an event that cannot be sent to one (re-wrapped for a longer
   * name, it outgrows the packet limit) is skipped for that tail only, as MeshControl.push does.
   */
  publish(event: TrafficEvent): void {
    for (const [ch, { names, bodies }] of this.subscribers) {
      if (names.size > 0 && !names.has(event.from) && !names.has(event.to)) continue;
      try {
        ch.send({ type: 'trace', event: bodies || event.body === undefined ? event : { ...event, body: undefined } });
      } catch {
        // Too large for this tail's packets: it misses this one event, nobody else is affected.
      }
    }
  }
}

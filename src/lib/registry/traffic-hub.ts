/**
 * Who is tailing, and what they want to see. Components report traffic only while at least
 * one tail is open: the hub calls `setTracing(true)` when the first subscriber arrives and
 * `setTracing(false)` when the last leaves, and the server tells every link. With no tail open,
 * reporting costs a component one boolean test per message.
 *
 * Every event goes out once per tail, so tails are what a peer could use to make the server
 * amplify: the hub serves at most `maxTails` of them (one per link), and never queues more than
 * `maxBufferedBytes` on a tail's link. A tail that does not keep up loses events instead, counted;
 * once its link has drained it is told how many (a `dropped` event) before the next one.
 */
import { BotzError, ErrorCode } from '../errors.js';
import type { Channel } from '../channel/channel.js';
import type { LinkChange, TrafficEvent } from '../wire/frames.js';
import { followsNames } from '../wire/names.js';

/** Tails one server serves at once: each one costs a copy of every traffic event. */
export const DEFAULT_MAX_TAILS = 32;
/**
 * Bytes queued on a tail's link past which its events are dropped. A tail that reads keeps this
 * near zero; 1 MiB is several seconds of a busy network's events without bodies.
 */
export const DEFAULT_MAX_TAIL_BUFFERED_BYTES = 1024 * 1024;

export interface TrafficHubOptions {
  /** Tells every link to report traffic (or stop), and whether with bodies. */
  setTracing(on: boolean, bodies: boolean): void;
  /** Tails served at once (default DEFAULT_MAX_TAILS). */
  maxTails?: number;
  /** Bytes queued on a tail's link past which its events are dropped (default DEFAULT_MAX_TAIL_BUFFERED_BYTES). */
  maxBufferedBytes?: number;
  /** Time for the `dropped` events' stamps. */
  now?: () => number;
  /** Who the tails are tails of, for the limit's message ("the server", "mesh node n1"). */
  owner?: string;
  /** This hub's own tails started or stopped wanting traffic (other servers of the network must report to it). */
  onDemand?(on: boolean, bodies: boolean): void;
}

interface Tail {
  /** Names it follows (empty: everything). */
  names: Set<string>;
  bodies: boolean;
  /** Events it was not sent since it was last told. */
  dropped: number;
}

export class TrafficHub {
  private readonly tails = new Map<Channel, Tail>();
  private readonly maxTails: number;
  private readonly maxBufferedBytes: number;
  private bodies = false;
  private droppedTotal = 0;
  private lastSent: string | undefined;
  /** Tails elsewhere (on other servers of the network) that want this hub's traffic too. */
  private external = { on: false, bodies: false };
  private lastDemand = 'false/false';

  constructor(private readonly options: TrafficHubOptions) {
    this.maxTails = options.maxTails ?? DEFAULT_MAX_TAILS;
    this.maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_TAIL_BUFFERED_BYTES;
  }

  /** Whether reports should carry bodies right now. */
  get wantsBodies(): boolean {
    return this.bodies;
  }

  get active(): boolean {
    return this.tails.size > 0;
  }

  /** Whether the links should report traffic: for tails here or for tails on other servers. */
  get tracing(): boolean {
    return this.active || this.external.on;
  }

  /** What tails on other servers want of this server's traffic (issue 16). */
  setExternalDemand(on: boolean, bodies: boolean): void {
    this.external = { on, bodies: on && bodies };
    this.update();
  }

  /** Tails open now. */
  get size(): number {
    return this.tails.size;
  }

  /** Events not sent to tails that did not keep up, since the start. */
  get dropped(): number {
    return this.droppedTotal;
  }

  /**
   * Makes `ch` a tail, or changes what its tail follows (a link has one tail at most). Throws
   * LIMIT_REACHED when a new tail would pass the limit.
   */
  add(ch: Channel, names: string[], bodies: boolean): void {
    const existing = this.tails.get(ch);
    if (!existing && this.tails.size >= this.maxTails) {
      throw new BotzError(ErrorCode.LIMIT_REACHED, `${this.options.owner ?? "the server"}'s tail limit is reached: ${this.maxTails} tails are open`, {
        details: { limit: this.maxTails },
      });
    }
    this.tails.set(ch, { names: new Set(names), bodies, dropped: existing?.dropped ?? 0 });
    this.update();
  }

  remove(ch: Channel): void {
    if (this.tails.delete(ch)) this.update();
  }

  /** Tells the links only when tracing turns on or off, or bodies are wanted or not. */
  private update(): void {
    const ownBodies = [...this.tails.values()].some((s) => s.bodies);
    const demand = `${this.active}/${ownBodies}`;
    if (demand !== this.lastDemand) {
      this.lastDemand = demand;
      this.options.onDemand?.(this.active, ownBodies);
    }
    this.bodies = ownBodies || this.external.bodies;
    const state = `${this.tracing}/${this.bodies}`;
    if (state === this.lastSent || (!this.tracing && this.lastSent === undefined)) return;
    this.lastSent = state;
    this.options.setTracing(this.tracing, this.bodies);
  }

  /**
   * Best effort, tail by tail: an event that cannot be sent to one (re-wrapped for a longer
   * name, it outgrows the packet limit) is skipped for that tail only;
   * one whose link is backed up is dropped for it and counted.
   */
  publish(event: TrafficEvent | LinkChange): void {
    for (const [ch, tail] of this.tails) {
      if (!followsNames(tail.names, event.kind === 'link' ? [event.node, event.peer] : [event.from, event.to])) continue;
      if (!this.hasRoom(ch, tail)) {
        tail.dropped++;
        this.droppedTotal++;
        continue;
      }
      try {
        ch.send({ type: 'trace', event: tail.bodies || event.kind === 'link' || event.body === undefined ? event : { ...event, body: undefined } });
      } catch {
        // Too large for this tail's packets: it misses this one event, nobody else is affected.
      }
    }
  }

  /** Tells each tail that lost events and has drained since how many it missed (the server's tick calls this). */
  reportDrops(): void {
    for (const [ch, tail] of this.tails) if (tail.dropped > 0) this.hasRoom(ch, tail);
  }

  /**
   * True when `ch` can take another event. A tail that has been losing events must drain to half
   * the limit first (so it does not flap between sent and dropped), and is then told how many.
   */
  private hasRoom(ch: Channel, tail: Tail): boolean {
    const queued = ch.link.bufferedAmount;
    if (tail.dropped === 0) return queued <= this.maxBufferedBytes;
    if (queued > this.maxBufferedBytes / 2) return false;
    ch.send({ type: 'trace', event: { at: (this.options.now ?? Date.now)(), kind: 'dropped', dropped: tail.dropped } });
    tail.dropped = 0;
    return true;
  }
}

/**
 * The link-state half of a mesh node: this node's announcements (incarnation and seq), the
 * periodic tick that refreshes them and ages out silent origins, the flooding of
 * announcements over the node's links, and the route table cached until the database
 * changes. It never opens or closes a link: mesh-links.ts owns the links and tells it when
 * they change, so the flooding rules can be read (and tested) apart from link management.
 */
import type { Channel } from '../channel/channel.js';
import { MAX_MSA_NEIGHBOURS, MAX_MSA_NUMBER, type MeshIdentity, type MsaFrame } from '../wire/mesh-frames.js';
import { every, type Clock, type TimerHandle } from '../clock.js';
import { shortestPaths, type Routes } from './routing.js';
import { isNewer, type Announcement, type Topology } from './topology.js';
import type { BotzError } from '../errors.js';

/** All the announcer needs of a link: a way to send on it. */
export type MsaSink = Pick<Channel, 'send'>;

export interface AnnouncerDeps {
  /** This node's name: the origin of its own announcements. */
  name: string;
  topology: Topology;
  /** The installed links by peer name (read, never changed, here): what is announced and flooded over. */
  links(): ReadonlyMap<string, MsaSink>;
  clock: Clock;
  /** The period of the tick that re-announces and ages out state. */
  intervalMs: number;
  /** This run's first incarnation (default: the clock at start). */
  incarnation?: number;
  /** The database changed, so routes may have. */
  onChange(): void;
  /** A credential node's signed mesh key, announced with its links (sealing.ts). */
  identity?: MeshIdentity;
  /** A credential node signs each of its announcements (sealing.ts) ... */
  sign?(msa: Announcement): string;
  /** ... and refuses any it receives that its origin did not sign (the error says why; it is counted). */
  refuse?(msa: MsaFrame, from: string): BotzError | undefined;
}

/**
 * The highest seq of our own that we take over from an earlier run's state: it leaves 2^51
 * announcements of room below MAX_MSA_NUMBER (an honest run reaches a few million in years).
 * A higher one, honest or forged, is outnumbered by a new incarnation instead of copied.
 */
export const MAX_ADOPTED_SEQ = MAX_MSA_NUMBER / 2;

/** What a node counts of announcements since start. */
export interface MsaCounters {
  msaSent: number;
  msaReceived: number;
  msaAccepted: number;
  /** Announcements a credential node refused: not signed by their origin (never stored or passed on). */
  msaRefused: number;
}

export class Announcer {
  readonly counters: MsaCounters = { msaSent: 0, msaReceived: 0, msaAccepted: 0, msaRefused: 0 };
  private incarnation: number;
  private seq = 0;
  private timer: TimerHandle | undefined;
  private announceScheduled = false;
  private cachedRoutes: Routes | undefined;
  private stopped = false;

  constructor(private readonly deps: AnnouncerDeps) {
    // The start time orders this run's announcements after any earlier run's. (Whole ms: a
    // fractional or out-of-range incarnation would make every neighbour reject ours.)
    this.incarnation = Math.min(Math.max(Math.floor(deps.incarnation ?? deps.clock.now()), 0), MAX_MSA_NUMBER);
  }

  /** Announces this node at once, then every `intervalMs`. */
  start(): void {
    this.announce();
    this.timer = every(this.deps.clock, this.deps.intervalMs, () => this.tick()).unref();
  }

  /** Stops the tick; nothing is announced from now on. */
  stop(): void {
    this.stopped = true;
    this.timer?.clear();
  }

  /** Floods a fresh announcement of this node's links now. */
  announce(): void {
    this.announceScheduled = false;
    if (this.stopped) return;
    const { name, topology, clock } = this.deps;
    // Past the cap, a valid msa could not name them all (see MAX_MSA_NEIGHBOURS): the first ones.
    const neighbours = [...this.deps.links().keys()].sort().slice(0, MAX_MSA_NEIGHBOURS);
    const { identity } = this.deps;
    const msa: Announcement = { origin: name, incarnation: this.incarnation, seq: ++this.seq, neighbours, ...(identity ? { identity } : {}) };
    if (this.deps.sign) msa.sig = this.deps.sign(msa);
    topology.accept(msa, clock.now());
    this.changed();
    this.flood(msa);
  }

  /** Announces at the end of this turn. */
  scheduleAnnounce(): void {
    if (this.announceScheduled) return;
    this.announceScheduled = true;
    // Links that come up in the same turn share one announcement.
    this.deps.clock.setTimeout(() => this.announceScheduled && this.announce(), 0);
  }

  /** Shortest paths over the current database, computed once per change. */
  routeTable(): Routes {
    this.cachedRoutes ??= shortestPaths(this.deps.topology.graph(), this.deps.name);
    return this.cachedRoutes;
  }

  /** Catches a new neighbour up: every announcement held (each one best effort, see trySend). */
  sendDatabase(ch: MsaSink): void {
    for (const msa of this.deps.topology.all()) this.trySend(ch, msa);
  }

  /** Sends this node's own state, if it has announced, on one link. */
  sendOwn(ch: MsaSink): void {
    const own = this.deps.topology.get(this.deps.name);
    if (own) this.trySend(ch, own);
  }

  /**
   * An announcement received from neighbour `from`. A newer one is stored and flooded on to
   * every link but the one it came in on; an old or duplicate one stops there, which is what
   * ends a flood around a loop:
   *
   *   a --msa(a,7)--> b         newer than b holds: stored, flooded to c and d
   *                   b --> c   newer: stored, flooded to d
   *                   b --> d   newer: stored, flooded to c
   *                   c --> d   not newer: dropped
   *                   d --> c   not newer: dropped
   */
  receive(frame: MsaFrame, from: string): void {
    this.counters.msaReceived++;
    const { name, topology, clock } = this.deps;
    if (frame.origin === name) {
      // Our own state is ours to say. But a newer one means an earlier run of ours (with a
      // clock ahead of ours) still has state out there, or someone forged one: outnumber it,
      // or it would win.
      const own = topology.get(name);
      if (own && isNewer(frame, own) && !this.refused(frame, from)) this.outnumber(frame);
      return;
    }
    // Old or duplicate (most of a flood): dropped before any signature is checked.
    const held = topology.get(frame.origin);
    if ((held && !isNewer(frame, held)) || this.refused(frame, from)) return;
    const { origin, incarnation, seq, neighbours, identity, sig } = frame;
    const msa: Announcement = { origin, incarnation, seq, neighbours, ...(identity ? { identity } : {}), ...(sig ? { sig } : {}) };
    if (!topology.accept(msa, clock.now())) return;
    this.counters.msaAccepted++;
    this.changed();
    this.flood(msa, from);
  }

  /**
   * Takes numbers newer than `held` (a state of ours out there) that still leave room to count
   * up, and announces with them. An earlier run's incarnation is taken over with its seq, as
   * long as the seq is an honest one (≤ MAX_ADOPTED_SEQ). A higher seq, which only a forger
   * sends, is never copied: we start an incarnation of our own, newer than both, at seq 0.
   * A state at MAX_MSA_NUMBER itself cannot be outnumbered by any valid msa: we keep ours, and
   * our neighbours believe us again once that state ages out (msaMaxAgeMs, as nobody refreshes it).
   */
  private outnumber(held: { incarnation: number; seq: number }): void {
    if (held.seq <= MAX_ADOPTED_SEQ) {
      this.incarnation = held.incarnation;
      this.seq = held.seq;
    } else {
      const incarnation = Math.max(held.incarnation, this.incarnation, Math.floor(this.deps.clock.now())) + 1;
      if (incarnation > MAX_MSA_NUMBER) return;
      this.incarnation = incarnation;
      this.seq = 0;
    }
    this.announce();
  }

  /** True (and counted) when a credential node refuses the announcement. */
  private refused(frame: MsaFrame, from: string): boolean {
    if (!this.deps.refuse?.(frame, from)) return false;
    this.counters.msaRefused++;
    return true;
  }

  private tick(): void {
    if (this.deps.topology.prune(this.deps.clock.now()).length > 0) this.changed();
    this.announce();
  }

  /** Routes must be recomputed; listeners waiting for a route hear of it. */
  private changed(): void {
    this.cachedRoutes = undefined;
    this.deps.onChange();
  }

  private flood(msa: Announcement, except?: string): void {
    for (const [peer, ch] of this.deps.links()) {
      if (peer !== except) this.trySend(ch, msa);
    }
  }

  /**
   * Sends one announcement on one link, best effort: this runs inside a link's frame handler
   * (and timers), where a throw would end the process. A link that cannot take it (closed, or
   * the msa too large with our `from`) is skipped; the others still get it, and the link's
   * own close (if any) is handled where links are.
   */
  private trySend(ch: MsaSink, msa: Announcement): void {
    try {
      ch.send({ type: 'msa', ...msa });
      this.counters.msaSent++;
    } catch {
      // Skipped: see above. The next periodic announcement tries again.
    }
  }
}

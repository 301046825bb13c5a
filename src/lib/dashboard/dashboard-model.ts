/**
 * What the dashboard shows, as pure state: the components, membership events, message rates,
 * the recent traffic and the rejections, fed with events and asked for what changed since the
 * last push. No sockets and no timers: the feed calls `flush(now)` on its own clock, so one
 * push carries a whole interval's changes however many events arrived (the page's cost and
 * the server's are per interval, not per message).
 *
 * Everything held is bounded: the traffic ring, the event ring, the rate history, and the
 * bodies (truncated) — a network of any size or rate costs the dashboard a fixed amount.
 */
import type { ComponentInfo, MemberEvent, TrafficEvent } from '../wire/frames.js';

export interface DashboardLimits {
  /** Traffic rows kept for the tail (the page filters these), with their bodies when captured. */
  traffic: number;
  /** Traffic events sent in one push at most; the rest of a busy interval is only counted. */
  trafficPerPush: number;
  /** Membership events kept. */
  events: number;
  /** Points of the network's rate history (one per flush). */
  ratePoints: number;
  /** Characters of a body kept for "bodies on demand". */
  bodyChars: number;
}

export const DEFAULT_DASHBOARD_LIMITS: DashboardLimits = { traffic: 500, trafficPerPush: 100, events: 200, ratePoints: 120, bodyChars: 4096 };

/** One line of the traffic tail as the page gets it (the body travels only on request). */
export interface TrafficRow {
  seq: number;
  at: number;
  from: string;
  to: string;
  kind: TrafficEvent['kind'];
  size: number;
  path: TrafficEvent['path'];
  latencyMs?: number;
  /** A body was captured for this row (fetch it by `seq`). */
  hasBody: boolean;
}

export interface MemberRow {
  at: number;
  type: MemberEvent;
  name: string;
}

/** Messages per second over the last interval: the network's and each busy component's. */
export interface RatePoint {
  at: number;
  network: number;
  /** Only components that sent or received something in the interval. */
  byComponent: Record<string, number>;
}

/** A mesh topology: nodes and undirected edges. */
export interface TopologyView {
  self: string;
  nodes: string[];
  edges: [string, string][];
}

/** A push to the page: a full snapshot (`full`) or what changed since the previous push. */
export interface DashboardUpdate {
  full: boolean;
  at: number;
  /** Components added or changed (all of them when `full`). */
  components: ComponentInfo[];
  /** Names that left. */
  removed: string[];
  events: MemberRow[];
  traffic: TrafficRow[];
  /** Traffic events of this interval not sent (over `trafficPerPush`): counted, not lost from the rates. */
  trafficSkipped: number;
  /** Traffic events the server did not send us since the start (our tail fell behind): in the network rate, in no row. */
  trafficDropped: number;
  /** The rate history (all of it when `full`, else the newest point). */
  rates: RatePoint[];
  /** Rejected packets and connections by code (a running total), when the source knows them. */
  rejected?: Record<string, number>;
  topology?: TopologyView;
}

export class DashboardModel {
  private readonly components = new Map<string, ComponentInfo>();
  private readonly changed = new Set<string>();
  private readonly removed = new Set<string>();
  private readonly eventRing: MemberRow[] = [];
  private newEvents: MemberRow[] = [];
  private readonly trafficRing: TrafficRow[] = [];
  private readonly bodies = new Map<number, string>();
  private newTraffic: TrafficRow[] = [];
  private skipped = 0;
  private dropped = 0;
  private seq = 0;
  private readonly rateHistory: RatePoint[] = [];
  private intervalCount = 0;
  private intervalBy = new Map<string, number>();
  private lastFlush: number;
  private rejected: Record<string, number> | undefined;
  private topology: TopologyView | undefined;
  private topologyChanged = false;

  constructor(
    now: number,
    readonly limits: DashboardLimits = DEFAULT_DASHBOARD_LIMITS,
  ) {
    this.lastFlush = now;
  }

  get componentCount(): number {
    return this.components.size;
  }

  /** Replaces the component list (a fresh `list` from the server). */
  setComponents(list: readonly ComponentInfo[]): void {
    const names = new Set(list.map((c) => c.name));
    for (const name of this.components.keys()) if (!names.has(name)) this.forget(name);
    for (const c of list) this.upsert(c);
  }

  member(type: MemberEvent, component: ComponentInfo, at: number): void {
    if (type === 'leave') this.forget(component.name);
    else this.upsert(component);
    const row = { at, type, name: component.name };
    push(this.eventRing, row, this.limits.events);
    this.newEvents.push(row);
    if (this.newEvents.length > this.limits.events) this.newEvents.shift();
  }

  traffic(event: TrafficEvent): void {
    this.intervalCount++;
    this.intervalBy.set(event.from, (this.intervalBy.get(event.from) ?? 0) + 1);
    if (event.to !== event.from) this.intervalBy.set(event.to, (this.intervalBy.get(event.to) ?? 0) + 1);
    // Past the per-push bound an event only counts: the tail (and its bodies) holds what pages
    // were shown, so a body a page offers is still here when it is asked for, at any rate.
    if (this.newTraffic.length >= this.limits.trafficPerPush) {
      this.skipped++;
      return;
    }
    const seq = ++this.seq;
    const hasBody = event.body !== undefined;
    const row: TrafficRow = { seq, at: event.at, from: event.from, to: event.to, kind: event.kind, size: event.size, path: event.path, hasBody };
    if (event.latencyMs !== undefined) row.latencyMs = event.latencyMs;
    const evicted = push(this.trafficRing, row, this.limits.traffic);
    if (evicted) this.bodies.delete(evicted.seq);
    if (hasBody) this.bodies.set(seq, truncate(JSON.stringify(event.body) ?? 'null', this.limits.bodyChars));
    this.newTraffic.push(row);
  }

  /** The server dropped `n` traffic events for our tail (it fell behind): they still count in the network's rate. */
  droppedTraffic(n: number): void {
    this.intervalCount += n;
    this.dropped += n;
  }

  setRejected(counts: Record<string, number>): void {
    this.rejected = { ...counts };
  }

  /** A topology read again: pushed only when it differs (the page lays the graph out anew for each). */
  setTopology(topology: TopologyView): void {
    if (this.topology && JSON.stringify(this.topology) === JSON.stringify(topology)) return;
    this.topology = topology;
    this.topologyChanged = true;
  }

  /** The captured body of traffic row `seq` (JSON text, perhaps truncated), while it is in the ring. */
  body(seq: number): string | undefined {
    return this.bodies.get(seq);
  }

  /** Everything, for a page that just connected (or fell behind). */
  snapshot(now: number): DashboardUpdate {
    return {
      full: true,
      at: now,
      components: [...this.components.values()],
      removed: [],
      events: [...this.eventRing],
      traffic: [...this.trafficRing],
      trafficSkipped: 0,
      trafficDropped: this.dropped,
      rates: [...this.rateHistory],
      ...(this.rejected ? { rejected: this.rejected } : {}),
      ...(this.topology ? { topology: this.topology } : {}),
    };
  }

  /** Closes the interval: the rate point for it, and what changed since the last flush. */
  flush(now: number): DashboardUpdate {
    const seconds = Math.max(0.001, (now - this.lastFlush) / 1000);
    this.lastFlush = now;
    const byComponent: Record<string, number> = {};
    for (const [name, n] of this.intervalBy) byComponent[name] = round(n / seconds);
    const point: RatePoint = { at: now, network: round(this.intervalCount / seconds), byComponent };
    push(this.rateHistory, point, this.limits.ratePoints);
    this.intervalCount = 0;
    this.intervalBy = new Map();
    const update: DashboardUpdate = {
      full: false,
      at: now,
      components: [...this.changed].flatMap((n) => this.components.get(n) ?? []),
      removed: [...this.removed],
      events: this.newEvents,
      traffic: this.newTraffic,
      trafficSkipped: this.skipped,
      trafficDropped: this.dropped,
      rates: [point],
      ...(this.rejected ? { rejected: this.rejected } : {}),
      ...(this.topologyChanged && this.topology ? { topology: this.topology } : {}),
    };
    this.changed.clear();
    this.removed.clear();
    this.newEvents = [];
    this.newTraffic = [];
    this.skipped = 0;
    this.topologyChanged = false;
    return update;
  }

  private upsert(c: ComponentInfo): void {
    this.components.set(c.name, c);
    this.changed.add(c.name);
    this.removed.delete(c.name);
  }

  private forget(name: string): void {
    if (!this.components.delete(name)) return;
    this.changed.delete(name);
    this.removed.add(name);
  }
}

/** Appends to a bounded ring; returns what fell off the front. */
function push<T>(ring: T[], item: T, capacity: number): T | undefined {
  ring.push(item);
  return ring.length > capacity ? ring.shift() : undefined;
}

function truncate(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, chars)}… (${text.length - chars} more characters)`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/**
 * Feeds the dashboard's pages from a network source (a Client of the network, or the server
 * itself): it follows the network only while at least one page is open. With no page open it
 * holds no tail subscription (so the server does not even ask components to report traffic),
 * runs no timer and does no work. With pages open it pushes once per interval, whatever the
 * traffic: one update, sent to each page that keeps up; a page that does not (its connection
 * holds more than its bound) gets nothing until it drains, then one full snapshot.
 */
import { every, type Clock, type TimerHandle } from '../clock.js';
import type { Body, ComponentInfo } from '../wire/frames.js';
import type { TailEvent } from '../node/subscriptions.js';
import { DashboardModel, DEFAULT_DASHBOARD_LIMITS, type DashboardLimits, type DashboardUpdate, type TopologyView } from './dashboard-model.js';

/** What the dashboard reads the network through. A Client has the first two. */
export interface DashboardSource {
  components(): Promise<ComponentInfo[]>;
  tail(options: { bodies?: boolean }, listener: (e: TailEvent) => void): Promise<() => Promise<void>>;
  /** Rejected packets and connections by code (the server knows them; a client does not). */
  rejected?(): Record<string, number>;
  /** The mesh as one node sees it, when a mesh node was named. */
  topology?(): Promise<TopologyView>;
  /** Sends a test request (only used when actions are enabled). */
  send?(target: string, body: Body): Promise<Body>;
  /** Asks a component to shut down (the Botica shutdownRequest, not forced): its answer. */
  shutdown?(name: string): Promise<{ ready: boolean }>;
}

/** One open page. */
export interface Viewer {
  /** True while the page's connection holds more than its bound: it gets nothing until it drains. */
  readonly backlogged: boolean;
  push(update: DashboardUpdate): void;
}

export interface DashboardFeedOptions {
  source: DashboardSource;
  clock: Clock;
  /** How often pages get an update (default 1 s): the bound on pushes whatever the traffic. */
  pushIntervalMs?: number;
  /** How often the component list, rejections and topology are read again (default 5 s). */
  refreshIntervalMs?: number;
  limits?: DashboardLimits;
  /** Called with what the feed could not do (a failed refresh); it keeps going. */
  onError?: (error: unknown) => void;
}

export const DEFAULT_PUSH_INTERVAL_MS = 1_000;
export const DEFAULT_REFRESH_INTERVAL_MS = 5_000;

interface Following {
  model: DashboardModel;
  untail: Promise<() => Promise<void>>;
  bodies: boolean;
  timers: TimerHandle[];
}

export class DashboardFeed {
  private readonly viewers = new Map<Viewer, { needsSnapshot: boolean }>();
  private following: Following | undefined;
  private wantBodies = false;

  constructor(private readonly options: DashboardFeedOptions) {}

  /** Pages open now. */
  get viewerCount(): number {
    return this.viewers.size;
  }

  /** True while the feed follows the network (some page is open). */
  get active(): boolean {
    return this.following !== undefined;
  }

  /** A page opened: it gets a snapshot at the next push. Returns what to call when it closes. */
  add(viewer: Viewer): () => void {
    this.viewers.set(viewer, { needsSnapshot: true });
    if (!this.following) this.follow();
    return () => this.remove(viewer);
  }

  /** The captured body of traffic row `seq`, while the dashboard still holds it. */
  body(seq: number): string | undefined {
    return this.following?.model.body(seq);
  }

  /** Capture message bodies (for "bodies on demand"): the tail is taken again with them. */
  setBodies(on: boolean): void {
    this.wantBodies = on;
    const f = this.following;
    if (!f || f.bodies === on) return;
    const old = f.untail;
    f.bodies = on;
    f.untail = this.tail(f.model, on);
    void old.then((stop) => stop()).catch((e) => this.options.onError?.(e));
  }

  /** Stops following (the pages' connections are the HTTP server's to close). */
  async close(): Promise<void> {
    this.viewers.clear();
    await this.unfollow();
  }

  private remove(viewer: Viewer): void {
    if (!this.viewers.delete(viewer)) return;
    if (this.viewers.size === 0) void this.unfollow();
  }

  private follow(): void {
    const { clock } = this.options;
    const model = new DashboardModel(clock.now(), this.options.limits ?? DEFAULT_DASHBOARD_LIMITS);
    const f: Following = { model, bodies: this.wantBodies, untail: this.tail(model, this.wantBodies), timers: [] };
    this.following = f;
    void this.refresh(f);
    f.timers.push(every(clock, this.options.pushIntervalMs ?? DEFAULT_PUSH_INTERVAL_MS, () => this.push(f)).unref());
    f.timers.push(every(clock, this.options.refreshIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS, () => void this.refresh(f)).unref());
  }

  private tail(model: DashboardModel, bodies: boolean): Promise<() => Promise<void>> {
    const untail = this.options.source.tail({ bodies }, (e) => {
      if (e.kind === 'traffic') model.traffic(e.event);
      else if (e.kind === 'member') model.member(e.type, e.component, e.at);
      else if (e.kind === 'dropped') model.droppedTraffic(e.dropped);
    });
    untail.catch((e) => this.options.onError?.(e));
    return untail;
  }

  private async unfollow(): Promise<void> {
    const f = this.following;
    if (!f) return;
    this.following = undefined;
    // The next page opens with its "capture bodies" box unticked: so does the feed.
    this.wantBodies = false;
    for (const t of f.timers) t.clear();
    try {
      await (await f.untail)();
    } catch (e) {
      this.options.onError?.(e);
    }
  }

  private async refresh(f: Following): Promise<void> {
    const { source } = this.options;
    try {
      const list = await source.components();
      if (this.following !== f) return;
      f.model.setComponents(list);
      if (source.rejected) f.model.setRejected(source.rejected());
      if (source.topology) f.model.setTopology(await source.topology());
    } catch (e) {
      this.options.onError?.(e);
    }
  }

  private push(f: Following): void {
    const now = this.options.clock.now();
    // The server's own counters, read in place: cheap, so they are as fresh as each push.
    if (this.options.source.rejected) f.model.setRejected(this.options.source.rejected());
    const update = f.model.flush(now);
    let snapshot: DashboardUpdate | undefined;
    for (const [viewer, state] of this.viewers) {
      if (viewer.backlogged) {
        state.needsSnapshot = true;
        continue;
      }
      if (state.needsSnapshot) {
        snapshot ??= f.model.snapshot(now);
        viewer.push(snapshot);
        state.needsSnapshot = false;
      } else viewer.push(update);
    }
  }
}

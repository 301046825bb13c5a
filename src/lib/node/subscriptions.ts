/**
 * Who inside this node listens to the server's feeds: membership watchers and tails. It says
 * which topics to (re)subscribe to, builds the subscribe frame (the union of the tails' name
 * filters), and fans the feeds' frames out to the listeners, each tail with its own filter.
 */
import type { ComponentInfo, DroppedTraffic, FrameInit, LinkChange, MemberEvent, Topic, TrafficEvent } from '../wire/frames.js';
import { followsNames } from '../wire/names.js';
import type { MembershipEvent } from '../registry/registry.js';

/** A membership event as a watcher or a tail hears it: what the server's registry published. */
export type MembershipNotice = MembershipEvent;

export type TailEvent =
  | { kind: 'traffic'; event: TrafficEvent }
  | ({ kind: 'member' } & MembershipNotice)
  /** The server did not send us `dropped` traffic events: we did not read them fast enough. */
  | { kind: 'dropped'; dropped: number; at: number }
  /** A mesh node's link came up or went down (tails of a mesh node). */
  | { kind: 'link'; event: LinkChange };

export class Subscriptions {
  /** The node itself follows membership (to keep its address cache current). */
  memberFeed = false;
  private readonly watchers = new Set<(e: MembershipNotice) => void>();
  private readonly tailers = new Map<(e: TailEvent) => void, Set<string>>();
  private tailBodies = false;

  get tailing(): boolean {
    return this.tailers.size > 0;
  }

  addWatcher(listener: (e: MembershipNotice) => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  addTail(listener: (e: TailEvent) => void, names: string[], bodies: boolean): void {
    this.tailers.set(listener, new Set(names));
    if (bodies) this.tailBodies = true;
  }

  removeTail(listener: (e: TailEvent) => void): void {
    this.tailers.delete(listener);
    if (this.tailers.size === 0) this.tailBodies = false;
  }

  /** Forgets every tail (the server refused to serve them). */
  removeTails(): void {
    this.tailers.clear();
    this.tailBodies = false;
  }

  /** What to subscribe to after a (re)connection; empty when nobody listens. */
  topics(): Topic[] {
    const topics: Topic[] = [];
    if (this.memberFeed || this.watchers.size > 0 || this.tailers.size > 0) topics.push('members');
    if (this.tailers.size > 0) topics.push('traffic');
    return topics;
  }

  frame(topics: Topic[]): FrameInit {
    return { type: 'subscribe', topics, names: this.tailNames(), ...(this.tailBodies ? { bodies: true } : {}) };
  }

  member(event: MemberEvent, component: ComponentInfo, at: number): void {
    const notice: MembershipNotice = { type: event, component, at };
    for (const w of this.watchers) w(notice);
    for (const t of this.tailers.keys()) t({ kind: 'member', ...notice });
  }

  traffic(event: TrafficEvent | DroppedTraffic | LinkChange): void {
    if (event.kind === 'dropped') {
      // The server filters for the union of our tails: which of them missed what, it cannot say.
      for (const t of this.tailers.keys()) t({ kind: 'dropped', dropped: event.dropped, at: event.at });
      return;
    }
    if (event.kind === 'link') {
      for (const [t, names] of this.tailers) if (followsNames(names, [event.node, event.peer])) t({ kind: 'link', event });
      return;
    }
    for (const [t, names] of this.tailers) {
      if (followsNames(names, [event.from, event.to])) t({ kind: 'traffic', event });
    }
  }

  /** The union of the tails' filters; empty (everything) if any tail follows everything. */
  private tailNames(): string[] {
    const sets = [...this.tailers.values()];
    if (sets.some((s) => s.size === 0)) return [];
    return [...new Set(sets.flatMap((s) => [...s]))];
  }
}

/** "the subscription to membership events", for timeout messages. */
export function describeSubscription(topics: Topic[]): string {
  return `the subscription to ${topics.map((t) => (t === 'members' ? 'membership' : t)).join(' and ')} events`;
}

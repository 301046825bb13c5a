/**
 * What a node hears from its server besides answers: membership events (they keep its
 * directory current and reach its watchers and tails), traffic events (its tails), and whether
 * somebody tails the network (then it reports its own calls: tracing). And the subscriptions
 * that ask for them: `watch`, `tail`, restored after every reconnect.
 */
import { ErrorCode, isBotzError, type BotzError } from '../errors.js';
import type { Channel } from '../channel/channel.js';
import { remaining, type Clock } from '../clock.js';
import type { ServerLink } from '../registry/server-link.js';
import { SERVER_DESTINATION } from '../wire/packet.js';
import type { Frame, Topic, TrafficEvent } from '../wire/frames.js';
import type { TrafficReport } from './call-trace.js';
import type { Directory } from './directory.js';
import type { FrameTaker } from './inbound.js';
import type { Arrival } from './message.js';
import { describeSubscription, Subscriptions, type MembershipNotice, type TailEvent } from './subscriptions.js';

export interface FeedDeps {
  clock: Clock;
  directory: Directory;
  server(): ServerLink | undefined;
  /** How long a subscription may take when nothing else says. */
  timeoutMs: number;
  /** A subscription lost at a reconnect because the server's tails are all taken. */
  tailRefused(error: BotzError): void;
}

export class Feed implements FrameTaker {
  readonly subscriptions = new Subscriptions();
  /** Somebody tails the network: report our calls. */
  tracing = false;
  /** …with bodies. */
  traceBodies = false;
  private stopped = false;

  constructor(private readonly deps: FeedDeps) {}

  take(frame: Frame, arrival: Arrival): boolean {
    // Only the server speaks for the registry: a peer's member or trace frame is not news.
    if (frame.from !== SERVER_DESTINATION || arrival.path !== 'relay') return false;
    switch (frame.type) {
      case 'member':
        this.deps.directory.apply(frame.event, frame.component);
        this.subscriptions.member(frame.event, frame.component, this.deps.clock.now());
        return true;
      case 'trace':
        this.subscriptions.traffic(frame.event);
        return true;
      case 'traceControl':
        this.tracing = frame.on;
        this.traceBodies = frame.on && frame.bodies === true;
        return true;
      default:
        return false;
    }
  }

  /** The server's welcome says whether somebody tails (a traceControl says so again later). */
  traceFromWelcome(trace: { bodies: boolean } | undefined): void {
    this.tracing = trace !== undefined;
    this.traceBodies = trace?.bodies === true;
  }

  /** Subscribes to membership events once, for the directory (a node that calls others by name). */
  followMembers(deadline: number): Promise<void> {
    return this.subscribe(['members'], deadline);
  }

  /** Calls `listener` for every membership event (join, ready, suspect, alive, leave). */
  async watch(listener: (e: MembershipNotice) => void): Promise<() => void> {
    const unwatch = this.subscriptions.addWatcher(listener);
    try {
      await this.subscribe(['members']);
    } catch (error) {
      unwatch(); // not watching after all: nothing may stay behind that a reconnect revives
      throw error;
    }
    return unwatch;
  }

  /** Live traffic and membership across the network; resolves to an unsubscribe function. */
  async tail(options: { names?: string[]; bodies?: boolean }, listener: (e: TailEvent) => void): Promise<() => Promise<void>> {
    this.subscriptions.addTail(listener, options.names ?? [], options.bodies === true);
    try {
      await this.subscribe(['members', 'traffic']);
    } catch (error) {
      // Not tailing after all: a listener left behind would be revived by the next reconnect.
      this.subscriptions.removeTail(listener);
      throw error;
    }
    return async () => {
      this.subscriptions.removeTail(listener);
      if (!this.subscriptions.tailing && !this.stopped) {
        const ch = this.deps.server()?.current();
        await ch?.request({ type: 'unsubscribe', topics: ['traffic'] }, { timeoutMs: this.deps.timeoutMs }).catch(() => {});
      } else await this.subscribe(['members', 'traffic']);
    };
  }

  /**
   * Subscribes again, on a new link to the server, to what we followed. If the server's tails are
   * all taken by then, we go on without ours (a refusal here would fail the reconnect, again and
   * again) and say so: the tails' listeners get nothing more.
   */
  async restore(ch: Channel, timeoutMs: number): Promise<void> {
    const subscribe = async (): Promise<void> => {
      const topics = this.subscriptions.topics();
      if (topics.length > 0) await ch.request(this.subscriptions.frame(topics), { timeoutMs, describe: describeSubscription(topics) });
    };
    try {
      await subscribe();
    } catch (error) {
      if (!isBotzError(error) || error.code !== ErrorCode.LIMIT_REACHED) throw error;
      this.subscriptions.removeTails();
      this.deps.tailRefused(error);
      await subscribe();
    }
  }

  /**
   * Tells the server about a call of ours while somebody tails. Never fails the call it reports:
   * an event too large to travel with its body goes without it (its size still says how big).
   */
  report(event: TrafficReport): void {
    const ch = this.deps.server()?.current();
    if (!ch) return;
    const at = this.deps.clock.now();
    try {
      ch.send({ type: 'trace', event: { at, ...event } as TrafficEvent });
    } catch {
      const { body: _body, ...withoutBody } = event;
      try {
        ch.send({ type: 'trace', event: { at, ...withoutBody } as TrafficEvent });
      } catch {
        // The link to the server is gone: there is nobody to tell.
      }
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private async subscribe(topics: Topic[], deadline = this.deps.clock.now() + this.deps.timeoutMs): Promise<void> {
    const claimsMemberFeed = topics.includes('members') && topics.length === 1;
    if (claimsMemberFeed) {
      if (this.subscriptions.memberFeed) return;
      this.subscriptions.memberFeed = true;
    }
    try {
      const server = this.deps.server();
      if (!server) throw new Error('no server link');
      const ch = await server.ready(deadline);
      await ch.request(this.subscriptions.frame(topics), { timeoutMs: remaining(this.deps.clock, deadline), describe: describeSubscription(topics) });
    } catch (error) {
      // Not subscribed after all: the next call must try again, or the directory would go stale.
      if (claimsMemberFeed) this.subscriptions.memberFeed = false;
      throw error;
    }
  }
}

/**
 * Membership events to the links that watch them (issue 14: registration cost). Every
 * component that calls others by name watches membership, so a join in a network of W such
 * components is W frames: sent one by one, registering N components cost the server N × W
 * encodings, seals and socket writes, and with 1,000 watchers each registration took 23 ms of
 * its CPU. Here the events of one event-loop iteration (registrations arrive together under
 * load) leave together, at its end (setImmediate): each event stamped and encoded once for
 * all watchers (once per codec), and one packet per watcher carrying all of them.
 *
 * Order: a watcher gets the events in the order they happened, and never before a reply sent
 * in the same iteration (a list, say); an event may reach it after such a reply that already
 * shows its effect, which a directory takes as a no-op. A link that stops watching before the
 * flush gets nothing more.
 */
import type { Channel } from '../channel/channel.js';
import type { NodeContext } from '../channel/node-context.js';
import type { EncodedFrame, PayloadCodec } from '../wire/codec.js';
import { encodeFrameFor } from '../wire/codec.js';
import type { Frame } from '../wire/frames.js';
import type { MembershipEvent } from './registry.js';

export class MemberFanout {
  readonly watchers = new Set<Channel>();
  private queued: MembershipEvent[] = [];
  private scheduled: NodeJS.Immediate | undefined;

  constructor(private readonly ctx: NodeContext) {}

  /** Queues `events` for every watcher; they leave at the end of this event-loop iteration. */
  publish(events: readonly MembershipEvent[]): void {
    if (events.length === 0 || this.watchers.size === 0) return;
    this.queued.push(...events);
    this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Sends what is queued now (and on stop: nothing is left behind a cleared timer). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const events = this.queued;
    this.queued = [];
    if (events.length === 0) return;
    const frames = events.map((e) => this.ctx.stamp({ type: 'member', event: e.type, component: e.component }));
    // One encoding per frame and codec, shared by every watcher on that codec.
    const encodings = new Map<PayloadCodec, (EncodedFrame | undefined)[]>();
    for (const watcher of this.watchers) {
      if (watcher.link.closed) continue;
      let encoded = encodings.get(watcher.codec);
      if (!encoded) {
        encoded = frames.map((f) => encodeOrSkip(watcher.codec, f));
        encodings.set(watcher.codec, encoded);
      }
      for (let i = 0; i < frames.length; i++) {
        const e = encoded[i];
        if (!e) continue;
        try {
          watcher.sendEncoded(frames[i], e);
        } catch {
          // An entry too large for a packet (a huge meta): the watchers miss this event only.
        }
      }
    }
  }

  /** Stops the pending flush; what is queued is dropped (the server is stopping). */
  stop(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.queued = [];
  }
}

function encodeOrSkip(codec: PayloadCodec, frame: Frame): EncodedFrame | undefined {
  try {
    return encodeFrameFor(codec, frame);
  } catch {
    return undefined; // not encodable on this codec: the watchers on it miss this event
  }
}

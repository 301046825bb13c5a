/**
 * Reliable delivery for a node: one ReliableLink per peer name, carried along whatever route
 * reaches that peer (direct, relay or mesh: the node's router picks, through `host.post`), and
 * resumed whenever that route breaks, so exactly what was not acknowledged is resent.
 *
 *   deliver(b, body) ─► ReliableLink(b) ─data─► host.post(b) ─► direct, relay or mesh ─► b
 *   b's frames ─► take(frame) ─► ReliableLink(b) ─► inbox(b) ─► host.deliver (the one handler path), or messages()/read()
 *   our link to b closed (onPathDown) or server back (onServerUp) ─► resume: both ends resend the unacked tail
 *
 * Our frames to b never ride a link b dialed to us (see peer-pool.ts), so such a link closing
 * loses none of ours and is no reason to resume: b resumes, since it was b's path. Frames of b's
 * that arrive on it are taken like any other: the stream's sequence numbers keep them exactly once.
 *
 * Inbound messages go to the component's onMessage handler when it has one (per sender in
 * order, one at a time, the next only after the handler's promise settles); otherwise they
 * wait in each sender's bounded inbox for `messages()` / `read(n)`. A full inbox closes the
 * sender's window, so a slow reader slows its senders instead of growing memory.
 *
 * What a confirmation (a resolved `deliver`) means: the receiving application took the
 * message: its handler settled (resolved or threw), the loop over `messages()` asked for the
 * next message (or left), or `read()` returned it. Arriving at the receiver's process is not
 * enough, since a process that dies (kill -9) loses its inbox: those messages are never
 * confirmed, and when the peer comes back as a new incarnation they are among the deliveries
 * rejected with `peerRestarted`. A handler that threw took its message all the same: it is
 * confirmed, and the node reports `messageFailed` (events.ts).
 */
import { asBotzError, BotzError, Closed, ErrorCode, Timeout, isBotzError } from '../errors.js';
import type { Clock } from '../clock.js';
import type { Body, Frame, FrameInit, Headers, Path } from '../wire/frames.js';
import type { ReliableFrameInit } from '../wire/reliable-frames.js';
import { encodedBodyBytes } from '../wire/body-size.js';
import {
  DEFAULT_MAX_WAITING_SENDS,
  DEFAULT_SEND_TIMEOUT_MS,
  ReliableLink,
  type FrameTransport,
  type ReceivedData,
} from '../reliable/reliable-link.js';
import type { RtoOptions } from '../reliable/rto.js';
import type { FrameTaker } from './inbound.js';
import { messageOf, type Arrival, type Message } from './message.js';
import type { NodeEvent } from './events.js';

/** What reliable delivery needs of its node. */
export interface ReliableHost {
  readonly name: string;
  /** The largest packet this node sends: a message that cannot fit is refused up front. */
  readonly maxPacketBytes: number;
  readonly clock: Clock;
  /** Sends a frame that expects no answer to `peer` along its route; rejects when it found none. */
  post(peer: string, init: FrameInit, timeoutMs: number): Promise<Path>;
  /** Runs the node's handler for a message and settles with it; undefined when the node has none (pull mode). */
  deliver: ((message: Message) => Promise<unknown>) | undefined;
  emit(event: NodeEvent): void;
}

export interface ReliableOptions {
  /** Messages per peer not yet taken by its application before `deliver` waits (default 256). */
  windowSize?: number;
  /** Messages held for the application per peer before the sender is told to wait (default 1024). */
  inboxCapacity?: number;
  /** Default timeout of `deliver` (ms): window space plus the peer's confirmation. */
  sendTimeoutMs?: number;
  /** Deliveries per peer allowed to wait for window space; more fail at once with TOO_MANY_PENDING. */
  maxWaitingSends?: number;
  /** How long one frame may wait for a route (lookup, dial, server link) before it counts as lost. */
  postTimeoutMs?: number;
  /** Retransmission timer bounds (see rto.ts); lower maxRtoMs retries a vanished peer sooner. */
  rto?: Partial<RtoOptions>;
}

/** A frame that cannot find a route within this time is as good as lost: the RTO resends it. */
export const DEFAULT_POST_TIMEOUT_MS = 2_000;

/** A data frame as the inbox keeps it: with how it came. */
type Arrived = ReceivedData & { arrival?: Arrival };

interface PeerState {
  readonly name: string;
  readonly link: ReliableLink;
  readonly transport: FrameTransport;
  deliverFrame: ((frame: ReliableFrameInit) => void) | undefined;
  /** A handler pump runs for this peer. */
  pumping: boolean;
  /** Why the latest frame to the peer found no route (kept as the cause of a TIMEOUT). */
  lastError: BotzError | undefined;
  /** Set when the peer was never heard of and the server says it does not exist. */
  failure: BotzError | undefined;
  /** Our resume went unanswered and the peer is gone: we stopped asking (see ReliableLink.park). */
  parked: boolean;
}

/** Packet header, MAC and the data frame's own fields (ids, sessions, seq), generously. */
const DATA_FRAME_OVERHEAD_BYTES = 512;

export class ReliableDelivery implements FrameTaker {
  private readonly peers = new Map<string, PeerState>();
  /** Peers with messages waiting, in the order they became readable (round robin for read()). */
  private readonly readable = new Set<PeerState>();
  private readonly waiters = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly host: ReliableHost,
    private readonly options: ReliableOptions,
  ) {}

  /**
   * Sends `body` to `target` reliably; resolves once it is confirmed (see the top of this file).
   * Rejects with TIMEOUT (not confirmed in time; it may still arrive, exactly once),
   * TOO_MANY_PENDING, NO_SUCH_COMPONENT (a target never reached that the server does not know),
   * CLOSED (we stopped, or the target restarted before its application took it:
   * details.reason 'peerRestarted').
   */
  deliver(target: string, body: Body, options: { timeout?: number; headers?: Headers } = {}): Promise<void> {
    if (this.closed) return Promise.reject(new Closed('reliable delivery is closed'));
    if (target.startsWith('@') || target === this.host.name || target.length === 0) {
      return Promise.reject(new BotzError(ErrorCode.INVALID_ARGUMENT, `cannot deliver reliably to "${target}"`));
    }
    // Refuse what can never fit in a packet before it takes a place in the stream: a message
    // with a sequence number that can never travel would block every message behind it.
    const bytes = encodedBodyBytes(body) + DATA_FRAME_OVERHEAD_BYTES;
    if (bytes > this.host.maxPacketBytes) {
      return Promise.reject(
        new BotzError(ErrorCode.FRAME_TOO_LARGE, `a message of ${bytes} bytes exceeds the packet limit of ${this.host.maxPacketBytes} bytes`, {
          details: { bytes, limit: this.host.maxPacketBytes },
        }),
      );
    }
    const peer = this.peer(target);
    if (peer.parked) this.unpark(peer);
    const timeout = options.timeout ?? this.options.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
    return peer.link.send(body ?? null, timeout, options.headers).catch((error: unknown) => {
      if (isBotzError(error) && error.code === ErrorCode.CLOSED && peer.failure) throw peer.failure;
      if (isBotzError(error) && error.code === ErrorCode.TIMEOUT && peer.lastError) {
        throw new Timeout(error.message, { cause: peer.lastError, details: { ...error.details, lastError: peer.lastError.code } });
      }
      throw error;
    });
  }

  /**
   * Reliable messages from every sender as the application pulls them; ends after close. A
   * message is confirmed to its sender when the loop asks for the next one or leaves: for a
   * `for await` loop, once its body is done with it. (Each sender's messages are confirmed in
   * order, so with several loops, or `read()` beside one, a message may count as taken once a
   * later one of its sender is.)
   */
  messages(): AsyncIterableIterator<Message> {
    this.assertPullMode();
    return this.iterate();
  }

  /** Up to `n` messages already waiting (round robin over senders, each sender in order), confirmed at once. */
  read(n = Infinity): Message[] {
    this.assertPullMode();
    return this.waiting(n, true).map(({ message }) => message);
  }

  take(frame: Frame, arrival: Arrival): boolean {
    if (frame.type !== 'data' && frame.type !== 'sack' && frame.type !== 'resume') return false;
    if (this.closed || frame.from === this.host.name) return true;
    const peer = this.peer(frame.from);
    peer.parked = false; // it is back: its own resume restarts the exchange
    // The data frame is ours alone from here (decoded for us): how it came rides on it, uncopied.
    if (frame.type === 'data') (frame as Arrived).arrival = arrival;
    peer.deliverFrame?.(frame as ReliableFrameInit);
    if (peer.link.available > 0) this.becameReadable(peer);
    return true;
  }

  onPathDown(peer: string): void {
    const state = this.peers.get(peer);
    if (state && !this.closed && !state.parked) state.link.resume(state.transport);
  }

  onServerUp(): void {
    // Relayed frames in flight died with the old server, and any path may have changed.
    if (this.closed) return;
    for (const state of this.peers.values()) if (!state.parked) state.link.resume(state.transport);
  }

  /** Rejects every unconfirmed delivery with CLOSED and ends every reader once its inbox is drained. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const state of this.peers.values()) state.link.close();
    this.wake();
  }

  /** Peers with a session, and what is in flight to and waiting from each (for status and tests). */
  stats(): { peer: string; unconfirmed: number; available: number }[] {
    return [...this.peers.values()].map((p) => ({ peer: p.name, unconfirmed: p.link.unconfirmed, available: p.link.available }));
  }

  private peer(name: string): PeerState {
    const known = this.peers.get(name);
    if (known) return known;
    const o = this.options;
    const link = new ReliableLink({
      clock: this.host.clock,
      send: { ...o.rto, ...(o.windowSize === undefined ? {} : { windowSize: o.windowSize }) },
      receive: o.inboxCapacity === undefined ? {} : { capacity: o.inboxCapacity },
      sendTimeoutMs: o.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS,
      maxWaitingSends: o.maxWaitingSends ?? DEFAULT_MAX_WAITING_SENDS,
    });
    const state: PeerState = {
      name,
      link,
      transport: {
        send: (frame) => this.post(state, frame),
        onFrame: (handler) => {
          state.deliverFrame = handler;
          return () => {
            if (state.deliverFrame === handler) state.deliverFrame = undefined;
          };
        },
      },
      deliverFrame: undefined,
      pumping: false,
      lastError: undefined,
      failure: undefined,
      parked: false,
    };
    link.onEvent((event) => {
      if (event.type !== 'peerRestarted') return;
      this.host.emit({ type: 'peerRestarted', peer: name, previous: event.previous, session: event.peer, failed: event.failed });
    });
    this.peers.set(name, state);
    link.resume(state.transport);
    return state;
  }

  private post(state: PeerState, frame: ReliableFrameInit): void {
    const timeout = this.options.postTimeoutMs ?? DEFAULT_POST_TIMEOUT_MS;
    this.host.post(state.name, frame as FrameInit, timeout).then(
      () => (state.lastError = undefined),
      (error: unknown) => {
        // A lost frame is what the link expects: it retransmits. Only remember why.
        state.lastError = asBotzError(error, ErrorCode.UNREACHABLE);
        const neverHeard = state.link.session.peer === undefined;
        const gone = state.lastError.code === ErrorCode.NO_SUCH_COMPONENT && this.peers.get(state.name) === state;
        if (gone && neverHeard) {
          // Same answer as send(): no such component. A later deliver starts a fresh session.
          state.failure = state.lastError;
          this.peers.delete(state.name);
          this.readable.delete(state);
          state.link.close();
        } else if (gone && frame.type === 'resume' && state.link.park()) {
          // A peer we knew left, with nothing of ours unconfirmed: stop asking for it.
          state.parked = true;
        }
      },
    );
  }

  private unpark(state: PeerState): void {
    state.parked = false;
    state.link.resume(state.transport);
  }

  private becameReadable(peer: PeerState): void {
    const deliver = this.host.deliver;
    if (deliver) {
      if (!peer.pumping) void this.pump(peer, deliver);
      return;
    }
    this.readable.add(peer);
    this.wake();
  }

  /**
   * Hands one sender's messages to the handler, in order, each after the previous settled, and
   * confirms each to its sender only once its handler settled.
   */
  private async pump(peer: PeerState, deliver: (message: Message) => Promise<unknown>): Promise<void> {
    peer.pumping = true;
    try {
      while (!this.closed) {
        const [frame] = peer.link.readFrames(1, { confirm: false });
        if (frame === undefined) break;
        const message = toMessage(peer.name, frame);
        try {
          await deliver(message);
        } catch (error) {
          this.host.emit({ type: 'messageFailed', message, error });
        }
        peer.link.confirm();
      }
    } finally {
      peer.pumping = false;
    }
  }

  /** Up to `n` waiting messages, round robin over senders; unless `confirm`, each sender's link awaits confirm(). */
  private waiting(n: number, confirm: boolean): { peer: PeerState; message: Message }[] {
    const out: { peer: PeerState; message: Message }[] = [];
    for (const peer of [...this.readable]) {
      if (out.length >= n) break;
      for (const frame of peer.link.readFrames(n - out.length, { confirm })) out.push({ peer, message: toMessage(peer.name, frame) });
      this.readable.delete(peer);
      // Still has more: to the back of the line, so one busy sender cannot starve the others.
      if (peer.link.available > 0) this.readable.add(peer);
    }
    return out;
  }

  private async *iterate(): AsyncGenerator<Message, void, undefined> {
    // The sender of the message the loop body has: confirmed once the loop asks for the next.
    let holding: PeerState | undefined;
    try {
      for (;;) {
        holding?.link.confirm();
        holding = undefined;
        const [taken] = this.waiting(1, false);
        if (taken !== undefined) {
          holding = taken.peer;
          yield taken.message;
          continue;
        }
        if (this.closed) return;
        await new Promise<void>((resolve) => this.waiters.add(resolve));
      }
    } finally {
      holding?.link.confirm();
    }
  }

  private wake(): void {
    if (this.waiters.size === 0) return;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const resolve of waiters) resolve();
  }

  private assertPullMode(): void {
    if (this.host.deliver) {
      throw new BotzError(ErrorCode.INVALID_ARGUMENT, 'this component hands reliable messages to its onMessage handler');
    }
  }
}

/** A reliable message as the handler sees it: built like every other (message.ts). */
function toMessage(from: string, frame: Arrived): Message {
  const data = { v: 1, id: '-', type: 'data', from, session: frame.session, peer: frame.peer, seq: frame.seq, body: frame.body, headers: frame.headers };
  return messageOf(data as Extract<Frame, { type: 'data' }>, frame.arrival ?? DIRECT);
}

const DIRECT: Arrival = { path: 'direct', encrypted: false };

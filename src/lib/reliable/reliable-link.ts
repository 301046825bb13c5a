/**
 * ReliableLink drives one end of a reliable session (a SendWindow, a ReceiveWindow and a
 * Session) over anything that carries frames, and survives swapping that carrier after a
 * reconnect. It owns the only timer of the session, on the injected clock.
 *
 * - `send(body)` resolves when the application at the other end took the message: `read` or
 *   `readFrames` returned it, its loop over `messages()` went on to the next, or, having read
 *   it with `{ confirm: false }`, it called `confirm()` (a handler settled). End to end: it
 *   does not matter how many hops the frames crossed. Arriving in the other end's inbox
 *   confirms nothing, since the inbox dies with its process; it only stops retransmission
 *   (see send-window.ts).
 *   It waits for window space first (backpressure), and rejects with TIMEOUT after
 *   `sendTimeoutMs`, with TOO_MANY_PENDING when too many sends already wait, and with CLOSED
 *   on close or when the peer restarted before confirming it (details.reason = 'peerRestarted':
 *   this includes what the old incarnation held but its application never took).
 *   A TIMEOUT means "not confirmed", not "not delivered": a message already numbered stays
 *   in the stream, since dropping it would leave a hole the receiver waits on forever.
 * - `messages()` and `read(n)` pull from the bounded inbox; taking messages reopens the window.
 * - `resume(transport)` after a reconnect: both ends exchange `resume` and the unconfirmed
 *   tail is resent, except what the other end said it holds.
 *
 * Acks are coalesced: one sack per turn of the event loop (setImmediate), or sooner once the
 * application took everything there was, so a burst of data that a fast application takes as
 * it arrives costs one sack saying "taken", not one per message.
 */
import { BotzError, Closed, ErrorCode, Timeout } from '../errors.js';
import type { Body, Headers } from '../wire/frames.js';
import { headersOf } from '../wire/values.js';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import type { DataFrame, ReliableFrameInit } from '../wire/reliable-frames.js';
import { ReceiveWindow, type ReceiveWindowOptions } from './receive-window.js';
import { SendWindow, type SendWindowOptions } from './send-window.js';
import { Session, type ResumeOutcome } from './session.js';
import { WaitingSends, type PendingSend } from './waiting-sends.js';

/** What the link needs from a carrier: send a frame, hear frames. Loss and reordering are tolerated. */
export interface FrameTransport {
  send(frame: ReliableFrameInit): void;
  /** Installs the handler for incoming reliable frames; returns a function that removes it. */
  onFrame(handler: (frame: ReliableFrameInit) => void): () => void;
}

export interface ReliableLinkOptions {
  /** Messages unacknowledged at most (see SendWindowOptions). */
  send: Partial<SendWindowOptions>;
  /** Inbox capacity (see ReceiveWindowOptions). */
  receive: Partial<ReceiveWindowOptions>;
  /** How long `send()` waits for window space plus confirmation. */
  sendTimeoutMs: number;
  /** Sends allowed to wait for window space; more fail at once instead of queueing without bound. */
  maxWaitingSends: number;
  /** Time for the retransmission, resume and send timers (the node's clock). */
  clock: Clock;
}

export const DEFAULT_SEND_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_WAITING_SENDS = 1_024;

/** A message as the inbox holds it: the data frame that first carried it (with whatever the carrier added). */
export type ReceivedData = ReliableFrameInit<DataFrame>;

export type ReliableLinkEvent =
  | { type: 'resumed'; peer: string; epoch: number }
  | { type: 'peerRestarted'; previous: string; peer: string; failed: number };

export class ReliableLink {
  readonly session: Session;
  private readonly options: ReliableLinkOptions;
  private readonly clock: Clock;
  private readonly sender: SendWindow<PendingSend>;
  private readonly receiver: ReceiveWindow<ReceivedData>;
  /** Sends waiting for window space. */
  private readonly waiting = new WaitingSends();
  private readonly readers = new Set<() => void>();
  private readonly listeners = new Set<(event: ReliableLinkEvent) => void>();
  private transport: FrameTransport | undefined;
  private detach: (() => void) | undefined;
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private resumeRetryMs = 0;
  private resumeAt: number | undefined;
  private ackQueued = false;
  private closed = false;

  constructor(options: Partial<ReliableLinkOptions> = {}) {
    this.options = {
      send: {},
      receive: {},
      sendTimeoutMs: DEFAULT_SEND_TIMEOUT_MS,
      maxWaitingSends: DEFAULT_MAX_WAITING_SENDS,
      clock: systemClock,
      ...options,
    };
    this.clock = this.options.clock;
    this.session = new Session();
    this.sender = new SendWindow(this.options.send);
    this.receiver = new ReceiveWindow<ReceivedData>(this.options.receive);
  }

  /** Messages waiting in the inbox. */
  get available(): number {
    return this.receiver.available;
  }
  /** Sends numbered and not yet acknowledged, plus sends waiting for window space. */
  get unconfirmed(): number {
    return this.sender.size + this.waiting.count;
  }

  /** Subscribes to session events; returns a function that unsubscribes. */
  onEvent(listener: (event: ReliableLinkEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts (or, after a reconnect, resumes) the session over `transport`. */
  resume(transport: FrameTransport): void {
    if (this.closed) throw new Closed('the reliable link is closed');
    this.detach?.();
    this.transport = transport;
    this.detach = transport.onFrame((frame) => this.receive(frame));
    transport.send(this.session.begin(this.receiver.cumulative, this.receiver.window));
    this.resumeRetryMs = this.sender.rto;
    this.resumeAt = this.clock.now() + this.resumeRetryMs;
    this.schedule();
  }

  /** Sends one message; `timeoutMs` (default `sendTimeoutMs`) bounds the wait for space plus confirmation. */
  send(body: Body, timeoutMs: number = this.options.sendTimeoutMs, headers?: Headers): Promise<void> {
    if (this.closed) return Promise.reject(new Closed('the reliable link is closed'));
    if (this.waiting.count >= this.options.maxWaitingSends) {
      return Promise.reject(new BotzError(ErrorCode.TOO_MANY_PENDING, `${this.waiting.count} sends already wait for window space`));
    }
    return new Promise<void>((resolve, reject) => {
      const p: PendingSend = { body, ...headersOf(headers), resolve, reject, settled: false, queued: true, timer: undefined };
      p.timer = this.clock.setTimeout(() => {
        this.waiting.drop(p);
        this.settle(p, new Timeout(`the peer did not confirm the message within ${timeoutMs} ms`, { details: { timeoutMs } }));
      }, timeoutMs);
      this.waiting.push(p);
      this.fill();
      this.pump();
    });
  }

  /** Takes up to `max` messages from the inbox without waiting; they are confirmed to the sender. */
  read(max = Infinity): Body[] {
    return this.readFrames(max).map((frame) => frame.body);
  }

  /**
   * As `read`, but the whole data frames (session and seq identify a message across
   * retransmissions). With `confirm: false` the messages are handed out unconfirmed, for an
   * application that is not done with them yet (a handler running): `confirm()` confirms them.
   */
  readFrames(max = Infinity, options: { confirm?: boolean } = {}): ReceivedData[] {
    const out = this.receiver.read(max);
    if (out.length > 0 && options.confirm !== false) this.confirm(out.length);
    return out;
  }

  /** The application is done with the oldest `count` messages read unconfirmed: confirm them to the sender. */
  confirm(count = 1): void {
    const window = this.receiver.window;
    // An earlier stream's message confirms nothing, but the room it frees reopens the window.
    if (this.receiver.confirm(count) === 0 && this.receiver.window === window) return;
    // The application has nothing more of this stream to take now: say so at once (a burst it
    // took is over); otherwise once this turn is over, so that a burst costs one sack.
    if (this.receiver.available === 0 && this.receiver.inHand === 0) this.sendAck();
    else this.queueAck();
  }

  /**
   * Every message, in order, as the application pulls them; ends after close once the inbox is
   * empty. A message is confirmed when the loop asks for the next one or leaves: for a
   * `for await` loop, once its body is done with it.
   */
  async *messages(): AsyncGenerator<Body, void, undefined> {
    let holding = false;
    try {
      for (;;) {
        if (holding) this.confirm();
        holding = false;
        const got = this.readFrames(1, { confirm: false });
        if (got.length > 0) {
          holding = true;
          yield got[0].body;
          continue;
        }
        if (this.closed) return;
        await new Promise<void>((resolve) => this.readers.add(resolve));
      }
    } finally {
      if (holding) this.confirm();
    }
  }

  /**
   * Stops repeating an unanswered resume, when nothing of ours waits for the peer: it is gone, as
   * far as anyone can tell, and asking again every maxRtoMs forever costs a timer and a lookup
   * per departed peer. The exchange starts again by the peer's own resume, if it comes back,
   * or by our next resume(). Returns false (and changes nothing) while something is unconfirmed.
   */
  park(): boolean {
    if (this.closed || this.resumeAt === undefined || this.unconfirmed > 0) return false;
    this.resumeAt = undefined;
    this.timer?.clear();
    this.timer = undefined;
    this.timerAt = Infinity;
    return true;
  }

  /** Stops the session: every unconfirmed send rejects with CLOSED; readers drain the inbox and end. */
  close(): void {
    if (this.closed) return;
    // What the application took is confirmed before we go, if the carrier still takes frames.
    if (this.ackQueued) this.sendAck();
    this.closed = true;
    this.detach?.();
    this.transport = undefined;
    this.timer?.clear();
    const error = new Closed('the reliable link was closed before the peer confirmed the message');
    for (const p of this.waiting.clear()) this.settle(p, error);
    for (const { body } of this.sender.reset()) this.settle(body, error);
    this.wakeReaders();
  }

  private receive(frame: ReliableFrameInit): void {
    if (this.closed) return;
    const now = this.clock.now();
    switch (frame.type) {
      case 'resume': {
        const wasHeard = this.session.heard;
        const outcome = this.session.onResume(frame);
        if (outcome.kind === 'stale') return;
        this.resumeAt = undefined;
        if (outcome.kind === 'same' && wasHeard && !outcome.newPath) {
          // An answer on a path both ends already resumed: an ack, not a reason to resend everything.
          const ack = { cumulative: outcome.received, held: outcome.received, ranges: [], window: outcome.window };
          for (const { body } of this.sender.onAck(ack, now)) this.settle(body);
        } else this.applyResume(outcome, now);
        if (!frame.reply) this.transport?.send(this.session.resumeFrame(this.receiver.cumulative, this.receiver.window, true));
        break;
      }
      case 'data': {
        if (!this.session.accepts(frame)) return;
        if (this.receiver.onData(frame.seq, frame) === 'new' && this.receiver.available > 0) this.wakeReaders();
        this.queueAck(); // duplicates too: the sender's ack may have been lost (a probe asks for it)
        return;
      }
      case 'sack': {
        if (!this.session.accepts(frame)) return;
        for (const { body } of this.sender.onAck(frame, now)) this.settle(body);
        break;
      }
    }
    this.fill();
    this.pump();
  }

  private applyResume(outcome: Exclude<ResumeOutcome, { kind: 'stale' }>, now: number): void {
    if (outcome.kind === 'restarted') {
      const failed = this.sender.reset();
      this.receiver.reset();
      for (const { body } of failed) {
        this.settle(
          body,
          new BotzError(ErrorCode.CLOSED, 'the peer restarted and lost the message before confirming it', {
            details: { reason: 'peerRestarted', peer: outcome.peer },
          }),
        );
      }
      this.emit({ type: 'peerRestarted', previous: outcome.previous, peer: outcome.peer, failed: failed.length });
    }
    for (const { body } of this.sender.resume(outcome.received, outcome.window, now)) this.settle(body);
    this.emit({ type: 'resumed', peer: outcome.peer, epoch: this.session.epoch });
  }

  /** Moves waiting sends into the window while it has room. */
  private fill(): void {
    while (!this.sender.full) {
      const p = this.waiting.shift();
      if (!p) return;
      this.sender.offer(p);
    }
  }

  /** Transmits what the window says is due and arms the timer for the next deadline. */
  private pump(): void {
    if (this.closed || !this.transport) return;
    const now = this.clock.now();
    const peer = this.session.peer;
    if (peer !== undefined && this.session.heard) {
      for (const { seq, body } of this.sender.poll(now)) {
        this.transport.send({ type: 'data', session: this.session.id, peer, seq, body: body.body, ...(body.headers ? { headers: body.headers } : {}) });
      }
    }
    if (this.resumeAt !== undefined && now >= this.resumeAt) {
      // Our resume or its answer was lost: repeat it, backing off like a retransmission.
      this.transport.send(this.session.resumeFrame(this.receiver.cumulative, this.receiver.window, false));
      this.resumeRetryMs = Math.min(this.resumeRetryMs * 2, this.sender.options.maxRtoMs);
      this.resumeAt = now + this.resumeRetryMs;
    }
    this.schedule();
  }

  private schedule(): void {
    const now = this.clock.now();
    const data = this.session.heard ? this.sender.nextDeadline(now) : undefined;
    const at = data === undefined ? this.resumeAt : this.resumeAt === undefined ? data : Math.min(data, this.resumeAt);
    if (at === undefined) return;
    // A timer that fires no later is kept: firing early only costs one pump(), which re-arms.
    // Re-arming on every send would cost a timer per message.
    if (this.timer !== undefined && this.timerAt <= Math.max(at, now + 1)) return;
    this.timer?.clear();
    this.timerAt = Math.max(at, now + 1);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.pump();
    }, this.timerAt - now);
  }

  /**
   * One sack per turn of the event loop. Data frames of one packet arrive in one turn, and a
   * handler that settles at once is pumped through them in microtasks of that turn: by the
   * check phase (or when confirm() sees the last one taken) one sack says they were all taken.
   * (A microtask would fire after the first message, and ack the rest again one by one.)
   */
  private queueAck(): void {
    if (this.ackQueued) return;
    this.ackQueued = true;
    setImmediate(() => {
      if (this.ackQueued) this.sendAck();
    });
  }

  private sendAck(): void {
    this.ackQueued = false;
    const peer = this.session.peer;
    if (this.closed || !this.transport || peer === undefined) return;
    this.transport.send({ type: 'sack', session: this.session.id, peer, ...this.receiver.ack() });
  }

  private settle(p: PendingSend, error?: BotzError): void {
    if (p.settled) return;
    p.settled = true;
    p.timer?.clear();
    if (error) p.reject(error);
    else p.resolve();
  }

  private wakeReaders(): void {
    const readers = [...this.readers];
    this.readers.clear();
    for (const wake of readers) wake();
  }

  private emit(event: ReliableLinkEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

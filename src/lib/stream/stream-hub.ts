/**
 * A node's streams: the protocols it accepts, the streams open with each peer, and the liveness
 * of those peers. Stream frames come in through `take` (the node's one inbound dispatch) and go
 * out the node's one route:
 *
 *   connect(peer, protocol) ── streamOpen as a call ──▶ router (direct | relay | mesh) ──▶ peer
 *   the opener's frames     ── host.post ─────────────▶ router, like reliable delivery's
 *   the acceptor's frames   ── host.sendBack ─────────▶ the way the peer's latest frame came
 *                                                       (a link it dialed is never our route to it)
 *
 * Liveness: every `keepaliveMs` a peer with open streams that said nothing that long is pinged
 * (streamPing; its answer carries its instance, so a restarted peer shows); one silent for
 * `livenessMs` fails every stream with it (UNREACHABLE). Chunks a peer did not credit by the
 * next tick are sent again, as they are at once when a path to the peer broke or the server
 * link came back: the receiver keeps only the seq it expects, so nothing is taken twice.
 */
import { randomBytes } from 'node:crypto';
import { asBotzError, BotzError, Closed, ErrorCode, Unreachable } from '../errors.js';
import { every, type Clock, type TimerHandle } from '../clock.js';
import { errorReply, type Frame, type FrameInit, type FrameOf, type Headers, type Path } from '../wire/frames.js';
import { headersOf } from '../wire/values.js';
import { MAX_PROTOCOL_CHARS, type StreamMode } from '../wire/stream-frames.js';
import type { FrameTaker } from '../node/inbound.js';
import type { Arrival } from '../node/message.js';
import { StreamChannel, type StreamInfo, type StreamIo } from './stream-channel.js';
import type { ResolvedStreamOptions } from './stream-options.js';
import { WindowBudget } from './window-budget.js';

/** What the hub needs of its node. */
export interface StreamHost {
  readonly name: string;
  readonly clock: Clock;
  /** A call to `peer` along its route; resolves with the answering frame, rejects with its error. */
  call(peer: string, init: FrameInit, timeoutMs: number): Promise<Frame>;
  /** Sends a frame that expects no answer to `peer` along its route. */
  post(peer: string, init: FrameInit): void;
  /** Sends to `peer` the way `arrival` came (the link it came on, the current server link, the mesh). */
  sendBack(peer: string, arrival: Arrival, init: FrameInit): void;
  /** Answers `frame` the way it came. */
  answer(frame: Frame, arrival: Arrival, init: FrameInit): void;
  /** Reports a stream's end to whoever tails the network (a no-op while nobody does). */
  traceClose(event: StreamClosed): void;
}

/** A stream ended here: cleanly, or with the failure's code. */
export interface StreamClosed {
  peer: string;
  protocol: string;
  stream: string;
  path: Path;
  bytesIn: number;
  bytesOut: number;
  /** The failure's code; absent when both halves ended. */
  code?: string;
}

/**
 * Takes an accepted stream. Throwing refuses it (the opener gets REFUSED with the message); a
 * promise it returns that rejects destroys the stream with that reason.
 */
export type AcceptHandler = (channel: StreamChannel, info: StreamInfo) => unknown;

export interface ConnectOptions {
  /** Sent with the open; the acceptor's handler sees them in `info.headers`. */
  headers?: Headers;
  /** Carry JSON values (object mode) instead of bytes. */
  objectMode?: boolean;
  /** How long to wait for the accept, in ms. */
  timeout?: number;
}

/** The streams with one peer. */
interface PeerStreams {
  readonly name: string;
  readonly channels: Map<string, StreamChannel>;
  lastHeard: number;
  /** How its latest frame came: the acceptor's way back to it. */
  back: Arrival | undefined;
}

function randomId(): string {
  return randomBytes(12).toString('base64url');
}

export class StreamHub implements FrameTaker {
  /** Random per process: peers compare it to tell a restart from a pause. */
  readonly instance = randomId();
  private readonly handlers = new Map<string, AcceptHandler>();
  private readonly peers = new Map<string, PeerStreams>();
  private open = 0;
  private ticker: TimerHandle | undefined;
  private stopped = false;
  private readonly windows: WindowBudget;
  private readonly io: StreamIo = {
    send: (channel, init) => this.send(channel, init),
    closed: (channel) => {
      this.windows.release(channel);
      this.forget(channel);
    },
    grow: (channel, current) => this.windows.grow(channel, current),
  };

  constructor(
    private readonly host: StreamHost,
    private readonly options: ResolvedStreamOptions,
    /** The node's call timeout: how long an open waits by default. */
    private readonly timeoutMs: number,
  ) {
    this.windows = new WindowBudget(options.maxWindowBytes, options.windowBudgetBytes);
  }

  /** Streams open now, both ways. */
  get size(): number {
    return this.open;
  }

  /** Accepts streams for `protocol` with `handler` (replacing any earlier one); undefined stops accepting. */
  accept(protocol: string, handler: AcceptHandler | undefined): void {
    checkProtocol(protocol);
    if (handler) this.handlers.set(protocol, handler);
    else this.handlers.delete(protocol);
  }

  /**
   * Opens a stream to `peer` for `protocol`; resolves once its handler accepted. Rejects with
   * UNKNOWN_PROTOCOL (no handler for it there), REFUSED (the handler declined), LIMIT_REACHED,
   * and what a call to `peer` rejects with (NO_SUCH_COMPONENT, TIMEOUT...).
   */
  async connect(peer: string, protocol: string, options: ConnectOptions = {}): Promise<StreamChannel> {
    if (this.stopped) throw new Closed('this node has stopped');
    checkProtocol(protocol);
    if (peer === this.host.name) throw new BotzError(ErrorCode.INVALID_ARGUMENT, 'a node cannot open a stream to itself');
    this.assertRoom(peer);
    const stream = randomId();
    const mode: StreamMode = options.objectMode ? 'json' : 'bytes';
    const headers = options.headers ?? {};
    const state = this.peer(peer);
    const channel = new StreamChannel(this.io, { peer, protocol, headers, stream }, mode, this.options.windowBytes, true);
    this.add(state, channel);
    const open: FrameInit = { type: 'streamOpen', stream, protocol, mode, window: this.options.windowBytes, instance: this.instance, ...headersOf(headers) };
    let answer: Frame;
    try {
      answer = await this.host.call(peer, open, options.timeout ?? this.options.openTimeoutMs ?? this.timeoutMs);
      if (answer.type !== 'streamAccept') throw new BotzError(ErrorCode.MALFORMED_FRAME, `"${peer}" answered a stream open with ${answer.type}`);
    } catch (error) {
      channel.fail(asBotzError(error, ErrorCode.UNREACHABLE), false, true);
      throw error;
    }
    state.lastHeard = this.host.clock.now();
    channel.start(answer.window, answer.instance);
    return channel;
  }

  take(frame: Frame, arrival: Arrival): boolean {
    switch (frame.type) {
      case 'streamOpen':
        this.onOpen(frame, arrival);
        return true;
      case 'streamData':
      case 'streamCredit':
      case 'streamEnd':
      case 'streamReset':
        this.onStreamFrame(frame, arrival);
        return true;
      case 'streamPing':
        this.onPing(frame, arrival);
        return true;
      default:
        return false;
    }
  }

  /** Our path to `peer` broke: what it may have lost goes again once a route is back. */
  onPathDown(peer: string): void {
    const state = this.peers.get(peer);
    if (state) for (const channel of state.channels.values()) channel.resend(true);
  }

  /** The server link came back: relayed frames in flight died with the old one. */
  onServerUp(): void {
    for (const state of this.peers.values()) for (const channel of state.channels.values()) channel.resend(true);
  }

  /** Stops: every stream fails with CLOSED (the peers are told), and opens are refused. */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const state of [...this.peers.values()]) {
      for (const channel of [...state.channels.values()]) channel.fail(new Closed('this node has stopped'), true);
    }
    this.ticker?.clear();
    this.ticker = undefined;
  }

  private onOpen(frame: FrameOf<'streamOpen'>, arrival: Arrival): void {
    const known = this.peers.get(frame.from);
    if (known) this.heard(known, arrival);
    const again = known?.channels.get(frame.stream);
    if (again && !again.opener) return this.acceptAnswer(frame, arrival);
    const refuse = (code: ErrorCode, message: string): void => this.host.answer(frame, arrival, { type: 'error', re: frame.id, code, message });
    if (this.stopped) return refuse(ErrorCode.CLOSED, `"${this.host.name}" is stopping`);
    const handler = this.handlers.get(frame.protocol);
    if (!handler) return refuse(ErrorCode.UNKNOWN_PROTOCOL, `"${this.host.name}" accepts no streams for protocol "${frame.protocol}"`);
    if (this.open >= this.options.maxStreams) return refuse(ErrorCode.LIMIT_REACHED, `"${this.host.name}" has ${this.open} streams open, its limit`);
    if ((known?.channels.size ?? 0) >= this.options.maxStreamsPerPeer) {
      const limit = this.options.maxStreamsPerPeer;
      const error = new BotzError(ErrorCode.TOO_MANY_STREAMS, `"${this.host.name}" has ${limit} streams open with "${frame.from}", its limit per peer`, { details: { limit } });
      return this.host.answer(frame, arrival, errorReply(frame.id, error, ErrorCode.TOO_MANY_STREAMS));
    }
    const info: StreamInfo = { peer: frame.from, protocol: frame.protocol, headers: frame.headers ?? {}, stream: frame.stream, path: arrival.path };
    const channel = new StreamChannel(this.io, info, frame.mode, this.options.windowBytes, false);
    const state = this.peer(frame.from);
    state.back = arrival;
    this.add(state, channel);
    try {
      const settled = handler(channel, info);
      if (isThenable(settled)) settled.then(undefined, (error: unknown) => channel.fail(asBotzError(error, ErrorCode.REMOTE_ERROR), true));
    } catch (error) {
      channel.fail(new Closed('refused'), false, true);
      return refuse(ErrorCode.REFUSED, error instanceof Error ? error.message : String(error));
    }
    // The handler destroyed it at once: a refusal, since the opener holds nothing yet.
    if (channel.destroyed) return refuse(ErrorCode.REFUSED, channel.failure?.message ?? (channel.errored as Error | null)?.message ?? 'the handler closed the stream');
    this.acceptAnswer(frame, arrival);
    channel.start(frame.window, frame.instance);
  }

  private acceptAnswer(frame: FrameOf<'streamOpen'>, arrival: Arrival): void {
    this.host.answer(frame, arrival, { type: 'streamAccept', re: frame.id, stream: frame.stream, window: this.options.windowBytes, instance: this.instance });
  }

  private onStreamFrame(frame: FrameOf<'streamData' | 'streamCredit' | 'streamEnd' | 'streamReset'>, arrival: Arrival): void {
    const state = this.peers.get(frame.from);
    if (state) this.heard(state, arrival);
    const channel = state?.channels.get(frame.stream);
    if (!channel) return this.unknown(frame, arrival);
    switch (frame.type) {
      case 'streamData':
        return channel.onData(frame.seq, frame.chunk);
      case 'streamCredit':
        return channel.onCredit(frame.seq, frame.window);
      case 'streamEnd':
        return channel.onEnd(frame.seq);
      case 'streamReset':
        return channel.onReset(frame.code, frame.message);
    }
  }

  /**
   * A frame for a stream we do not have: it ended here (a late copy), or we are a new process
   * (the peer's stream died with our previous one). Data is answered with a reset, so its
   * writer learns at once; an END is confirmed (it may be the repeat of one whose credit was
   * lost); credits and resets need nothing.
   */
  private unknown(frame: FrameOf<'streamData' | 'streamCredit' | 'streamEnd' | 'streamReset'>, arrival: Arrival): void {
    if (frame.type === 'streamData') {
      const message = `"${this.host.name}" has no such stream (it ended, or "${this.host.name}" restarted)`;
      this.host.sendBack(frame.from, arrival, { type: 'streamReset', stream: frame.stream, code: ErrorCode.CLOSED, message });
    } else if (frame.type === 'streamEnd') {
      this.host.sendBack(frame.from, arrival, { type: 'streamCredit', stream: frame.stream, seq: frame.seq, window: 0 });
    }
  }

  private onPing(frame: FrameOf<'streamPing'>, arrival: Arrival): void {
    const state = this.peers.get(frame.from);
    if (state) {
      this.heard(state, arrival);
      for (const channel of [...state.channels.values()]) {
        if (channel.peerInstance === undefined || channel.peerInstance === frame.instance) continue;
        const error = new Closed(`"${frame.from}" restarted: the stream died with its previous process`, { details: { reason: 'peerRestarted', peer: frame.from } });
        channel.fail(error, false);
      }
    }
    if (!frame.reply) this.host.sendBack(frame.from, arrival, { type: 'streamPing', instance: this.instance, reply: true });
  }

  private heard(state: PeerStreams, arrival: Arrival): void {
    state.lastHeard = this.host.clock.now();
    const before = state.back;
    state.back = arrival;
    // The peer's frames come another way now (it redialed, the server came back): what we sent
    // back the old way may be lost.
    if (before && (before.path !== arrival.path || before.channel !== arrival.channel)) {
      for (const channel of state.channels.values()) if (!channel.opener) channel.resend(true);
    }
  }

  private send(channel: StreamChannel, init: FrameInit): void {
    const peer = channel.info.peer;
    if (channel.opener) return this.host.post(peer, init);
    const back = this.peers.get(peer)?.back;
    if (back) this.host.sendBack(peer, back, init);
  }

  private ping(state: PeerStreams): void {
    const init: FrameInit = { type: 'streamPing', instance: this.instance, reply: false };
    const opened = [...state.channels.values()].some((c) => c.opener);
    if (opened) this.host.post(state.name, init);
    else if (state.back) this.host.sendBack(state.name, state.back, init);
  }

  private tick(): void {
    const now = this.host.clock.now();
    for (const state of [...this.peers.values()]) {
      const silent = now - state.lastHeard;
      if (silent >= this.options.livenessMs) {
        const error = new Unreachable(`no word from "${state.name}" for ${silent} ms: its streams failed`, { details: { peer: state.name, silentMs: silent } });
        for (const channel of [...state.channels.values()]) channel.fail(error, false);
        continue;
      }
      if (silent >= this.options.keepaliveMs) this.ping(state);
      for (const channel of state.channels.values()) {
        if (!channel.heardCredit) channel.resend(false);
        channel.heardCredit = false;
      }
    }
  }

  private peer(name: string): PeerStreams {
    let state = this.peers.get(name);
    if (!state) {
      state = { name, channels: new Map(), lastHeard: this.host.clock.now(), back: undefined };
      this.peers.set(name, state);
    }
    return state;
  }

  private assertRoom(peer: string): void {
    if (this.open >= this.options.maxStreams) {
      throw new BotzError(ErrorCode.LIMIT_REACHED, `${this.open} streams are open, the limit (streams.maxStreams)`, { details: { limit: this.options.maxStreams } });
    }
    const limit = this.options.maxStreamsPerPeer;
    if ((this.peers.get(peer)?.channels.size ?? 0) >= limit) {
      throw new BotzError(ErrorCode.TOO_MANY_STREAMS, `${limit} streams are open with "${peer}", the limit per peer (streams.maxStreamsPerPeer)`, { details: { limit, peer } });
    }
  }

  private add(state: PeerStreams, channel: StreamChannel): void {
    if (state.channels.size === 0) state.lastHeard = this.host.clock.now();
    state.channels.set(channel.info.stream, channel);
    this.open++;
    if (!this.ticker) this.ticker = every(this.host.clock, this.options.keepaliveMs, () => this.tick()).unref();
  }

  private forget(channel: StreamChannel): void {
    const state = this.peers.get(channel.info.peer);
    if (!state || state.channels.get(channel.info.stream) !== channel) return;
    const { peer, protocol, stream } = channel.info;
    const code = channel.failure?.code ?? (channel.errored ? ((channel.errored as { code?: unknown }).code?.toString() ?? 'ERROR') : undefined);
    this.host.traceClose({ peer, protocol, stream, path: state.back?.path ?? 'relay', bytesIn: channel.bytesIn, bytesOut: channel.bytesOut, ...(code ? { code } : {}) });
    state.channels.delete(channel.info.stream);
    this.open--;
    if (state.channels.size === 0) this.peers.delete(state.name);
    if (this.open === 0) {
      this.ticker?.clear();
      this.ticker = undefined;
    }
  }
}

function checkProtocol(protocol: string): void {
  if (typeof protocol !== 'string' || protocol.length === 0 || protocol.length > MAX_PROTOCOL_CHARS) {
    throw new BotzError(ErrorCode.INVALID_ARGUMENT, `a stream protocol is 1 to ${MAX_PROTOCOL_CHARS} characters`);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

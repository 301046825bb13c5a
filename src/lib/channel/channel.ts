/**
 * A Channel is one authenticated link between two botz nodes. It owns:
 * - the handshake (hello → welcome → auth), which proves both ends hold a key of the keyring,
 *   freshly: the dialer's auth answers the listener's nonce, so a captured hello opens nothing
 *   (a credential link, identity-link.ts, proves the credential and derives its own keys);
 * - sealing: frames queued in one event-loop turn travel as one packet per destination,
 *   with one MAC (this is what makes 64-in-flight traffic cheap; see outbox.ts);
 * - opening: every packet is verified, replay-checked and validated before any frame of it
 *   is handed on; a bad packet is counted and dropped (before the handshake, the link closes);
 * - the pending-request map of requests sent on it.
 *
 * The handshake's frames are in handshake.ts.
 */
import { throwIfCancelled } from '../cancel.js';
import { remaining } from '../clock.js';
import { asBotzError, BotzError, Closed, ErrorCode, errorFromWire, Unreachable } from '../errors.js';
import { CODECS, type EncodedFrame, type PayloadCodec } from '../wire/codec.js';
import type { Codec, Frame, FrameInit, LinkRole } from '../wire/frames.js';
import { answerTo } from '../wire/validate.js';
import { ANY_DESTINATION, PacketSealer, SERVER_DESTINATION, decodeVerified, type PacketHeader, type VerifiedPacket } from '../wire/packet.js';
import { CloseCode, type Link, type Transport } from '../transport/transport.js';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS } from '../transport/connection-limits.js';
import type { NodeContext } from './node-context.js';
import { Outbox } from './outbox.js';
import { PendingRequests } from './pending.js';
import { closeError, handshakeFailure, refusalCloseCode } from './close-error.js';
import { Inbox } from './inbox.js';
import { SlowConsumerWatch } from './slow-consumer.js';
import {
  answersChallenge,
  helloFrame,
  termsOf,
  welcomeFor,
  type Challenge,
  type HelloDecision as Decision,
  type WelcomeTerms,
} from './handshake.js';
import { IdentityLink } from './identity-link.js';
import { sendAnswer } from './answer.js';

export type HelloDecision = Decision<Channel>;

export interface ChannelHandlers {
  /** Every verified frame addressed to this node that is not a reply somebody waits for. */
  onFrame(frame: Frame, channel: Channel, header: PacketHeader): void;
  /** A verified packet addressed to another node. Without this handler it is rejected. */
  onForward?(verified: VerifiedPacket, bytes: Buffer, channel: Channel): void;
  onClose?(channel: Channel, error: BotzError): void;
}

/** What a dialer learns from the welcome, and the channel. */
export type Welcomed = WelcomeTerms & { channel: Channel };

export class Channel {
  /** The name of the node at the other end (known after the handshake). */
  peer = '?';
  established = false;
  readonly pending: PendingRequests;
  readonly sealer: PacketSealer;
  private readonly outbox: Outbox;
  private onHello: HelloDecision | undefined;
  /** Listener side, between the welcome and the dialer's auth: what the auth must answer. */
  private challenge: Challenge | undefined;
  closeReason: BotzError | undefined;
  /** The session token the handshake agreed on (the server's proof of name ownership). */
  session: string | undefined;
  /** Whatever the owner wants to keep with this channel (the registry entry, the address...). */
  tag: unknown;
  /** Frames that arrived in encrypted packets: their answers travel encrypted too, whatever the link does. */
  private readonly arrivedEncrypted = new WeakSet<Frame>();
  /** A credential link's handshake (§3b), and at a listener the dialer's verified grant. */
  identity: IdentityLink | undefined;
  /** Frames received, on their way to the handlers. */
  readonly inbox = new Inbox((frames, header, from, to) => this.handOn(frames, header, from, to));

  constructor(
    readonly ctx: NodeContext,
    readonly link: Link,
    private handlers: ChannelHandlers,
  ) {
    this.pending = new PendingRequests(undefined, ctx.clock);
    this.sealer = new PacketSealer({ keyring: ctx.keyring, maxPacketBytes: ctx.maxPacketBytes, now: () => ctx.clock.now() });
    const consumer = new SlowConsumerWatch(ctx, link, () => (this.established ? this.peer : undefined));
    this.outbox = new Outbox(this.sealer, link, ctx.maxPacketBytes, (packet) => {
      this.identity?.sent(packet);
      consumer.check();
    });
    this.forward = (bytes) => {
      this.flush();
      link.send(bytes);
      consumer.check();
    };
    link.attach({
      onMessage: (data) => this.receive(data),
      onClose: (code, reason) => this.closed(code, reason),
    });
  }

  /** Dials `address` and completes the handshake. Rejects with UNREACHABLE, AUTH_FAILED, NAME_TAKEN... */
  static async connect(
    ctx: NodeContext,
    transport: Transport,
    address: string,
    options: {
      /** Name of the node we expect there: `$server` or a component name. */
      expect: string;
      role: LinkRole;
      session?: string;
      timeoutMs?: number;
      handlers: ChannelHandlers;
    },
  ): Promise<Welcomed> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    // One deadline for the dial and the hello: a peer slow at both must not get the timeout twice.
    const deadline = ctx.clock.now() + timeoutMs;
    const link = await transport.connect(address, { timeoutMs, maxMessageBytes: ctx.maxPacketBytes });
    const channel = new Channel(ctx, link, options.handlers);
    channel.peer = options.expect;
    channel.identity = IdentityLink.forDialer(ctx, channel.sealer, options.expect);
    try {
      const welcome = await channel.request({ ...helloFrame(ctx, options.role, options.session), ...channel.identity?.helloFields() }, {
        to: options.expect,
        timeoutMs: remaining(ctx.clock, deadline),
        callTimeoutMs: timeoutMs,
        describe: `the handshake with ${address}`,
      });
      return { channel, ...termsOf(welcome, ctx) };
    } catch (error) {
      channel.close(CloseCode.PROTOCOL_ERROR, 'handshake failed');
      throw error;
    }
  }

  /** Wraps a link a listener accepted; `decide` judges its hello, which must come (with the auth) within `timeoutMs`. */
  static accept(ctx: NodeContext, link: Link, decide: HelloDecision, handlers: ChannelHandlers, timeoutMs = DEFAULT_HANDSHAKE_TIMEOUT_MS): Channel {
    const channel = new Channel(ctx, link, handlers);
    channel.onHello = decide;
    ctx.clock
      .setTimeout(() => {
        if (!channel.established) channel.close(CloseCode.PROTOCOL_ERROR, 'no hello and auth within the handshake timeout');
      }, timeoutMs)
      .unref();
    return channel;
  }

  /**
   * Stamps and queues a frame for `to` (default: the peer); with `encrypt`, it travels encrypted
   * even if the link does not. Throws FRAME_TOO_LARGE at once.
   */
  send(init: FrameInit, to: string = this.peer, options: { encrypt?: boolean } = {}): Frame {
    const frame = this.ctx.stamp(init);
    this.outbox.enqueue(frame, to, options.encrypt);
    return frame;
  }

  /** Queues a frame the node already stamped (it may travel by another path too, or a server relays it) for `to`. */
  sendFrame(frame: Frame, to: string, encrypt?: boolean): void {
    this.outbox.enqueue(frame, to, encrypt);
  }

  /** Queues a stamped frame with its encoding for this link's codec (`codec`): what a fan-out encodes once for many links. */
  sendEncoded(frame: Frame, encoded: EncodedFrame, to: string = this.peer): void {
    this.outbox.enqueueEncoded(frame.type, encoded, to);
  }

  /** The codec this link's packets use (MessagePack frames may travel on any link). */
  get codec(): PayloadCodec {
    return this.sealer.codec;
  }

  /** True when `frame` arrived on this channel in an encrypted packet. */
  arrivedEncryptedFrame(frame: Frame): boolean {
    return this.arrivedEncrypted.has(frame);
  }

  /** Sends the answer to `request` (a response, an ack, an error...) and never throws (answer.ts). */
  answer(request: Frame, init: FrameInit, to: string = request.from): void {
    sendAnswer(this, request, init, to);
  }

  /** Sends a request-like frame and waits for the frame that answers it (`re` = its id). */
  async request(
    init: FrameInit,
    options: {
      to?: string;
      timeoutMs: number;
      describe?: string;
      /** The caller's whole timeout, when this request is the last part of a longer call: a timeout names it. */
      callTimeoutMs?: number;
      /** Ends the wait with CANCELLED when it fires; an already fired signal sends nothing. */
      signal?: AbortSignal;
      /** Send it encrypted even if the link is not (a forwarded copy of an encrypted frame). */
      encrypt?: boolean;
    },
  ): Promise<Frame> {
    if (options.signal?.aborted) throwIfCancelled(options.signal, options.describe ?? `the ${init.type}`);
    if (this.link.closed) throw this.closeReason ?? new Closed(`link to ${this.peer} is closed`);
    // Refused requests are not sent: a caller told TOO_MANY_PENDING may retry without running it twice.
    this.pending.assertRoom();
    const frame = this.ctx.stamp(init);
    const to = options.to ?? this.peer;
    const reply = this.pending.add(frame.id, {
      timeoutMs: options.timeoutMs,
      describe: () => options.describe ?? `the ${init.type} to ${to === SERVER_DESTINATION ? 'the server' : `"${to}"`}`,
      shownTimeoutMs: options.callTimeoutMs,
      signal: options.signal,
      peer: to,
    });
    try {
      this.outbox.enqueue(frame, to, options.encrypt);
    } catch (error) {
      this.pending.fail(frame.id, error as BotzError);
    }
    const answer = await reply;
    if (answer.type === 'error') throw errorFromWire(answer.code, answer.message, { from: answer.from });
    return answer;
  }

  /** Sends verified packet bytes on unchanged (the relay), after anything already queued. */
  readonly forward: (bytes: Uint8Array) => void;

  close(code: number = CloseCode.NORMAL, reason = ''): void {
    this.flush();
    this.link.close(code, reason);
  }

  useCodec(codec: Codec): void {
    this.sealer.codec = CODECS[codec];
  }

  /** Sends everything queued now instead of at the end of this turn. */
  flush(): void {
    this.outbox.flush();
  }

  private receive(data: Buffer): void {
    let header: PacketHeader;
    let frames: Frame[];
    try {
      if (this.onHello && !this.challenge && !this.established) this.identity ??= IdentityLink.forHello(this.ctx, this.sealer, data);
      const verified = (this.identity?.opener ?? this.ctx.opener).verify(data);
      header = verified.header;
      if (!header.encrypted && this.sealer.encrypt && (this.established || this.challenge)) {
        // Both ends agreed to encrypt this link: a plaintext packet on it is not ours to act on.
        throw new BotzError(ErrorCode.ENCRYPTION_REQUIRED, 'a plaintext packet on a link that negotiated encryption');
      }
      if (header.to !== this.ctx.name && header.to !== ANY_DESTINATION) {
        if (this.established && this.handlers.onForward) {
          this.handlers.onForward(verified, data, this);
          return;
        }
        throw new BotzError(ErrorCode.NO_SUCH_COMPONENT, `packet for "${header.to}" reached ${this.ctx.name}`, {
          details: { name: header.to },
        });
      }
      frames = decodeVerified(data, verified);
    } catch (error) {
      this.rejectPacket(error);
      return;
    }
    if (!this.established) {
      this.handshake(frames, header, data);
      return;
    }
    this.dispatch(frames, header, data.length);
  }

  /** Replies settle their waiting request; everything else goes to the owner's handler (paced by the inbox). */
  private dispatch(frames: Frame[], header: PacketHeader, bytes: number): void {
    if (header.encrypted) for (const frame of frames) this.arrivedEncrypted.add(frame);
    this.inbox.take(frames, header, bytes);
  }

  private handOn(frames: Frame[], header: PacketHeader, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      if (this.link.closed) return; // a handler closed it: the rest goes with the backlog
      const frame = frames[i];
      const re = answerTo(frame);
      if (re !== undefined && this.pending.settle(re, frame)) continue;
      try {
        this.handlers.onFrame(frame, this, header);
      } catch (error) {
        // This runs in the socket's message callback, where a throw ends the process: a frame
        // its handler could not take is counted as rejected, like a bad packet, and the link goes on.
        this.ctx.reject({ error: asBotzError(error, ErrorCode.MALFORMED_FRAME), remote: this.link.remoteAddress, peer: this.peer });
      }
    }
  }

  private handshake(frames: Frame[], header: PacketHeader, data: Buffer): void {
    if (!this.onHello) return this.dialerHandshake(frames, header, data);
    if (this.challenge) return this.answerOfChallenge(frames, header);
    const hello = frames[0];
    if (frames.length !== 1 || hello.type !== 'hello') {
      return this.rejectPacket(new BotzError(ErrorCode.MALFORMED_FRAME, 'the first packet on a link must be a single hello'));
    }
    try {
      this.peer = hello.from;
      this.identity?.judgeHello(hello, data);
      const decision = this.onHello(hello, this);
      this.session = decision.session;
      const welcome = welcomeFor(this.ctx, hello, decision);
      const sent = this.send({ ...welcome, ...this.identity?.welcomeFields(welcome.nonce) }, hello.from);
      this.flush();
      this.useCodec(welcome.codec);
      this.sealer.encrypt = welcome.encrypt === true;
      this.identity?.listenerKeys();
      this.challenge = { hello, welcomeId: sent.id, nonce: welcome.nonce, admit: decision.admit };
    } catch (error) {
      this.refuse(error, hello.from);
    }
  }

  /**
   * Dialing side: the welcome establishes the link at once, synchronously, because the
   * listener's next packet may arrive in the same socket read, before any await resumes. Our
   * auth goes first, in a packet of its own, before anything else we send on the link.
   */
  private dialerHandshake(frames: Frame[], header: PacketHeader, data: Buffer): void {
    const first = frames[0];
    // A credential link's welcome must be the issuer's answer to our hello before it opens anything.
    const keys = this.identity && first.type === 'welcome' ? this.identity.dialerKeys(first, data) : undefined;
    if (keys instanceof BotzError) return this.rejectPacket(keys);
    if (keys) this.link.decryptWith?.(this.identity!.opener.keyring);
    // Only the answer to our hello (its re is the hello's id) opens the link; the connect it
    // settles resumes after this turn, with the link established.
    const re = answerTo(first);
    if (re === undefined || !this.pending.settle(re, first)) {
      return this.rejectPacket(new BotzError(ErrorCode.MALFORMED_FRAME, 'the first packet from a listener must answer our hello'));
    }
    if (first.type !== 'welcome') return; // an error: the connect rejects with it
    this.useCodec(first.codec);
    this.session = first.session;
    this.sealer.encrypt = termsOf(first, this.ctx).encrypt;
    this.established = true;
    this.send({ type: 'auth', re: first.id, nonce: first.nonce, ...(keys ? { proof: keys.proof } : {}) });
    this.flush();
    this.dispatch(frames.slice(1), header, 0);
  }

  /** Listener side: the dialer's first packet after our welcome must open with the auth that answers it. */
  private answerOfChallenge(frames: Frame[], header: PacketHeader): void {
    const challenge = this.challenge!;
    const auth = frames[0];
    if (!answersChallenge(auth, challenge)) {
      this.rejectPacket(new BotzError(ErrorCode.AUTH_FAILED, 'the first packet after the welcome must answer its challenge (an auth frame)'));
      return;
    }
    try {
      this.identity?.checkAuth(auth);
      challenge.admit?.();
    } catch (error) {
      this.refuse(error, challenge.hello.from);
      return;
    }
    this.challenge = undefined;
    this.established = true;
    // Synchronously, in the handling of the authenticating packet: the next message may be large.
    this.link.authenticated();
    this.dispatch(frames.slice(1), header, 0);
  }

  /** Closes a link whose hello (or auth) the listener refused, with the close code that says why. */
  private refuse(error: unknown, from: string): void {
    const e = asBotzError(error, ErrorCode.MALFORMED_FRAME);
    this.ctx.reject({ error: e, remote: this.link.remoteAddress, peer: from });
    this.link.close(refusalCloseCode(e.code), e.code === ErrorCode.NAME_TAKEN ? `name taken: ${from}` : e.message);
  }

  private rejectPacket(error: unknown): void {
    const e = asBotzError(error, ErrorCode.MALFORMED_FRAME);
    this.ctx.reject({ error: e, remote: this.link.remoteAddress, peer: this.established ? this.peer : undefined });
    if (!this.established) {
      // Before the handshake we cannot trust the other end at all: refuse the link.
      const end = handshakeFailure(e, this.peer === '?' ? this.link.remoteAddress : this.peer);
      this.pending.closeAll(end.error);
      this.closeReason = end.error;
      this.link.close(end.code, end.reason);
    }
  }

  private closed(code: number, reason: string): void {
    const error = this.closeReason ?? closeError(code, reason, this.peer);
    this.closeReason = error;
    // Frames still waiting to be handed on are not: their answers could not travel any more, and
    // whoever sent them learns of the closed link (reliable data is resent after a resume).
    this.inbox.clear();
    this.pending.closeAll(error.code === ErrorCode.CLOSED ? new Unreachable(error.message, { cause: error }) : error);
    this.handlers.onClose?.(this, error);
  }
}

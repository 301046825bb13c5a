/**
 * Component: the composition root a user holds. A Client that registers a unique name (with
 * groups and metadata), accepts direct links if given a port, answers requests and broadcasts
 * with its handler, heartbeats, and follows the Botica lifecycle: `ready` once its handler is
 * installed, and a confirmed answer to `shutdownRequest`.
 *
 *   const echo = await Component.start({ server, secret, name: 'echo', port: 0, onMessage: (m) => m.body });
 */
import { BotzError, ErrorCode, isBotzError } from '../errors.js';
import { Channel, DEFAULT_HANDSHAKE_TIMEOUT_MS } from '../channel/channel.js';
import { validateName } from '../registry/registry.js';
import { refusalError, type ConnectionLimits, type Link, type Listener } from '../transport/transport.js';
import { PROTOCOL_VERSION, validateFrame, type Body, type Frame, type FrameInit, type Json, type ShutdownRequestFrame } from '../wire/frames.js';
import type { PacketHeader } from '../wire/packet.js';
import { HandlerLimit, type HandlerLimits } from '../handler-limit.js';
import { Client, DEFAULT_SERVER, type CallOptions, type ClientOptions } from './client.js';
import { MeshBridge, type MeshOptions } from './mesh-bridge.js';
import { ReliableDelivery, type ReliableOptions } from './reliable-delivery.js';

/** A message delivered to a component's handler. */
export interface Message {
  from: string;
  body: Body;
  /** `message`: a reliable one-way message (see `deliver`), exactly once and in order per sender. */
  kind: 'request' | 'broadcast' | 'message';
  id: string;
  /** How it reached us: over a direct link, through the server's relay, or over the mesh. */
  path: 'direct' | 'relay' | 'mesh';
  /** On mesh messages: every node it passed through, the sender first and us last. */
  hops?: string[];
}

export interface ShutdownNotice {
  forced: boolean;
  from: string;
}

/** What a component's handlers are doing (for status lines and tests). */
export interface ComponentStats {
  /** Handler calls running now: requests, broadcasts, shutdown requests, mesh messages. */
  handlersRunning: number;
  /** Calls refused since the start because a handler limit was reached (see `handlerLimits`). */
  handlersRefused: number;
}

/** How long a forced shutdown waits for a component that answered "not ready". */
export const DEFAULT_SHUTDOWN_GRACE_MS = 2_000;

export interface ComponentOptions extends ClientOptions {
  name: string;
  /** Listen for direct links on this port (0: any free port). Without it, peers reach us through the relay. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** `host:port` to publish instead of the listen address (behind NAT or port forwarding). */
  advertise?: string;
  /**
   * Caps on connections to the direct port and its handshake deadline (see connection-limits.ts);
   * refusals are counted in `rejected` and emitted as 'rejected' events.
   */
  connectionLimits?: Partial<ConnectionLimits>;
  groups?: string[];
  meta?: Record<string, string>;
  /** Answers requests (its return value is the reply) and broadcasts (its return value is ignored). */
  onMessage?: (message: Message) => Body | undefined | Promise<Body | undefined>;
  /** Asked on `shutdownRequest`: true when ready to stop now. Default: ready. */
  onShutdown?: (notice: ShutdownNotice) => boolean | Promise<boolean>;
  /** False: broadcasts are acknowledged as ignored and not handed to onMessage. */
  broadcasts?: boolean;
  shutdownGraceMs?: number;
  /**
   * Handler calls run at once, per sending peer and in total (see handler-limit.ts); past them a
   * request is refused before it runs, with TOO_MANY_PENDING. Default 1,000 per peer, 10,000 in all.
   */
  handlerLimits?: HandlerLimits;
  /** Tuning of reliable delivery (`deliver`, `messages`, `read`); see reliable-delivery.ts. */
  reliable?: ReliableOptions;
  /**
   * Run a mesh node beside the server link (see mesh-bridge.ts): it links to neighbours, forwards
   * for others, and hands mesh messages to onMessage (path 'mesh'). A mesh component needs no
   * server: if none answers at start it runs mesh-only and keeps trying to register. It registers
   * with `meta.mesh` = its mesh address, so `botz mesh ... NAME` finds it.
   */
  mesh?: MeshOptions;
}

export class Component extends Client {
  /** Where peers dial us, or null when we are reached through the relay. */
  address: string | null = null;
  private listener: Listener | undefined;
  private readonly reliable: ReliableDelivery;
  /** One bound on handler calls for every way a request comes in: direct, relay and mesh. */
  private readonly handlerLimit: HandlerLimit;
  /** The mesh node and its request/response, when started with `mesh`. */
  mesh: MeshBridge | undefined;

  private constructor(private readonly componentOptions: ComponentOptions) {
    super(componentOptions, componentOptions.name, 'component');
    this.handlerLimit = new HandlerLimit(componentOptions.name, componentOptions.handlerLimits);
    this.reliable = new ReliableDelivery(this, componentOptions.reliable ?? {}, componentOptions.onMessage);
    this.use(this.reliable);
  }

  /**
   * Reliable one-way delivery: resolves when `target`'s application took the message (its
   * onMessage handler settled, its loop over `messages()` went on, or `read()` returned it),
   * end to end, across relay; exactly once and in order per sender, surviving reconnects of
   * either side. Waits (backpressure) while the target's window is full.
   */
  deliver(target: string, body: Body, options: CallOptions = {}): Promise<void> {
    return this.reliable.deliver(target, body, options);
  }

  /**
   * Reliable messages, as the application pulls them (when no onMessage handler takes them).
   * Each is confirmed to its sender when the loop asks for the next one, or leaves.
   */
  messages(): AsyncIterableIterator<Message> {
    return this.reliable.messages();
  }

  /** Up to `n` reliable messages already waiting, without blocking; they are confirmed at once. */
  read(n?: number): Message[] {
    return this.reliable.read(n);
  }

  /**
   * Starts listening (if `port` is given), connects, registers and sends `ready`.
   * Throws INVALID_NAME, NAME_TAKEN, AUTH_FAILED or SERVER_UNREACHABLE.
   */
  static async start(options: ComponentOptions): Promise<Component> {
    validateName(options.name);
    const component = new Component(options);
    if (options.port !== undefined) {
      const { ctx } = component;
      component.listener = await component.transport.listen(
        {
          host: options.host ?? '127.0.0.1',
          port: options.port,
          maxMessageBytes: ctx.maxPacketBytes,
          limits: options.connectionLimits,
          onRefused: (refusal) => ctx.reject({ error: refusalError(refusal), remote: refusal.remote }),
        },
        (link) => component.acceptDirect(link),
      );
      const wildcard = options.host === '0.0.0.0' || options.host === '::';
      component.address = options.advertise ?? (wildcard ? null : component.listener.address);
    }
    try {
      if (options.mesh) await component.startMesh(options.mesh);
      await component.connectServer();
    } catch (error) {
      await component.mesh?.close();
      await component.listener?.close();
      throw error;
    }
    return component;
  }

  get stats(): ComponentStats {
    return { handlersRunning: this.handlerLimit.running, handlersRefused: this.handlerLimit.refused };
  }

  /** True while the link to the server is up (a mesh component may run without it). */
  get serverConnected(): boolean {
    return this.serverLink.connected;
  }

  private async startMesh(options: MeshOptions): Promise<void> {
    this.mesh = await MeshBridge.start({
      name: this.name,
      secret: this.componentOptions.secret,
      transport: this.transport,
      // A component that encrypts its links encrypts its mesh links too, unless told otherwise.
      options: { encrypt: this.componentOptions.encrypt, ...options },
      handler: (m) => this.runHandlerOrFail({ from: m.from, body: m.body, kind: m.kind, id: m.id, path: 'mesh', hops: m.hops }),
      handlerLimit: this.handlerLimit,
      onLayerFrame: (from, frame) => this.fromMesh(from, frame),
      onLinkDown: (peer) => this.pathDown(peer),
    });
    this.use(this.mesh);
  }

  /** A frame of another layer (reliable delivery) that crossed the mesh: checked like any frame. */
  private fromMesh(from: string, frame: Json): void {
    try {
      const checked = validateFrame({ ...(frame as object), v: PROTOCOL_VERSION, id: `mesh.${from}`, from });
      this.toExtension(checked);
    } catch (error) {
      this.emit('rejected', { error, remote: 'mesh', peer: from });
    }
  }

  /**
   * A request goes the way of any client while the server is there; across the mesh when it
   * is not, or when it does not know the target but the mesh has a route to it.
   */
  override send(target: string, body: Body, options: CallOptions = {}): Promise<Body> {
    return this.serverOrMesh(
      target,
      () => super.send(target, body, options),
      async () => (await this.mesh!.request(target, body, { timeoutMs: options.timeout ?? this.timeoutMs, signal: options.signal })).body,
    );
  }

  /**
   * Frames of other layers (reliable delivery) go the way `send` would: over the server's
   * paths while it is there, across the mesh when it is not or does not know the peer.
   */
  override post(peer: string, init: FrameInit, timeoutMs: number): Promise<'direct' | 'relay' | 'mesh'> {
    return this.serverOrMesh(
      peer,
      () => super.post(peer, init, timeoutMs),
      async () => {
        await this.mesh!.postFrame(peer, init as unknown as Json);
        return 'mesh' as const;
      },
    );
  }

  /** The server's paths while it is there; the mesh without a server, or for a peer the server does not know. */
  private async serverOrMesh<T>(target: string, viaServer: () => Promise<T>, overMesh: () => Promise<T>): Promise<T> {
    if (this.meshOnlyFor(target)) return overMesh();
    try {
      return await viaServer();
    } catch (error) {
      if (this.meshFallbackFor(target, error)) return overMesh();
      throw error;
    }
  }

  /** No server to ask, but the mesh has a route. */
  private meshOnlyFor(target: string): boolean {
    return this.mesh !== undefined && !this.serverConnected && this.mesh.hasRoute(target);
  }

  /** The server does not know `target`, and the mesh has a route to it. */
  private meshFallbackFor(target: string, error: unknown): boolean {
    return this.mesh !== undefined && isBotzError(error) && error.code === ErrorCode.NO_SUCH_COMPONENT && this.mesh.hasRoute(target);
  }

  /** A mesh component starts without a server if there is none, and keeps trying to register. */
  protected override connectServer(): Promise<void> {
    return super.connectServer({ background: this.mesh !== undefined });
  }

  private async runHandlerOrFail(message: Message): Promise<Body | undefined> {
    const handler = this.componentOptions.onMessage;
    if (!handler) throw new BotzError(ErrorCode.REMOTE_ERROR, `"${this.name}" has no message handler`);
    if (message.kind === 'broadcast' && this.componentOptions.broadcasts === false) return undefined;
    return this.runHandler(handler, message);
  }

  /** Registers (again, after a reconnect) and declares itself ready. */
  protected override async onServerUp(ch: Channel, reconnect: boolean): Promise<void> {
    const o = this.componentOptions;
    const port = this.listener ? Number(this.listener.address.split(':').pop()) : null;
    const timeoutMs = this.connectTimeoutMs;
    const meta = { ...o.meta, ...(this.mesh ? { mesh: this.mesh.address } : {}) };
    const registered = await ch.request(
      { type: 'register', address: this.address, port, groups: o.groups ?? [], meta },
      { timeoutMs, describe: `the registration of "${this.name}"` },
    );
    if (registered.type === 'registered' && this.address === null && port !== null) {
      this.address = registered.component.address;
    }
    await ch.request({ type: 'ready' }, { timeoutMs, describe: 'the ready announcement' });
    await super.onServerUp(ch, reconnect);
    // Announced for those (the CLI) that started while the server was down and wait for it; after
    // this turn, once the server link has taken the channel as its own.
    setImmediate(() => this.emit('registered', this.options.server ?? DEFAULT_SERVER));
  }

  /** Deregisters (peers are told at once) and closes every link. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.closeExtensions();
    this.peers.closeAll();
    await this.serverLink.close((ch) => ch.send({ type: 'bye' }));
    await this.listener?.close();
    this.emit('stopped');
  }

  override async close(): Promise<void> {
    await this.stop();
  }

  private acceptDirect(link: Link): void {
    Channel.accept(
      this.ctx,
      link,
      (_hello, ch) => {
        // The hello's `from` is a claim any holder of the secret can make: the link answers what
        // arrives on it, but never becomes our route to that name (see peer-pool.ts).
        this.peers.accept(ch);
        return { session: 'direct' };
      },
      {
        onFrame: (frame, ch, header) => this.onFrame(frame, ch, header),
        // Not a path of ours: what we send to the dialer goes over our own dial or the relay.
        onClose: (ch) => this.peers.acceptedClosed(ch),
      },
      this.componentOptions.connectionLimits?.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    );
  }

  protected override onIncoming(frame: Frame, ch: Channel, _header: PacketHeader): void {
    const path = ch === this.serverLink.current() ? 'relay' : 'direct';
    const handler = this.componentOptions.onMessage;
    switch (frame.type) {
      case 'request': {
        if (!handler) {
          this.replyError(ch, frame, ErrorCode.REMOTE_ERROR, `"${this.name}" has no message handler`);
          return;
        }
        const message: Message = { from: frame.from, body: frame.body, kind: 'request', id: frame.id, path };
        void this.withinLimit(ch, frame, () => this.runHandler(handler, message))?.then(
          (body) => ch.answer(frame, { type: 'response', re: frame.id, body: body ?? null }),
          (error) => this.replyError(ch, frame, ErrorCode.REMOTE_ERROR, errorText(error)),
        );
        return;
      }
      case 'broadcast': {
        if (!handler || this.componentOptions.broadcasts === false) {
          ch.answer(frame, { type: 'ack', re: frame.id, ignored: true });
          return;
        }
        const message: Message = { from: frame.from, body: frame.body, kind: 'broadcast', id: frame.id, path };
        void this.withinLimit(ch, frame, () => this.runHandler(handler, message))?.then(
          () => ch.answer(frame, { type: 'ack', re: frame.id }),
          (error) => this.replyError(ch, frame, ErrorCode.REMOTE_ERROR, errorText(error)),
        );
        return;
      }
      case 'shutdownRequest': {
        const notice: ShutdownNotice = { forced: frame.forced, from: frame.from };
        void this.withinLimit(ch, frame, () => this.askShutdown(notice))?.then((ready) => this.answerShutdown(frame, ch, notice, ready));
        return;
      }
      default:
        return;
    }
  }

  /**
   * Runs user code for `frame` if the handler limit allows; otherwise answers TOO_MANY_PENDING
   * at once (the link is never paused: on the server's link it carries everyone's relayed
   * traffic and the heartbeats) and returns undefined.
   */
  private withinLimit<T>(ch: Channel, frame: Frame, call: () => Promise<T>): Promise<T> | undefined {
    try {
      return this.handlerLimit.run(frame.from, call);
    } catch (error) {
      this.replyError(ch, frame, ErrorCode.TOO_MANY_PENDING, errorText(error));
      return undefined;
    }
  }

  private async runHandler(handler: NonNullable<ComponentOptions['onMessage']>, message: Message): Promise<Body | undefined> {
    this.emit('message', message);
    return handler(message);
  }

  private replyError(ch: Channel, frame: Frame, code: string, message: string): void {
    ch.answer(frame, { type: 'error', re: frame.id, code, message });
  }

  /** The component's answer to a shutdown request: ready unless onShutdown says otherwise (or fails). */
  private async askShutdown(notice: ShutdownNotice): Promise<boolean> {
    try {
      return this.componentOptions.onShutdown ? await this.componentOptions.onShutdown(notice) : true;
    } catch {
      return false;
    }
  }

  private answerShutdown(frame: ShutdownRequestFrame, ch: Channel, notice: ShutdownNotice, ready: boolean): void {
    ch.answer(frame, { type: 'shutdownResponse', re: frame.id, ready });
    ch.flush();
    if (!ready && !frame.forced) return;
    const grace = ready ? 0 : (this.componentOptions.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
    setTimeout(() => {
      void this.stop().then(() => this.emit('shutdown', notice));
    }, grace);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

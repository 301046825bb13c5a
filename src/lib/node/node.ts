/**
 * A botz node: the one core that a Component (a name, a listener, a handler) and a one-shot
 * Client (none of those) are both made of. Composition, not inheritance: it owns the context,
 * the link to the server, the pool of direct links, the mesh part, the locator and router, the
 * one pending map, the one inbound dispatch, and reliable delivery, and wires them:
 *
 *                       ┌───────────── Caller ◀── send, broadcast, shutdown, reliable frames
 *                       │   Router: direct | relay | mesh  (router.ts)
 *    user ── Client ────┤
 *         └─ Component ─┤   frames from every link and the mesh ──▶ Inbound ──▶ calls settle,
 *                       └────────────────────────────────────────────  Message ──▶ handler
 */
import { BotzError, Closed, ErrorCode, Unreachable } from '../errors.js';
import { Channel } from '../channel/channel.js';
import { NodeContext } from '../channel/node-context.js';
import { PendingRequests } from '../channel/pending.js';
import { remaining } from '../clock.js';
import { ServerLink } from '../registry/server-link.js';
import { validateName } from '../registry/registry.js';
import type { Link, Listener, Transport } from '../transport/transport.js';
import { wsTransport } from '../transport/ws.js';
import { SERVER_DESTINATION } from '../wire/packet.js';
import { errorReply, type Frame, type FrameInit, type FrameOf } from '../wire/frames.js';
import type { CarriedFrame } from '../wire/mesh-frames.js';
import { Caller } from './caller.js';
import type { NodeEvent } from './events.js';
import { Feed } from './feed.js';
import { HandlerLimit } from './handler-limit.js';
import { Inbound, type Answer } from './inbound.js';
import { Locator } from './locator.js';
import type { MeshBridge } from './mesh-bridge.js';
import type { MeshService } from './mesh-service.js';
import type { Arrival } from './message.js';
import { DEFAULT_SERVER } from '../registry/defaults.js';
import { checkCredentialOptions, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_SHUTDOWN_GRACE_MS, DEFAULT_TIMEOUT_MS, type ComponentOptions } from './options.js';
import { PeerPool } from './peer-pool.js';
import { allowedMeshFrames, refusedPeerFrame } from './peer-credential.js';
import { PeerRevocations } from './peer-revocations.js';
import { ReliableDelivery } from './reliable-delivery.js';
import { Router } from './router.js';
import { StreamHub } from '../stream/stream-hub.js';
import { streamOptions } from '../stream/stream-options.js';
import { REPLY_PROTOCOL, replyAcceptor } from '../stream/streamed-reply.js';

/** Options of either kind: a client has no port, groups, handler or mesh. */
export type NodeOptions = ComponentOptions;

export class Node {
  readonly ctx: NodeContext;
  /** Told of every event (the facade re-emits it). */
  onEvent: (event: NodeEvent) => void = () => {};
  readonly calls: PendingRequests<Answer>;
  readonly peers: PeerPool;
  readonly locator: Locator;
  readonly router: Router;
  readonly caller: Caller;
  readonly feed: Feed;
  readonly inbound: Inbound;
  readonly reliable: ReliableDelivery;
  readonly streams: StreamHub;
  readonly limit: HandlerLimit;
  readonly transport: Transport;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  serverLink: ServerLink | undefined;
  mesh: MeshBridge | undefined;
  /** Where peers dial us, or null when we are reached through the relay. */
  address: string | null = null;
  private listener: Listener | undefined;
  private meshService: MeshService | undefined;
  private stopped = false;

  constructor(
    readonly options: NodeOptions,
    /** A registered component, or a client with a name on the wire only. */
    readonly kind: 'component' | 'client',
  ) {
    this.ctx = new NodeContext({ ...options, onReject: (r) => this.onEvent({ type: 'rejected', ...r }) });
    const clock = this.ctx.clock;
    this.transport = options.transport ?? wsTransport;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.connectTimeoutMs = options.connectTimeoutMs ?? Math.min(DEFAULT_CONNECT_TIMEOUT_MS, this.timeoutMs);
    this.calls = new PendingRequests<Answer>(undefined, clock);
    this.limit = new HandlerLimit(options.name, options.handlerLimits);
    this.peers = new PeerPool(this.ctx, this.transport, kind, {
      onFrame: (frame, channel, header) => this.direct(frame, channel, header.encrypted),
      onClose: (ch, error) => this.linkClosed(ch, error, true),
    });
    const oneShot = options.oneShot === true;
    this.locator = new Locator({
      name: options.name,
      ask: (init, deadline, describe) => this.ask(init, deadline, describe),
      ...(oneShot ? {} : { followMembers: (deadline: number) => this.feed.followMembers(deadline) }),
    });
    this.feed = new Feed({
      clock,
      directory: this.locator.directory,
      server: () => this.serverLink,
      timeoutMs: this.timeoutMs,
      tailRefused: (error) => this.onEvent({ type: 'tailRefused', error }),
    });
    this.router = new Router({
      ctx: this.ctx,
      peers: this.peers,
      locator: this.locator,
      server: () => this.serverLink,
      mesh: () => this.mesh?.node,
      connectTimeoutMs: this.connectTimeoutMs,
      oneShot,
    });
    this.caller = new Caller({
      ctx: this.ctx,
      router: this.router,
      locator: this.locator,
      calls: this.calls,
      timeoutMs: this.timeoutMs,
      trace: this.feed,
      report: (event) => this.feed.report(event),
    });
    const handler = kind === 'component' ? options.onMessage : undefined;
    this.reliable = new ReliableDelivery(
      {
        name: options.name,
        maxPacketBytes: this.ctx.maxPacketBytes,
        clock,
        post: (peer, init, timeoutMs) => this.caller.post(peer, init, timeoutMs),
        // Reliable messages are bounded by their window, not the handler limit: they are already accepted.
        deliver: handler ? (message) => this.inbound.deliver(message, false) : undefined,
        emit: (event) => this.onEvent(event),
      },
      options.reliable ?? {},
    );
    this.streams = new StreamHub(
      {
        name: options.name,
        clock,
        call: (peer, init, timeoutMs) => this.caller.call(peer, init, { timeout: timeoutMs }).then((answer) => answer.frame),
        // A frame that finds no route is as good as lost: the stream sends it again (stream-hub.ts).
        post: (peer, init) => void this.caller.post(peer, init, this.connectTimeoutMs).catch(() => {}),
        sendBack: (peer, arrival, init) => this.sendBack(peer, arrival, init),
        answer: (frame, arrival, init) => this.answer(frame, arrival, init),
        traceClose: (e) => {
          if (!this.feed.tracing) return;
          const headers = { protocol: e.protocol, in: String(e.bytesIn), out: String(e.bytesOut), ...(e.code ? { error: e.code } : {}) };
          this.feed.report({ from: this.name, to: e.peer, kind: 'streamClose', id: e.stream, size: e.bytesIn + e.bytesOut, path: e.path, headers });
        },
      },
      streamOptions(options.streams),
      this.timeoutMs,
    );
    // A component answers streamed requests with its one handler (stream/streamed-reply.ts).
    if (handler) this.streams.accept(REPLY_PROTOCOL, replyAcceptor({ deliver: (message) => this.inbound.deliver(message, false), limit: this.limit }));
    this.inbound = new Inbound({
      name: options.name,
      calls: this.calls,
      handler,
      // A client tells a sender it is none, instead of leaving it to time out.
      noHandler: () => (kind === 'client' ? this.notAComponent() : new BotzError(ErrorCode.REMOTE_ERROR, `"${options.name}" has no message handler`)),
      broadcasts: options.broadcasts !== false,
      limit: this.limit,
      answer: (frame, arrival, init) => this.answer(frame, arrival, init),
      takers: [this.reliable, this.feed, this.streams, new PeerRevocations(this.ctx, () => [...this.peers.openLinks(), ...(this.mesh?.node.linkChannels() ?? [])])],
      shutdown: (frame, arrival) => void this.onShutdownRequest(frame, arrival),
      onMessage: (message) => this.onEvent({ type: 'message', message }),
    });
  }

  get name(): string {
    return this.ctx.name;
  }

  get serverConnected(): boolean {
    return this.serverLink?.connected ?? false;
  }

  /**
   * Starts the node: the direct listener (a component with a port), the mesh part, and the link
   * to the server (registering a component and declaring it ready). Throws INVALID_NAME,
   * NAME_TAKEN, AUTH_FAILED, SERVER_UNREACHABLE, TIMEOUT...
   */
  async start(): Promise<void> {
    const o = this.options;
    if (this.kind === 'component') validateName(o.name);
    checkCredentialOptions(o, this.kind);
    try {
      if (this.kind === 'component' && o.port !== undefined) await this.listen(o.port);
      if (this.kind === 'component' && o.mesh) await this.startMesh();
      if (o.server === null) return;
      this.serverLink = await ServerLink.connect({
        ctx: this.ctx,
        transport: this.transport,
        address: o.server ?? DEFAULT_SERVER,
        role: this.kind,
        connectTimeoutMs: this.connectTimeoutMs,
        onFrame: (frame, channel, header) => this.inbound.receive(frame, { path: 'relay', channel, encrypted: header.encrypted }),
        onWelcome: ({ trace }) => this.feed.traceFromWelcome(trace),
        onUp: (ch, reconnect) => this.serverUp(ch, reconnect),
        onDown: (error, ch) => {
          if (ch) this.linkClosed(ch, error, false);
          this.onEvent({ type: 'disconnected', error });
        },
        // A mesh component starts without a server if there is none, and keeps trying to register.
        background: this.mesh !== undefined,
        // Revoked or expired: the node stops rather than knock on the server's door forever.
        onRefused: (error) => {
          this.onEvent({ type: 'credentialRejected', error });
          void this.stop();
        },
      });
    } catch (error) {
      await this.mesh?.close();
      await this.listener?.close();
      throw error;
    }
  }

  /** Asks the server (lookup, list, register...) and waits for its answer, until `deadline`. */
  async ask(init: FrameInit, deadline: number, describe: string): Promise<Frame> {
    if (!this.serverLink) throw new Closed('this node has no link to a server');
    const ch = await this.serverLink.ready(deadline);
    return ch.request(init, { timeoutMs: remaining(this.ctx.clock, deadline), describe });
  }

  /** Stops everything; a component first says bye (peers are told at once). Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.streams.size > 0) {
      // Each open stream's reset goes out before the links close: peers learn at once, not by liveness.
      this.streams.close();
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.streams.close();
    this.feed.stop();
    this.reliable.close();
    this.meshService?.stop();
    await this.mesh?.close();
    this.peers.closeAll();
    await this.serverLink?.close(this.kind === 'component' ? (ch) => ch.send({ type: 'bye' }) : undefined);
    await this.listener?.close();
    this.calls.closeAll(new Closed('this node has stopped'));
    this.onEvent({ type: 'stopped' });
  }

  /**
   * Sends `init` back to the sender of `frame` the way it came: on the link it came by, or over
   * the mesh. Encrypted if the frame was; never throws (an answer that cannot go is dropped: the
   * asker learns of it by its timeout or its closed link).
   */
  answer(frame: Frame, arrival: Arrival, init: FrameInit): void {
    if (arrival.channel) {
      arrival.channel.answer(frame, init);
      return;
    }
    const mesh = this.mesh?.node;
    if (!mesh) return;
    void mesh.carry([frame.from], [this.ctx.stamp(init) as unknown as CarriedFrame], { encrypt: arrival.encrypted }).catch(() => {});
  }

  /**
   * Sends `init` to `peer` the way `arrival` came, never throwing: on the link it came on (the
   * server link as it is now, if it came by the relay), or over the mesh. What a stream's
   * acceptor sends its opener: a link the opener dialed answers it, but is no route to its name.
   */
  sendBack(peer: string, arrival: Arrival, init: FrameInit): void {
    if (arrival.path === 'mesh') {
      const mesh = this.mesh?.node;
      if (mesh) void mesh.carry([peer], [this.ctx.stamp(init) as unknown as CarriedFrame], { encrypt: arrival.encrypted }).catch(() => {});
      return;
    }
    const channel = arrival.path === 'relay' ? this.serverLink?.current() : arrival.channel;
    if (!channel || channel.link.closed) return;
    try {
      channel.send(init, peer, { encrypt: arrival.encrypted });
    } catch {
      // Too large or closed meanwhile: lost like a frame on a broken path; the stream resends.
    }
  }

  /** Registers (again, after a reconnect), declares itself ready, and subscribes again. */
  private async serverUp(ch: Channel, reconnect: boolean): Promise<void> {
    const o = this.options;
    const timeoutMs = this.connectTimeoutMs;
    if (reconnect) this.locator.reset();
    const port = this.listener ? Number(this.listener.address.split(':').pop()) : null;
    const meta = { ...o.meta, ...(this.mesh ? { mesh: this.mesh.address } : {}) };
    // Register, ready and the subscriptions travel in one packet; the server answers them in order.
    const [registered] = await Promise.all([
      this.kind === 'component'
        ? ch.request({ type: 'register', address: this.address, port, groups: o.groups ?? [], meta }, { timeoutMs, describe: `the registration of "${this.name}"` })
        : undefined,
      this.kind === 'component' ? ch.request({ type: 'ready' }, { timeoutMs, describe: 'the ready announcement' }) : undefined,
      this.feed.restore(ch, timeoutMs),
    ]);
    if (registered?.type === 'registered' && this.address === null && port !== null) this.address = registered.component.address;
    if (reconnect) {
      // Relayed frames in flight died with the old link, and any path may have changed.
      this.reliable.onServerUp();
      this.streams.onServerUp();
      this.onEvent({ type: 'reconnected' });
    }
    // Announced for those (the CLI) that started while the server was down and wait for it; after
    // this turn, once the server link has taken the channel as its own.
    if (this.kind === 'component') setImmediate(() => this.onEvent({ type: 'registered', server: ch.link.remoteAddress }));
  }

  /** A link closed: the calls that left on it will get no answer; a path to its peer is gone. */
  private linkClosed(ch: Channel, error: BotzError, ours: boolean): void {
    const failure = error.code === ErrorCode.CLOSED ? new Unreachable(error.message, { cause: error }) : error;
    this.calls.failWhere((tag) => tag === ch, failure);
    // Only our own dials (and the server link) are our paths: a link a peer dialed is its own.
    if (ours && ch.peer !== SERVER_DESTINATION) {
      this.reliable.onPathDown(ch.peer);
      this.streams.onPathDown(ch.peer);
    }
  }

  private async listen(port: number): Promise<void> {
    const o = this.options;
    this.listener = await this.ctx.listen(this.transport, { host: o.host ?? '127.0.0.1', port, limits: o.connectionLimits }, (link) => this.acceptDirect(link));
    const wildcard = o.host === '0.0.0.0' || o.host === '::';
    this.address = o.advertise ?? (wildcard ? null : this.listener.address);
  }

  private acceptDirect(link: Link): void {
    if (this.stopped) return link.close();
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
        onFrame: (frame, ch, header) => this.direct(frame, ch, header.encrypted),
        onClose: (ch) => this.peers.acceptedClosed(ch),
      },
      this.options.connectionLimits?.handshakeTimeoutMs,
    );
  }

  /** A frame on a direct link; on a credential link, only what the peer's grant allows (peer-credential.ts). */
  private direct(frame: Frame, channel: Channel, encrypted: boolean): void {
    if (!refusedPeerFrame(channel, frame, this.name)) this.inbound.receive(frame, { path: 'direct', channel, encrypted });
  }

  private async startMesh(): Promise<void> {
    // Loaded only by a node that joins a mesh: a one-shot `botz send` does not parse the mesh code.
    const [{ MeshBridge }, { MeshService }] = await Promise.all([import('./mesh-bridge.js'), import('./mesh-service.js')]);
    const mesh = new MeshBridge(this.ctx, this.transport, this.options.mesh!, { caller: this.caller, router: this.router });
    this.mesh = mesh;
    mesh.node.receive((delivery) => {
      const arrival: Arrival = { path: 'mesh', hops: delivery.hops, encrypted: delivery.encrypted };
      for (const frame of allowedMeshFrames(this.ctx, delivery, (f, answer) => this.answer(f, arrival, answer))) this.inbound.receive(frame, arrival);
    });
    mesh.node.on((e) => {
      if (e.type === 'linkDown') {
        this.reliable.onPathDown(e.peer);
        this.streams.onPathDown(e.peer);
      }
    });
    this.meshService = new MeshService({ mesh: mesh.node, clock: this.ctx.clock, caller: this.caller, router: this.router, inbound: this.inbound });
    mesh.node.serveClients(this.meshService);
    await mesh.start();
  }

  private notAComponent(): BotzError {
    return new BotzError(ErrorCode.NO_SUCH_COMPONENT, `"${this.name}" is a client, not a registered component`, { details: { name: this.name } });
  }

  private async onShutdownRequest(frame: FrameOf<'shutdownRequest'>, arrival: Arrival): Promise<void> {
    if (this.kind === 'client') return this.answer(frame, arrival, errorReply(frame.id, this.notAComponent(), ErrorCode.NO_SUCH_COMPONENT));
    const notice = { forced: frame.forced, from: frame.from };
    let ready = true;
    try {
      if (this.options.onShutdown) ready = await this.options.onShutdown(notice);
    } catch {
      ready = false;
    }
    this.answer(frame, arrival, { type: 'shutdownResponse', re: frame.id, ready });
    arrival.channel?.flush();
    if (!ready && !frame.forced) return;
    const grace = ready ? 0 : (this.options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
    this.ctx.clock.setTimeout(() => {
      void this.stop().then(() => this.onEvent({ type: 'shutdown', notice }));
    }, grace);
  }
}

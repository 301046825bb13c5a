/**
 * A mesh node: authenticated links (Channels) to neighbours, link-state announcements flooded
 * over them, and messages routed hop by hop along shortest paths. Topology, routing and the
 * graphviz view are pure modules; this class only drives them. It is the public facade that
 * wires the parts together: mesh-links.ts keeps the links, announcer.ts floods announcements
 * over them and caches the routes, forwarder.ts carries messages along those routes.
 *
 * On every link change the node floods a new announcement at once and recomputes routes, so
 * traffic moves to another path within one flood's time, not one announcement period.
 */
import { BotzError, Closed, ErrorCode } from '../errors.js';
import type { Channel } from '../channel/channel.js';
import { NodeContext } from '../channel/node-context.js';
import type { Body, Frame, Headers } from '../wire/frames.js';
import { headersOf } from '../wire/values.js';
import { splitAddress, type Listener } from '../transport/transport.js';
import { toDot } from './dot.js';
import { linkState as state } from './link-choice.js';
import type { CarriedFrame, MeshSendFrame, SealedFrame } from '../wire/mesh-frames.js';
import { resolveMeshOptions, type MeshNodeOptions, type ResolvedMeshOptions } from './mesh-options.js';
import { Forwarder, type MeshDelivery, type SendResult } from './forwarder.js';
import { Discovery, shouldAnswer } from './discovery.js';
import type { Route } from './routing.js';
import { Topology, type Graph } from './topology.js';
import { Announcer } from './announcer.js';
import { MeshLinks, type MeshClientHandler } from './mesh-links.js';
import { MeshSealing } from './sealing.js';
import type { MeshCounters, MeshEvent, MeshStatus } from './mesh-status.js';

export class MeshNode {
  readonly name: string;
  readonly options: ResolvedMeshOptions;
  readonly ctx: NodeContext;
  readonly topology: Topology;
  private readonly listeners = new Set<(event: MeshEvent) => void>();
  private readonly announcer: Announcer;
  private readonly meshLinks: MeshLinks;
  /** A read-only view of meshLinks' installed links, by peer (mesh-node.test.ts reaches it as `links`). */
  private readonly links: ReadonlyMap<string, Channel>;
  private readonly forwarder: Forwarder;
  /** At a node with a credential: seals what it carries for each recipient and opens what is carried to it. */
  private readonly sealing: MeshSealing | undefined;
  private listener: Listener | undefined;
  private discovery: Discovery | undefined;
  private stopped = false;
  private refusedConnections = 0;
  private clientHandler: MeshClientHandler | undefined;
  /** Who takes the frames carried to this node (the Node it belongs to); without one, its `message` frames become events. */
  private receiver: ((delivery: MeshDelivery) => void) | undefined;

  /** `ctx`: the context of the node this mesh node belongs to (its name, keys, clock); else its own. */
  constructor(options: MeshNodeOptions, ctx?: NodeContext) {
    this.options = resolveMeshOptions(ctx ? { ...options, clock: ctx.clock } : options);
    this.name = this.options.name;
    this.ctx = ctx ?? new NodeContext({ name: this.name, secret: this.options.secret, encrypt: this.options.encrypt, clock: this.options.clock, maxPacketBytes: this.options.maxPacketBytes });
    this.topology = new Topology(this.name, this.options.msaMaxAgeMs);
    this.sealing = this.ctx.identity.credential ? new MeshSealing(this.ctx, (name) => this.topology.get(name)?.identity) : undefined;
    const sealing = this.sealing;
    this.announcer = new Announcer({
      identity: sealing?.identity,
      ...(sealing
        ? {
            sign: (msa) => sealing.signAnnouncement(msa),
            refuse: (msa, from) => {
              const problem = sealing.announcementProblem(msa);
              if (problem) this.ctx.reject({ error: problem, remote: 'mesh', peer: from });
              return problem;
            },
          }
        : {}),
      name: this.name,
      topology: this.topology,
      links: () => this.links,
      clock: this.options.clock,
      intervalMs: this.options.msaIntervalMs,
      incarnation: options.incarnation,
      onChange: () => this.listeners.size > 0 && this.emit({ type: 'topology' }),
    });
    this.meshLinks = new MeshLinks({
      name: this.name,
      ctx: this.ctx,
      options: this.options,
      announcer: this.announcer,
      clients: () => this.clientHandler,
      onFrame: (frame, ch) => this.onFrame(frame, ch),
      emit: (event) => this.emit(event),
    });
    this.links = this.meshLinks.peers;
    this.forwarder = new Forwarder(this.name, {
      routes: () => this.announcer.routeTable(),
      channel: (peer) => this.links.get(peer),
      deliver: (delivery) => this.delivered(delivery),
      trace: (t) => this.listeners.size > 0 && this.emit({ type: 'traffic', at: this.options.clock.now(), ...t }),
      options: this.options,
    });
  }

  /** Where the node accepts links (after start). */
  get address(): string | undefined {
    return this.listener?.address;
  }

  /**
   * Listens, announces itself, and starts the periodic announcements. Returns the address.
   * If any of it fails (discovery cannot bind or join its group, say), what was started is
   * stopped again before the error is thrown: the port is free for another try, and no socket
   * or timer keeps the process alive. The node is then stopped for good, like after stop().
   */
  async start(): Promise<string> {
    if (this.stopped) throw new Closed(`mesh node ${this.name} was stopped`);
    const { transport, host, port } = this.options;
    const listener = await transport.listen(
      {
        host,
        port,
        maxMessageBytes: this.ctx.maxPacketBytes,
        limits: this.options.connectionLimits,
        onRefused: () => this.refusedConnections++,
        clock: this.ctx.clock,
      },
      (link) => this.meshLinks.accept(link),
    );
    if (this.stopped) {
      // stop() ran while we listened: it had no listener to close yet.
      await listener.close();
      throw new Closed(`mesh node ${this.name} was stopped`);
    }
    this.listener = listener;
    try {
      this.announcer.start();
      const { discovery, degree, namespace } = this.options;
      if (discovery && degree > 0) {
        this.discovery = new Discovery({
          ...discovery,
          name: this.name,
          namespace,
          clock: this.options.clock,
          linkPort: splitAddress(listener.address).port,
          wanted: () => !this.stopped && this.links.size < degree,
          answer: (peer) => !this.stopped && !this.links.has(peer) && shouldAnswer(this.topology.nodes().length),
          // Discovered links are not redialed: a node short of links solicits again instead.
          onPeer: (address) => void this.meshLinks.link(address, false).catch(() => {}),
        });
        await this.discovery.start();
      }
      if (this.stopped) throw new Closed(`mesh node ${this.name} was stopped`);
    } catch (error) {
      await this.stop();
      // A node that never ran has no address to offer.
      this.listener = undefined;
      throw error;
    }
    return listener.address;
  }

  /** Closes every link and the listener; waiting sends settle with their recipients unreachable. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.announcer.stop();
    this.discovery?.stop();
    this.meshLinks.stop();
    await this.listener?.close();
  }

  /**
   * Links to the mesh node at `address` and resolves with its name once both ends exchanged
   * their state. Idempotent: dialing an address already linked (or being dialed) gives the
   * same peer; if both ends dial each other, one link survives.
   */
  dial(address: string): Promise<string> {
    return this.meshLinks.link(address, true);
  }

  /** Drops the link to a peer named `nameOrAddress` or at that address, for good. False when none. */
  hangup(nameOrAddress: string): boolean {
    return this.meshLinks.hangup(nameOrAddress);
  }

  /**
   * Carries frames (stamped by their origin: this node) to each recipient along shortest paths;
   * says who was reached and who not. They travel encrypted on every hop when this node
   * encrypts, or when `encrypt` says so (an answer to an encrypted frame).
   */
  carry(recipients: readonly string[], frames: CarriedFrame[], options: { encrypt?: boolean; broadcast?: boolean } = {}): Promise<SendResult> {
    const broadcast = options.broadcast === true;
    const encrypt = options.encrypt || this.ctx.encrypt;
    if (!this.sealing) return this.forwarder.originate(recipients, frames, broadcast, encrypt);
    return this.carrySealed(this.sealing, recipients, frames, broadcast, encrypt);
  }

  /** A credential node's carry: one sealed copy per recipient (what one recipient can open, no other can). */
  private async carrySealed(sealing: MeshSealing, recipients: readonly string[], frames: CarriedFrame[], broadcast: boolean, encrypt: boolean): Promise<SendResult> {
    const result: SendResult = { reached: [], unreachable: [] };
    const sends = [...new Set(recipients)].map(async (to) => {
      let sealed: SealedFrame;
      try {
        sealed = sealing.seal(to, this.topology.get(to)?.identity, frames);
      } catch (error) {
        result.unreachable.push({ name: to, code: (error as BotzError).code ?? ErrorCode.NO_ROUTE });
        return;
      }
      const one = await this.forwarder.originate([to], [sealed as unknown as CarriedFrame], broadcast, encrypt);
      result.reached.push(...one.reached);
      result.unreachable.push(...one.unreachable);
    });
    await Promise.all(sends);
    result.reached.sort();
    result.unreachable.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return result;
  }

  /** A one-way `message` to each recipient (its handler sees kind 'message'); says who was reached. */
  send(recipients: readonly string[], body: Body, options: { headers?: Headers; encrypt?: boolean } = {}): Promise<SendResult> {
    return this.carry(recipients, [this.message(body, options.headers, false)], options);
  }

  /** A one-way `message` to every other node in the topology database (known but cut off: unreachable). */
  broadcast(body: Body, options: { headers?: Headers } = {}): Promise<SendResult> {
    const everyone = this.topology.nodes().filter((n) => n !== this.name);
    return this.carry(everyone, [this.message(body, options.headers, true)], { broadcast: true });
  }

  /** Hands every delivery of carried frames to `receiver` from now on (the node this mesh node is part of). */
  receive(receiver: (delivery: MeshDelivery) => void): void {
    this.receiver = receiver;
  }

  /** True when the mesh knows a path to `name` right now. */
  hasRoute(name: string): boolean {
    return this.announcer.routeTable().has(name);
  }

  /** The route to `name`, if there is one. */
  route(name: string): Route | undefined {
    return this.announcer.routeTable().get(name);
  }

  /** Routes to every reachable node, by destination name. */
  routes(): Route[] {
    return [...this.announcer.routeTable().values()].sort((a, b) => (a.destination < b.destination ? -1 : 1));
  }

  /** The topology as this node sees it: edges both ends report. */
  graph(): Graph {
    return this.topology.graph();
  }

  dot(): string {
    return toDot(this.graph(), { title: `mesh seen by ${this.name}`, self: this.name });
  }

  status(): MeshStatus {
    const o = this.options;
    return {
      name: this.name,
      address: this.address,
      namespace: o.namespace,
      degree: o.degree,
      msaIntervalMs: o.msaIntervalMs,
      hopLimit: o.hopLimit,
      links: [...this.links].sort(([a], [b]) => (a < b ? -1 : 1)).map(([peer, ch]) => {
        const s = state(ch);
        return { peer, address: s.address, dialed: s.dialed, since: s.since };
      }),
      known: this.topology.nodes().length,
      reachable: this.announcer.routeTable().size,
      counters: this.counters(),
    };
  }

  counters(): MeshCounters {
    return {
      ...this.announcer.counters,
      ...this.forwarder.counters,
      rejectedPackets: this.ctx.rejectedTotal,
      refusedConnections: this.refusedConnections,
    };
  }

  /** The installed links (a credential node cuts those of a revoked grant). */
  linkChannels(): Channel[] {
    return [...this.links.values()];
  }

  /** Names of the current neighbours, sorted. */
  neighbours(): string[] {
    return [...this.links.keys()].sort();
  }

  /**
   * Accepts links from clients (hello role 'client') and hands their frames to `handler`.
   * Without a handler such links are refused: they must not become mesh links.
   */
  serveClients(handler: MeshClientHandler | undefined): void {
    this.clientHandler = handler;
  }

  /** Subscribes to events; returns the function that unsubscribes. */
  on(listener: (event: MeshEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: MeshEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A listener's bug must not break routing for everybody else.
      }
    }
  }

  /** A frame on an installed mesh link (the link is installed by its first frame). */
  private onFrame(frame: Frame, ch: Channel): void {
    switch (frame.type) {
      case 'msa':
        return this.announcer.receive(frame, ch.peer);
      case 'meshSend':
        return this.onMeshSend(frame, ch);
      default:
        return;
    }
  }

  private onMeshSend(frame: MeshSendFrame, ch: Channel): void {
    void this.forwarder.relay(frame, ch.arrivedEncryptedFrame(frame)).then(
      (result) => ch.answer(frame, { type: 'meshAck', re: frame.id, reached: result.reached, unreachable: result.unreachable }, ch.peer),
      (error: unknown) => ch.answer(frame, { type: 'error', re: frame.id, code: ErrorCode.UNREACHABLE, message: String(error) }, ch.peer),
    );
  }

  /**
   * At a credential node: each sealed frame is opened and handed on as a delivery of its own,
   * with the grant its origin proved; anything else (a frame not sealed, or one that does not
   * open) is refused and counted, and reaches nobody.
   */
  private openSealed(sealing: MeshSealing, delivery: MeshDelivery): void {
    for (const frame of delivery.frames) {
      try {
        if (frame.type !== 'sealed') throw new BotzError(ErrorCode.FORBIDDEN, `"${frame.from}" carried a ${frame.type} frame that is not sealed to a credential mesh node`);
        const opened = sealing.open(frame as unknown as SealedFrame);
        this.handOn({ ...delivery, origin: opened.grant.name, frames: opened.frames, grant: opened.grant });
      } catch (error) {
        this.ctx.reject({ error: error as BotzError, remote: 'mesh', peer: delivery.hops[delivery.hops.length - 2] });
      }
    }
  }

  /** A one-way message frame of this node's, stamped as every frame is. */
  private message(body: Body, headers: Headers | undefined, broadcast: boolean): CarriedFrame {
    return this.ctx.stamp({ type: 'message', body: body ?? null, ...headersOf(headers), ...(broadcast ? { broadcast } : {}) }) as unknown as CarriedFrame;
  }

  /** Carried frames for this node: to the node it belongs to, or, standing alone, as events. */
  private delivered(delivery: MeshDelivery): void {
    if (this.sealing) this.openSealed(this.sealing, delivery);
    else this.handOn(delivery);
  }

  private handOn(delivery: MeshDelivery): void {
    if (this.receiver) return this.receiver(delivery);
    for (const frame of delivery.frames) {
      if (frame.type !== 'message') continue;
      const { body, headers } = frame as CarriedFrame & { body: Body; headers?: Headers };
      this.emit({ type: 'message', from: frame.from, body, headers: headers ?? {}, hops: delivery.hops, broadcast: delivery.broadcast, encrypted: delivery.encrypted });
    }
  }
}

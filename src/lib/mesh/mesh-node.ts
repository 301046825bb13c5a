/**
 * A mesh node: authenticated links (Channels) to neighbours, link-state announcements flooded
 * over them, and messages routed hop by hop along shortest paths. Topology, routing and the
 * graphviz view are pure modules; this class only drives them.
 *
 * A link comes up in two steps, because a dialer does not know the listener's name:
 *
 *   dialer                                   listener
 *     | == hello / welcome (channel.ts) ====== |
 *     | -- msa (own) ------------------------> |  first frame: link installed, `linkUp`
 *     | <------------ msa × every held state -- |
 *     | -- msa × every held state -----------> |  (dialer installed on the first frame back)
 *
 * On every link change the node floods a new announcement at once and recomputes routes, so
 * traffic moves to another path within one flood's time, not one announcement period.
 */
import { randomBytes } from 'node:crypto';
import { BotzError, Closed, ErrorCode, Timeout } from '../errors.js';
import { Channel } from '../channel/channel.js';
import { NodeContext } from '../channel/node-context.js';
import { ANY_DESTINATION } from '../wire/packet.js';
import type { Body, Frame, HelloFrame } from '../wire/frames.js';
import { CloseCode, splitAddress, type Link, type Listener } from '../transport/transport.js';
import { toDot } from './dot.js';
import { CONTROL_LINK as CONTROL, linkState as state, preferLink, type LinkState } from './link-choice.js';
import type { MeshMiss, MeshSendFrame, MsaFrame } from './mesh-frames.js';
import { resolveMeshOptions, type MeshNodeOptions, type ResolvedMeshOptions } from './mesh-options.js';
import { Forwarder, type MeshDelivery, type SendResult } from './forwarder.js';
import { Redialer } from './redialer.js';
import { Discovery, shouldAnswer } from './discovery.js';
import { shortestPaths, type Route, type Routes } from './routing.js';
import { isNewer, Topology, type Announcement, type Graph } from './topology.js';

import type { MeshCounters, MeshEvent, MeshStatus } from './mesh-status.js';

export type { SendResult, MeshMiss, MeshDelivery };
export type { MeshCounters, MeshEvent, MeshLinkInfo, MeshStatus } from './mesh-status.js';

/** Who answers the control frames of client links (see mesh-control.ts). */
export interface MeshClientHandler {
  onFrame(frame: Frame, channel: Channel): void;
  onClose(channel: Channel): void;
}

export class MeshNode {
  readonly name: string;
  readonly options: ResolvedMeshOptions;
  readonly ctx: NodeContext;
  readonly topology: Topology;
  private readonly msaCounters = { msaSent: 0, msaReceived: 0, msaAccepted: 0 };
  private incarnation: number;
  private seq = 0;
  private readonly links = new Map<string, Channel>();
  private readonly channels = new Set<Channel>();
  private readonly dialing = new Map<string, Promise<string>>();
  private readonly listeners = new Set<(event: MeshEvent) => void>();
  private readonly forwarder: Forwarder;
  private readonly redialer: Redialer;
  private listener: Listener | undefined;
  private discovery: Discovery | undefined;
  private timer: NodeJS.Timeout | undefined;
  private announceScheduled = false;
  private cachedRoutes: Routes | undefined;
  private stopped = false;
  private clientHandler: MeshClientHandler | undefined;

  constructor(options: MeshNodeOptions) {
    this.options = resolveMeshOptions(options);
    this.name = this.options.name;
    this.ctx = NodeContext.create({ name: this.name, secret: this.options.secret, encrypt: this.options.encrypt });
    this.topology = new Topology(this.name, this.options.msaMaxAgeMs);
    // The start time orders this run's announcements after any earlier run's.
    this.incarnation = this.options.clock.now();
    this.forwarder = new Forwarder(this.name, {
      routes: () => this.routeTable(),
      channel: (peer) => this.links.get(peer),
      deliver: (delivery) => this.emit({ type: 'message', ...delivery }),
      trace: (t) => this.listeners.size > 0 && this.emit({ type: 'traffic', at: this.options.clock.now(), ...t }),
      options: this.options,
    });
    this.redialer = new Redialer({
      dial: (address) => this.dial(address),
      baseDelayMs: this.options.redialMs,
      maxDelayMs: this.options.redialMs * 32,
    });
  }

  /** Where the node accepts links (after start). */
  get address(): string | undefined {
    return this.listener?.address;
  }

  /** Listens, announces itself, and starts the periodic announcements. Returns the address. */
  async start(): Promise<string> {
    if (this.stopped) throw new Closed(`mesh node ${this.name} was stopped`);
    const { transport, host, port } = this.options;
    this.listener = await transport.listen({ host, port, maxMessageBytes: this.ctx.maxPacketBytes }, (link) => this.accept(link));
    this.announce();
    this.timer = setInterval(() => this.tick(), this.options.msaIntervalMs);
    this.timer.unref?.();
    const { discovery, degree, namespace } = this.options;
    if (discovery && degree > 0) {
      this.discovery = new Discovery({
        ...discovery,
        name: this.name,
        namespace,
        linkPort: splitAddress(this.listener.address).port,
        wanted: () => !this.stopped && this.links.size < degree,
        answer: (peer) => !this.stopped && !this.links.has(peer) && shouldAnswer(this.topology.nodes().length),
        // Discovered links are not redialed: a node short of links solicits again instead.
        onPeer: (address) => void this.link(address, false).catch(() => {}),
      });
      await this.discovery.start();
    }
    return this.listener.address;
  }

  /** Closes every link and the listener; waiting sends settle with their recipients unreachable. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.redialer.stop();
    this.discovery?.stop();
    for (const ch of [...this.channels]) ch.close(CloseCode.GOING_AWAY, 'mesh node stopping');
    await this.listener?.close();
  }

  /**
   * Links to the mesh node at `address` and resolves with its name once both ends exchanged
   * their state. Idempotent: dialing an address already linked (or being dialed) gives the
   * same peer; if both ends dial each other, one link survives.
   */
  dial(address: string): Promise<string> {
    return this.link(address, true);
  }

  private link(address: string, keep: boolean): Promise<string> {
    if (this.stopped) return Promise.reject(new Closed(`mesh node ${this.name} was stopped`));
    let pending = this.dialing.get(address);
    for (const [peer, ch] of this.links) if (state(ch).address === address) pending = Promise.resolve(peer);
    if (!pending) {
      pending = this.connect(address).finally(() => this.dialing.delete(address));
      this.dialing.set(address, pending);
    }
    // A dialed peer is kept: if the link drops, it is dialed again (see redialer.ts).
    if (keep) pending.then((peer) => this.redialer.add(address, peer), () => {});
    return pending;
  }

  /** Drops the link to a peer named `nameOrAddress` or at that address, for good. False when none. */
  hangup(nameOrAddress: string): boolean {
    this.redialer.remove(nameOrAddress);
    const ch =
      this.links.get(nameOrAddress) ??
      [...this.links.values()].find((c) => state(c).address === nameOrAddress || c.link.remoteAddress === nameOrAddress);
    if (!ch) return false;
    this.redialer.remove(ch.peer);
    ch.close(CloseCode.NORMAL, 'hangup');
    return true;
  }

  /** Sends `body` to each recipient along shortest paths; says who was reached and who not. */
  send(recipients: readonly string[], body: Body): Promise<SendResult> {
    return this.forwarder.originate(recipients, body, false);
  }

  /** Sends `body` to every other node in the topology database (known but cut off: unreachable). */
  broadcast(body: Body): Promise<SendResult> {
    return this.forwarder.originate(this.topology.nodes().filter((n) => n !== this.name), body, true);
  }

  /** Routes to every reachable node, by destination name. */
  routes(): Route[] {
    return [...this.routeTable().values()].sort((a, b) => (a.destination < b.destination ? -1 : 1));
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
      reachable: this.routeTable().size,
      counters: this.counters(),
    };
  }

  counters(): MeshCounters {
    return { ...this.msaCounters, ...this.forwarder.counters, rejectedPackets: this.ctx.rejectedTotal };
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

  /** Floods a fresh announcement of this node's links now. */
  announce(): void {
    this.announceScheduled = false;
    if (this.stopped) return;
    const msa: Announcement = { origin: this.name, incarnation: this.incarnation, seq: ++this.seq, neighbours: this.neighbours() };
    this.topology.accept(msa, this.options.clock.now());
    this.topologyChanged();
    this.flood(msa);
  }

  private tick(): void {
    if (this.topology.prune(this.options.clock.now()).length > 0) this.topologyChanged();
    this.announce();
  }

  /** Routes must be recomputed; listeners waiting for a route hear of it. */
  private topologyChanged(): void {
    this.cachedRoutes = undefined;
    if (this.listeners.size > 0) this.emit({ type: 'topology' });
  }

  private routeTable(): Routes {
    this.cachedRoutes ??= shortestPaths(this.topology.graph(), this.name);
    return this.cachedRoutes;
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

  private flood(msa: Announcement, except?: string): void {
    for (const [peer, ch] of this.links) {
      if (peer === except) continue;
      ch.send({ type: 'msa', ...msa });
      this.msaCounters.msaSent++;
    }
  }

  private sendDatabase(ch: Channel): void {
    for (const msa of this.topology.all()) ch.send({ type: 'msa', ...msa });
    this.msaCounters.msaSent += this.topology.all().length;
  }

  private handlers() {
    return {
      onFrame: (frame: Frame, ch: Channel) => this.onFrame(frame, ch),
      onClose: (ch: Channel, error: BotzError) => this.onClose(ch, error),
    };
  }

  private accept(link: Link): void {
    if (this.stopped) return link.close(CloseCode.GOING_AWAY, 'mesh node stopping');
    const decide = (hello: HelloFrame, ch: Channel) => {
      if (hello.from === this.name) throw new BotzError(ErrorCode.INVALID_NAME, `a peer claims our own name "${this.name}"`);
      if (hello.role === 'client') {
        if (!this.clientHandler) throw new BotzError(ErrorCode.INVALID_ARGUMENT, `mesh node ${this.name} takes no control links`);
        ch.tag = CONTROL;
        return { session: 'control' };
      }
      const token = randomBytes(9).toString('base64url');
      ch.tag = { dialer: hello.from, token, address: link.remoteAddress, dialed: false, installed: false, since: 0 } satisfies LinkState;
      return { session: token };
    };
    const ch = Channel.accept(this.ctx, link, decide, this.handlers());
    this.channels.add(ch);
  }

  private async connect(address: string): Promise<string> {
    const { channel: ch, session } = await Channel.connect(this.ctx, this.options.transport, address, {
      expect: ANY_DESTINATION,
      role: 'peer',
      timeoutMs: this.options.dialTimeoutMs,
      handlers: this.handlers(),
    });
    if (this.stopped) {
      ch.close(CloseCode.GOING_AWAY, 'mesh node stopping');
      throw new Closed(`mesh node ${this.name} was stopped`);
    }
    this.channels.add(ch);
    const installed = new Promise<string>((resolve, reject) => {
      ch.tag = { dialer: this.name, token: session, address, dialed: true, installed: false, since: 0, waiter: { resolve, reject } } satisfies LinkState;
    });
    // Our own state makes the listener install the link and answer with everything it knows.
    const own = this.topology.get(this.name);
    if (own) ch.send({ type: 'msa', ...own });
    const timer = setTimeout(() => {
      if (!state(ch).installed) {
        state(ch).waiter?.reject(new Timeout(`${address} did not answer as a mesh node within ${this.options.dialTimeoutMs} ms`));
        ch.close(CloseCode.PROTOCOL_ERROR, 'no mesh state received');
      }
    }, this.options.dialTimeoutMs);
    return installed.finally(() => clearTimeout(timer));
  }

  /** The first frame from the other end names it: the link is up. */
  private install(ch: Channel, peer: string): void {
    const s = state(ch);
    s.installed = true;
    s.since = this.options.clock.now();
    ch.peer = peer;
    if (peer === this.name) {
      ch.close(CloseCode.PROTOCOL_ERROR, 'a mesh node cannot link to itself');
      return s.waiter?.reject(new BotzError(ErrorCode.INVALID_ARGUMENT, `${s.address} is this node`));
    }
    const current = this.links.get(peer);
    // The dial succeeded whichever link survives: settle it before a close could reject it.
    s.waiter?.resolve(peer);
    if (current && preferLink(state(current), s)) return this.retire(ch);
    this.links.set(peer, ch);
    if (current) this.retire(current);
    this.sendDatabase(ch);
    if (!current) {
      this.emit({ type: 'linkUp', peer, address: s.address });
      this.scheduleAnnounce();
    }
  }

  /**
   * Lets go of the losing one of two links to one peer. Only its dialer closes it: the
   * listener may not have told the dialer its name yet, and a close can overtake what was
   * sent just before it. The listener sends its state so the dialer learns who it reached.
   */
  private retire(ch: Channel): void {
    if (state(ch).dialed) return ch.close(CloseCode.NORMAL, 'duplicate link');
    const own = this.topology.get(this.name);
    if (own) ch.send({ type: 'msa', ...own });
  }

  private scheduleAnnounce(): void {
    if (this.announceScheduled) return;
    this.announceScheduled = true;
    // Links that come up in the same turn share one announcement.
    setImmediate(() => this.announceScheduled && this.announce());
  }

  private onClose(ch: Channel, error: BotzError): void {
    this.channels.delete(ch);
    if (ch.tag === CONTROL) return this.clientHandler?.onClose(ch);
    const s = state(ch) as LinkState | undefined;
    s?.waiter?.reject(error);
    if (!s?.installed || this.links.get(ch.peer) !== ch) return;
    this.links.delete(ch.peer);
    // At once, not at the end of the turn: a send right after this must not pick the dead link.
    this.announce();
    this.emit({ type: 'linkDown', peer: ch.peer, code: error.code });
    this.redialer.linkDown(ch.peer);
  }

  private onFrame(frame: Frame, ch: Channel): void {
    if (this.stopped || !ch.tag) return;
    if (ch.tag === CONTROL) return this.clientHandler?.onFrame(frame, ch);
    if (!state(ch).installed) this.install(ch, frame.from);
    switch (frame.type) {
      case 'msa':
        return this.onMsa(frame, ch);
      case 'meshSend':
        return this.onMeshSend(frame, ch);
      default:
        return;
    }
  }

  private onMsa(frame: MsaFrame, ch: Channel): void {
    this.msaCounters.msaReceived++;
    if (frame.origin === this.name) {
      // Our own state is ours to say. But a newer one means an earlier run of ours (with a
      // clock ahead of ours) still has state out there: outnumber it, or it would win.
      const own = this.topology.get(this.name)!;
      if (isNewer(frame, own)) {
        this.incarnation = frame.incarnation;
        this.seq = frame.seq;
        this.announce();
      }
      return;
    }
    const msa: Announcement = { origin: frame.origin, incarnation: frame.incarnation, seq: frame.seq, neighbours: frame.neighbours };
    if (!this.topology.accept(msa, this.options.clock.now())) return;
    this.msaCounters.msaAccepted++;
    this.topologyChanged();
    this.flood(msa, ch.peer);
  }

  private onMeshSend(frame: MeshSendFrame, ch: Channel): void {
    void this.forwarder.relay(frame).then((result) => {
      ch.send({ type: 'meshAck', re: frame.id, reached: result.reached, unreachable: result.unreachable }, ch.peer);
    });
  }
}

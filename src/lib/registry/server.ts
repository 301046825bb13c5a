/**
 * The botz server: the registry of names, the relay for components that accept no links,
 * the source of membership events, and the hub that `tail` listens on.
 *
 * It never decodes relayed packets on the happy path: it verifies their MAC (every hop is
 * authenticated), reads the destination from the header, and forwards the exact bytes, so the
 * receiver verifies the sender's own MAC end to end.
 */
import { asBotzError, BotzError, ErrorCode, NameTaken } from '../errors.js';
import { Channel, type HelloDecision } from '../channel/channel.js';
import { NodeContext } from '../channel/node-context.js';
import { CloseCode, type Listener } from '../transport/transport.js';
import { wsTransport } from '../transport/ws.js';
import { every, type Clock, type TimerHandle } from '../clock.js';
import { decodeVerified, SERVER_DESTINATION, type VerifiedPacket } from '../wire/packet.js';
import { errorReply, type ComponentInfo, type Frame, type HelloFrame, type Topic } from '../wire/frames.js';
import { newSessionToken, Registry, validateName, type LivenessOptions, type MembershipEvent } from './registry.js';
import { TrafficHub } from './traffic-hub.js';
import { MemberFanout } from './member-fanout.js';
import type { Rejection } from './rejection-digest.js';
import { RejectionReporter } from './rejection-reporter.js';
import { refuseTaken, sharedRegistryFor, type RegistryStore, type SharedRegistry, type StoreStateEvent } from './server-store.js';
import { admitCredential, admitSharedSecret, awaitsAnswer, relayRefusal, serverFrameRefusal } from './credential-guard.js';
import { grantProblem } from '../identity/credential.js';
import { RevocationNotices } from './revocation-notices.js';

import { DEFAULT_PORT } from './defaults.js';
import { listAnswer } from '../wire/list-paging.js';
export { DEFAULT_HEARTBEAT_INTERVAL_MS, type ServerOptions, type ServerEvent, type ServerStats } from './server-options.js';
import { DEFAULT_HEARTBEAT_INTERVAL_MS, type ServerOptions, type ServerStats } from './server-options.js';

export class Server {
  readonly address: string;
  private readonly channels = new Map<string, Channel>();
  private readonly members: MemberFanout;
  private readonly revocations = new RevocationNotices();
  private readonly traffic: TrafficHub;
  private relayedPackets = 0;
  /** Last time each link sent anything. */
  private readonly lastSeen = new Map<Channel, number>();
  private readonly timer: TimerHandle;
  private credentialTimer: TimerHandle | undefined;
  private readonly rejections: RejectionReporter<Rejection>;
  private readonly clock: Clock;
  private stopped = false;
  private shared: SharedRegistry | undefined;

  private constructor(
    private readonly ctx: NodeContext,
    private readonly listener: Listener,
    private readonly registry: Registry,
    private readonly options: ServerOptions & LivenessOptions & { heartbeatIntervalMs: number },
  ) {
    this.address = listener.address;
    this.clock = ctx.clock;
    this.members = new MemberFanout(ctx);
    this.rejections = new RejectionReporter(this.clock, (r) => this.options.onEvent?.({ type: 'rejected', ...r }));
    this.traffic = new TrafficHub({
      setTracing: (on, bodies) => this.broadcastToLinks({ type: 'traceControl', on, bodies }),
      maxTails: options.maxTails,
      maxBufferedBytes: options.maxTailBufferedBytes,
      now: () => this.clock.now(),
      onDemand: (on, bodies) => this.shared?.setTails(on, bodies),
    });
    this.timer = every(this.clock, options.heartbeatIntervalMs, () => this.tick()).unref();
    if (ctx.identity.authority) this.credentialTimer = every(this.clock, options.credentialCheckMs ?? 1_000, () => this.checkCredentials()).unref();
  }

  /** Closes every live link whose credential was revoked or expired since it connected (4013). */
  checkCredentials(): void {
    const authority = this.ctx.identity.authority!;
    authority.refresh?.();
    for (const ch of [...this.channels.values()]) {
      const grant = ch.identity?.grant;
      const problem = grant && grantProblem(grant, authority, this.clock.now());
      if (problem) ch.close(CloseCode.CREDENTIAL_REJECTED, problem);
    }
    const revoked = authority.revokedIds?.();
    if (revoked) this.revocations.send(revoked, this.channels.values());
  }

  static async start(options: ServerOptions): Promise<Server> {
    const heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    // The listener's callback needs the Server, and the Server needs the listener: the slot
    // breaks the cycle (no link can arrive before listen() has resolved).
    const slot: { server?: Server } = {};
    const ctx = new NodeContext({
      ...options,
      name: SERVER_DESTINATION,
      onReject: ({ error, remote, peer }) => slot.server?.reportRejection({ code: error.code, remote, peer, at: ctx.clock.now() }),
    });
    const liveness: LivenessOptions = {
      suspectAfterMs: options.suspectAfterMs ?? 3 * heartbeatIntervalMs,
      removeAfterMs: options.removeAfterMs ?? 5 * heartbeatIntervalMs,
      closedGraceMs: options.closedGraceMs ?? 2 * heartbeatIntervalMs,
    };
    const transport = options.transport ?? wsTransport;
    const address = { host: options.host ?? '127.0.0.1', port: options.port ?? DEFAULT_PORT, limits: options.connectionLimits };
    const listener = await ctx.listen(transport, address, (link) => slot.server?.accept(link));
    slot.server = new Server(ctx, listener, new Registry(liveness), { ...options, ...liveness, heartbeatIntervalMs });
    if (options.store) await slot.server.joinStore(options.store, options.leaseMs ?? liveness.suspectAfterMs);
    return slot.server;
  }

  get stats(): ServerStats {
    return {
      links: this.channels.size,
      components: this.registry.size + (this.shared?.size ?? 0),
      relayedPackets: this.relayedPackets,
      tails: this.traffic.size,
      traceEventsDropped: this.traffic.dropped,
      rejected: { ...this.ctx.rejected },
      connections: this.listener.connections,
    };
  }

  /** Every component of the network (of `group`): with a shared store, also those of the other servers. */
  components(group?: string): ComponentInfo[] {
    return this.shared?.withLocal(this.registry.list(group), group) ?? this.registry.list(group);
  }

  private lookup(name: string): ComponentInfo | undefined {
    return this.shared ? this.shared.lookup(name, this.registry.get(name)) : this.registry.get(name);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timer.clear();
    this.credentialTimer?.clear();
    this.members.stop();
    for (const ch of this.channels.values()) ch.close(CloseCode.GOING_AWAY, 'server stopping');
    await this.listener.close();
    await this.shared?.close();
    this.rejections.stop();
  }

  /** A rejected packet or connection becomes an event at once, or part of a summary of its flood. */
  private reportRejection(rejection: Rejection): void {
    this.rejections.report(rejection);
  }

  private accept(link: import('../transport/transport.js').Link): void {
    if (this.stopped) return link.close(CloseCode.GOING_AWAY, 'server stopping');
    Channel.accept(
      this.ctx,
      link,
      (hello, ch) => this.decide(hello, ch),
      {
        onFrame: (frame, ch) => this.onFrame(frame, ch),
        onForward: (verified, bytes, ch) => this.relay(verified, bytes, ch),
        onClose: (ch) => this.onClose(ch),
      },
      this.options.connectionLimits?.handshakeTimeoutMs,
    );
  }

  /**
   * Decides who may use a name: a live owner keeps it unless the newcomer proves the session.
   * Judged at the hello (to refuse early) and again when the dialer answered the challenge;
   * only then is the name taken (a replayed hello never gets that far).
   */
  private decide(hello: HelloFrame, ch: Channel): ReturnType<HelloDecision> {
    validateName(hello.from);
    if (!ch.identity) admitSharedSecret(this.ctx.identity.authority, hello.from);
    else admitCredential(this.ctx.identity.authority!, ch.identity.grant!, hello.from);
    const owner = () => {
      const live = this.channels.get(hello.from);
      // A name held on another server of the network counts as held here (the store settles races at register).
      const session = this.registry.sessionOf(hello.from) ?? this.shared?.sessionOf(hello.from);
      const reclaims = hello.session !== undefined && hello.session === session;
      if (((live && !live.link.closed) || (!this.registry.get(hello.from) && this.shared?.get(hello.from))) && !reclaims) throw new NameTaken(hello.from);
      return { live: live && !live.link.closed ? live : undefined, reclaims, session };
    };
    const { reclaims, session } = owner();
    const admit = (): void => {
      const { live } = owner();
      if (live) {
        live.tag = 'replaced';
        live.close(CloseCode.REPLACED, 'replaced by a newer link of the same component');
      }
      this.channels.set(hello.from, ch);
      this.lastSeen.set(ch, this.clock.now());
      if (this.traffic.tracing) ch.send({ type: 'traceControl', on: true, bodies: this.traffic.wantsBodies });
    };
    // The welcome says whether somebody tails: a one-shot caller sends at once, before a traceControl could reach it.
    const trace = this.traffic.tracing ? { trace: { bodies: this.traffic.wantsBodies } } : {};
    return { session: reclaims ? session! : newSessionToken(), heartbeatMs: this.options.heartbeatIntervalMs, ...trace, admit };
  }

  private onFrame(frame: Frame, ch: Channel): void {
    const now = this.clock.now();
    this.lastSeen.set(ch, now);
    if (this.channels.get(ch.peer) === ch) this.publish(this.registry.heartbeat(ch.peer, now));
    const refused = ch.identity?.grant && serverFrameRefusal(ch.identity.grant, frame, ch.peer);
    if (refused) return this.refuseFrame(ch, frame, refused);
    switch (frame.type) {
      case 'register': {
        const address = frame.address ?? (frame.port !== null ? hostOf(ch.link.remoteAddress, frame.port) : null);
        const claimed = this.publish(this.registry.register(ch.peer, ch.session!, { address, groups: frame.groups, meta: frame.meta }, now), ch.session);
        const registered = (): void => void ch.send({ type: 'registered', re: frame.id, component: this.lookup(ch.peer)! }, frame.from);
        if (!claimed) return registered();
        void claimed.then((ours) => (ours ? registered() : refuseTaken(ch, frame, this.channels, () => this.toWatchers(this.registry.remove(ch.peer, now), true))));
        return;
      }
      case 'ready':
        this.publish(this.registry.ready(ch.peer, now));
        ch.send({ type: 'ack', re: frame.id }, frame.from);
        return;
      case 'heartbeat':
        return; // liveness was recorded above
      case 'bye':
        this.publish(this.registry.remove(ch.peer, now));
        return;
      case 'lookup': {
        const info = this.lookup(frame.name);
        if (info && info.state === 'ready') ch.send({ type: 'located', re: frame.id, component: info }, frame.from);
        else this.replyError(ch, frame, ErrorCode.NO_SUCH_COMPONENT, info ? `"${frame.name}" is ${info.state}, not ready` : `no component named "${frame.name}" is registered`);
        return;
      }
      case 'list':
        return ch.answer(frame, listAnswer(frame, this.components(frame.group), this.ctx.maxPacketBytes, this.shared?.storeDown ? this.shared.store.description : undefined));
      case 'subscribe':
        try {
          this.subscribe(ch, frame.topics, frame.names ?? [], frame.bodies ?? false);
        } catch (error) {
          return ch.answer(frame, errorReply(frame.id, error, ErrorCode.LIMIT_REACHED));
        }
        ch.send({ type: 'ack', re: frame.id }, frame.from);
        return;
      case 'unsubscribe':
        this.unsubscribe(ch, frame.topics);
        ch.send({ type: 'ack', re: frame.id }, frame.from);
        return;
      case 'trace':
        // Drops are the server's to report, about its own tails: a node cannot report them.
        if (frame.event.kind === 'dropped') return;
        this.traffic.publish(frame.event);
        return this.shared?.trace(frame.event); // for tails on the other servers of the network
      case 'request':
      case 'broadcast':
      case 'shutdownRequest':
        this.replyError(ch, frame, ErrorCode.NO_SUCH_COMPONENT, `the server does not take ${frame.type} frames`);
        return;
      default:
        return;
    }
  }

  /** A frame a credential does not allow: counted, and answered FORBIDDEN if it waits for an answer (to the link's own name). */
  private refuseFrame(ch: Channel, frame: Frame, error: BotzError): void {
    this.ctx.reject({ error, remote: ch.link.remoteAddress, peer: ch.peer });
    if (awaitsAnswer(frame)) ch.answer(frame, { type: 'error', re: frame.id, code: error.code, message: error.message }, ch.peer);
  }

  /**
   * Relays a packet from or to a credential link: each frame's sender and permission checked,
   * then sealed anew under the target's link (its keys are not the sender's).
   */
  private relayChecked(frames: Frame[], to: string, encrypted: boolean, from: Channel, target: Channel): void {
    for (const frame of frames) {
      const refused = relayRefusal(from.identity?.grant, frame, from.peer, to);
      if (refused) this.refuseFrame(from, frame, refused);
      else target.sendFrame(frame, to, encrypted);
    }
    this.relayedPackets++;
  }

  /** Forwards a packet for another node unchanged, or answers each of its frames that waits for a reply. */
  private relay(verified: VerifiedPacket, bytes: Buffer, from: Channel): void {
    const { header } = verified;
    const target = this.channels.get(header.to);
    const up = target !== undefined && target.established && !target.link.closed;
    const checked = from.identity !== undefined || target?.identity !== undefined;
    // A node whose link to us is encrypted asked for encryption: plaintext is not forwarded to it.
    if (!checked && up && (header.encrypted || !target.sealer.encrypt)) {
      this.relayedPackets++;
      target.forward(bytes);
      return;
    }
    // Attached to another server of the network: its server forwards the same bytes.
    if (!up && !this.registry.get(header.to) && this.shared?.relay(header.to, from.peer, bytes)) {
      this.relayedPackets++;
      return;
    }
    let frames: Frame[];
    try {
      frames = decodeVerified(bytes, verified);
    } catch (error) {
      // Authentic, yet not frames: counted as any bad packet is (nobody to forward it to anyway).
      this.ctx.reject({ error: asBotzError(error, ErrorCode.MALFORMED_FRAME), remote: from.link.remoteAddress, peer: from.peer });
      return;
    }
    if (checked && up) return this.relayChecked(frames, header.to, header.encrypted, from, target);
    const info = this.lookup(header.to);
    const [code, message] = up
      ? [ErrorCode.ENCRYPTION_REQUIRED, `"${header.to}" accepts only encrypted traffic (it asked for encryption); this request was not encrypted`]
      : info && this.shared?.storeDown && !this.registry.get(header.to)
        ? [ErrorCode.STORE_UNAVAILABLE, `"${header.to}" is attached to another server, and the shared store that links the servers is down`]
        : info
        ? [ErrorCode.UNREACHABLE, `"${header.to}" is registered but its link to the server is down`]
        : [ErrorCode.NO_SUCH_COMPONENT, `no component named "${header.to}" is registered`];
    if (up) this.ctx.reject({ error: new BotzError(code, message), remote: from.link.remoteAddress, peer: from.peer });
    for (const frame of frames) {
      if (frame.type === 'request' || frame.type === 'broadcast' || frame.type === 'shutdownRequest') this.replyError(from, frame, code, message);
    }
  }

  private replyError(ch: Channel, frame: Frame, code: string, message: string): void {
    ch.answer(frame, { type: 'error', re: frame.id, code, message });
  }

  /** Throws LIMIT_REACHED (and subscribes to nothing) when the tails are at their limit. */
  private subscribe(ch: Channel, topics: Topic[], names: string[], bodies: boolean): void {
    if (topics.includes('traffic')) this.traffic.add(ch, names, bodies);
    if (topics.includes('members')) this.members.watchers.add(ch);
  }

  private unsubscribe(ch: Channel, topics: Topic[]): void {
    if (topics.includes('members')) this.members.watchers.delete(ch);
    if (topics.includes('traffic')) this.traffic.remove(ch);
  }

  private onClose(ch: Channel): void {
    this.lastSeen.delete(ch);
    this.unsubscribe(ch, ['members', 'traffic']);
    if (this.channels.get(ch.peer) !== ch) return;
    this.channels.delete(ch.peer);
    if (ch.tag !== 'replaced') this.publish(this.registry.disconnected(ch.peer, this.clock.now()));
  }

  private tick(): void {
    const now = this.clock.now();
    this.broadcastToLinks({ type: 'heartbeat' });
    const events = this.registry.sweep(now);
    this.publish(events);
    this.traffic.reportDrops();
    // A link that stays silent as long as it takes to remove a component is dead weight,
    // whether or not it registered a name: close it (its owner will reconnect if alive).
    for (const ch of [...this.channels.values()]) {
      if (now - (this.lastSeen.get(ch) ?? now) >= this.options.removeAfterMs) {
        ch.tag = 'silent';
        ch.close(CloseCode.HEARTBEAT_TIMEOUT, `no heartbeat for ${this.options.removeAfterMs} ms`);
      }
    }
  }

  private broadcastToLinks(init: Parameters<Channel['send']>[0]): void {
    for (const ch of this.channels.values()) if (ch.established && !ch.link.closed) ch.send(init);
  }

  /** Best effort per watcher (this also runs from the heartbeat timer); with a store, a join's promise says if the name is ours. */
  private publish(events: MembershipEvent[], session?: string): Promise<boolean> | undefined {
    const shared = this.shared;
    this.toWatchers(shared ? events.map((e) => ({ ...e, component: shared.withServer(e.component) })) : events, true);
    return shared?.local(events, session);
  }

  /** `ours`: about this server's own components (the others' are not logged here). */
  private toWatchers(events: MembershipEvent[], ours: boolean): void {
    this.members.publish(events);
    if (ours) for (const event of events) this.options.onEvent?.(event);
  }

  /** Joins the network of servers on `store` (see shared-registry.ts); a store it cannot reach stops the server. */
  private async joinStore(store: RegistryStore, leaseMs: number): Promise<void> {
    const { address, clock, channels, registry, traffic } = this;
    const [toWatchers, onEvent, relayed] = [(e: MembershipEvent) => this.toWatchers([e], false), (e: StoreStateEvent) => this.options.onEvent?.(e), () => this.relayedPackets++];
    this.shared = sharedRegistryFor(store, leaseMs, { address, clock, channels, registry, traffic, toWatchers, onEvent, relayed });
    await this.shared.open().catch(async (error: unknown) => {
      await this.stop();
      throw error;
    });
  }
}

function hostOf(remoteAddress: string, port: number): string {
  const host = remoteAddress.replace(/:\d+$/, '');
  return `${host}:${port}`;
}


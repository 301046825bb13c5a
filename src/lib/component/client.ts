/**
 * Client: a node with an authenticated link to the server but no registered name. It can do
 * everything a sender needs — send, broadcast, list, shut down, watch membership, tail — and is
 * what one-shot CLI commands use. Component (component.ts) adds a name, a handler and a listener.
 * Where a target lives and which link reaches it is the Locator's business (locator.ts).
 */
import { EventEmitter } from 'node:events';
import { cancellable } from '../cancel.js';
import { ErrorCode, isBotzError } from '../errors.js';
import { Channel } from '../channel/channel.js';
import { NodeContext } from '../channel/node-context.js';
import { ServerLink } from '../registry/server-link.js';
import type { Transport } from '../transport/transport.js';
import { wsTransport } from '../transport/ws.js';
import type {
  Body,
  ComponentInfo,
  Frame,
  FrameInit,
  LinkRole,
  Topic,
} from '../wire/frames.js';
import type { PacketHeader } from '../wire/packet.js';
import { answeredCall, failedCall, type TrafficReport } from './call-trace.js';
import type { ClientExtension, ExtensionHost } from './extension.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_SERVER,
  DEFAULT_TIMEOUT_MS,
  defaultClientName,
  failureOf,
  type BroadcastResult,
  type CallOptions,
  type ClientOptions,
} from './client-options.js';
import { Locator, remaining } from './locator.js';
import { PeerPool } from './peer-pool.js';
import { describeSubscription, Subscriptions, type MembershipNotice, type TailEvent } from './subscriptions.js';

export {
  DEFAULT_SERVER,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  defaultClientName,
  type ClientOptions,
  type CallOptions,
  type BroadcastResult,
} from './client-options.js';
export type { MembershipNotice, TailEvent } from './subscriptions.js';

/** How one call that expects an answer is bounded: by its deadline, and by the caller's signal. */
interface CallBounds {
  deadline: number;
  /** The caller's whole timeout, which a timeout error names (default: what is left). */
  callTimeoutMs?: number;
  signal?: AbortSignal;
}

export class Client extends EventEmitter implements ExtensionHost {
  protected readonly ctx: NodeContext;
  protected serverLink!: ServerLink;
  protected readonly peers: PeerPool;
  private readonly locator: Locator;
  protected readonly transport: Transport;
  protected readonly timeoutMs: number;
  protected readonly connectTimeoutMs: number;
  protected stopped = false;
  /** True while somebody tails the network: then we report our traffic to the server. */
  protected tracing = false;
  private readonly subscriptions = new Subscriptions();
  /** Optional layers (reliable delivery, mesh), by the frame types they claim. */
  private readonly extensions: ClientExtension[] = [];
  private readonly extensionByType = new Map<string, ClientExtension>();
  /** Set by the server while a tail that wants message bodies is open. */
  protected traceBodies = false;

  protected constructor(
    protected readonly options: ClientOptions,
    name: string,
    protected readonly role: LinkRole,
  ) {
    super();
    this.ctx = NodeContext.create({
      name,
      secret: options.secret,
      maxPacketBytes: options.maxPacketBytes,
      codecs: options.codecs,
      encrypt: options.encrypt,
      onReject: (r) => this.emit('rejected', r),
    });
    this.transport = options.transport ?? wsTransport;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.connectTimeoutMs = options.connectTimeoutMs ?? Math.min(DEFAULT_CONNECT_TIMEOUT_MS, this.timeoutMs);
    this.peers = new PeerPool(this.ctx, this.transport, role, {
      onFrame: (frame, ch, header) => this.onFrame(frame, ch, header),
      onClose: (ch) => this.pathDown(ch.peer),
    });
    this.locator = new Locator(
      {
        name,
        serverLink: () => this.serverLink,
        followMembers: (deadline) => this.subscribe(['members'], deadline),
        list: (deadline) => this.components({ timeout: remaining(deadline) }),
      },
      this.peers,
      this.connectTimeoutMs,
    );
  }

  /**
   * Connects to the server, within `connectTimeoutMs`. Throws SERVER_UNREACHABLE (nothing
   * accepts at the address), TIMEOUT (the server did not complete the handshake in time) or
   * AUTH_FAILED.
   */
  static async connect(options: ClientOptions): Promise<Client> {
    const client = new Client(options, options.name ?? defaultClientName(), 'client');
    await client.connectServer();
    return client;
  }

  get name(): string {
    return this.ctx.name;
  }

  get maxPacketBytes(): number {
    return this.ctx.maxPacketBytes;
  }

  get server(): string {
    return this.serverLink.address;
  }

  /** Packets this node refused, by error code. */
  get rejected(): Record<string, number> {
    return { ...this.ctx.rejected };
  }

  /** `background`: do not fail when no server answers yet; keep trying (mesh components). */
  protected async connectServer(options: { background?: boolean } = {}): Promise<void> {
    this.serverLink = await ServerLink.connect({
      ctx: this.ctx,
      transport: this.transport,
      address: this.options.server ?? DEFAULT_SERVER,
      role: this.role,
      connectTimeoutMs: this.connectTimeoutMs,
      onFrame: (frame, ch, header) => this.onFrame(frame, ch, header),
      onUp: (ch, reconnect) => this.onServerUp(ch, reconnect),
      onDown: (error) => this.emit('disconnected', error),
      background: options.background,
    });
  }

  /** Runs on every (re)connection to the server: restores subscriptions. */
  protected async onServerUp(ch: Channel, reconnect: boolean): Promise<void> {
    if (reconnect) this.locator.reset();
    await this.restoreSubscriptions(ch);
    if (reconnect) {
      for (const e of this.extensions) e.onServerUp?.();
      this.emit('reconnected');
    }
  }

  /**
   * Subscribes again to what we followed. If the server's tails are all taken by then, we go on
   * without ours (a refusal here would fail the reconnect, again and again) and say so with a
   * `tailRefused` event (the BotzError, LIMIT_REACHED): the tails' listeners get nothing more.
   */
  private async restoreSubscriptions(ch: Channel): Promise<void> {
    const subscribe = async (): Promise<void> => {
      const topics = this.subscriptions.topics();
      if (topics.length > 0) await ch.request(this.subscriptions.frame(topics), { timeoutMs: this.connectTimeoutMs, describe: describeSubscription(topics) });
    };
    try {
      await subscribe();
    } catch (error) {
      if (!isBotzError(error) || error.code !== ErrorCode.LIMIT_REACHED) throw error;
      this.subscriptions.removeTails();
      this.emit('tailRefused', error);
      await subscribe();
    }
  }

  /** Plugs in an optional layer; see extension.ts. */
  protected use(extension: ClientExtension): void {
    this.extensions.push(extension);
    for (const type of extension.frameTypes) this.extensionByType.set(type, extension);
  }

  /** A link that may have carried traffic of `peer` closed. */
  protected pathDown(peer: string): void {
    for (const e of this.extensions) e.onPathDown?.(peer);
  }

  /**
   * Hands a frame that arrived by another way (across the mesh) to the extension that claims
   * its type; false when none does.
   */
  protected toExtension(frame: Frame): boolean {
    const extension = this.extensionByType.get(frame.type);
    extension?.onFrame(frame, undefined);
    return extension !== undefined;
  }

  async post(peer: string, init: FrameInit, timeoutMs: number): Promise<'direct' | 'relay' | 'mesh'> {
    const deadline = Date.now() + timeoutMs;
    const info = await this.locator.resolve(peer, deadline);
    const { channel, path } = await this.locator.route(info, deadline);
    channel.send(init, info.name);
    return path;
  }

  /** Sends a request and returns the reply body. `target` is a name or `@group` (one ready member, round robin). */
  async send(target: string, body: Body, options: CallOptions = {}): Promise<Body> {
    const timeout = options.timeout ?? this.timeoutMs;
    const init: FrameInit = { type: 'request', body: body ?? null, ttl: timeout };
    // Fast path (the common case under load): a known target with an open direct link.
    const channel = this.tracing ? undefined : this.peers.open(target);
    // One deadline for the whole call: lookup, dial and answer together stay within `timeout`.
    const bounds: CallBounds = { deadline: Date.now() + timeout, callTimeoutMs: timeout, signal: options.signal };
    const reply = channel
      ? await this.requestOn(channel, target, init, timeout, options.signal)
      : await cancellable(() => this.resolveThenRequest(target, init, bounds), options.signal, `the request to "${target}"`);
    return reply.type === 'response' ? reply.body : null;
  }

  private async resolveThenRequest(target: string, init: FrameInit, bounds: CallBounds): Promise<Frame> {
    return this.requestTo(await this.locator.resolve(target, bounds.deadline), init, bounds);
  }

  private async requestOn(channel: Channel, target: string, init: FrameInit, timeoutMs: number, signal?: AbortSignal): Promise<Frame> {
    try {
      return await channel.request(init, { to: target, timeoutMs, describe: `the request to "${target}"`, signal });
    } catch (error) {
      this.locator.forgetOnFailure(target, error);
      throw error;
    }
  }

  /** Sends to every ready component (or every member of `group`) but ourselves; reports who got it. */
  async broadcast(body: Body, options: CallOptions & { group?: string } = {}): Promise<BroadcastResult> {
    // The lookup and the dial take no signal: cancellable ends the call without waiting for them.
    return cancellable(() => this.broadcastNow(body, options), options.signal, 'the broadcast');
  }

  private async broadcastNow(body: Body, options: CallOptions & { group?: string }): Promise<BroadcastResult> {
    const timeout = options.timeout ?? this.timeoutMs;
    const bounds: CallBounds = { deadline: Date.now() + timeout, callTimeoutMs: timeout, signal: options.signal };
    const targets = await this.locator.receivers(options.group, bounds.deadline);
    const init: FrameInit = { type: 'broadcast', body: body ?? null, ...(options.group ? { group: options.group } : {}) };
    const outcomes = await Promise.allSettled(targets.map((info) => this.requestTo(info, init, bounds)));
    const result: BroadcastResult = { delivered: [], ignored: [], failed: [] };
    outcomes.forEach((outcome, i) => {
      const name = targets[i].name;
      if (outcome.status === 'rejected') result.failed.push({ name, error: failureOf(outcome.reason) });
      else if (outcome.value.type === 'ack' && outcome.value.ignored) result.ignored.push(name);
      else result.delivered.push(name);
    });
    return result;
  }

  /** The registry's list (optionally one group), fresh from the server. */
  async components(options: CallOptions & { group?: string } = {}): Promise<ComponentInfo[]> {
    const deadline = Date.now() + (options.timeout ?? this.timeoutMs);
    const list = async (): Promise<ComponentInfo[]> => {
      const ch = await this.serverLink.ready(deadline);
      const reply = await ch.request(
        { type: 'list', ...(options.group ? { group: options.group } : {}) },
        { timeoutMs: remaining(deadline), describe: 'the component list', signal: options.signal },
      );
      return reply.type === 'components' ? reply.components : [];
    };
    return cancellable(list, options.signal, 'the component list');
  }

  /** Botica shutdown: asks `name` to stop; returns its answer. */
  async shutdown(name: string, options: CallOptions & { forced?: boolean } = {}): Promise<{ ready: boolean }> {
    const timeout = options.timeout ?? this.timeoutMs;
    const bounds: CallBounds = { deadline: Date.now() + timeout, callTimeoutMs: timeout, signal: options.signal };
    const init: FrameInit = { type: 'shutdownRequest', forced: options.forced ?? false };
    const reply = await cancellable(() => this.resolveThenRequest(name, init, bounds), options.signal, `the shutdown request to "${name}"`);
    return { ready: reply.type === 'shutdownResponse' ? reply.ready : false };
  }

  /** Calls `listener` for every membership event (join, ready, suspect, alive, leave). */
  async watch(listener: (e: MembershipNotice) => void): Promise<() => void> {
    const unwatch = this.subscriptions.addWatcher(listener);
    try {
      await this.subscribe(['members']);
    } catch (error) {
      unwatch(); // not watching after all: nothing may stay behind that a reconnect revives
      throw error;
    }
    return unwatch;
  }

  /**
   * Live traffic and membership across the network (only traffic involving `names`, if given;
   * with `bodies`, traffic events carry the message bodies). Resolves to an unsubscribe function.
   */
  async tail(options: { names?: string[]; bodies?: boolean }, listener: (e: TailEvent) => void): Promise<() => Promise<void>> {
    this.subscriptions.addTail(listener, options.names ?? [], options.bodies === true);
    try {
      await this.subscribe(['members', 'traffic']);
    } catch (error) {
      // Not tailing after all: a listener left behind would be revived by the next reconnect,
      // and the caller has no unsubscribe function to stop it with.
      this.subscriptions.removeTail(listener);
      throw error;
    }
    return async () => {
      this.subscriptions.removeTail(listener);
      if (!this.subscriptions.tailing && !this.stopped) {
        const ch = this.serverLink.current();
        await ch?.request({ type: 'unsubscribe', topics: ['traffic'] }, { timeoutMs: this.timeoutMs }).catch(() => {});
      } else await this.subscribe(['members', 'traffic']);
    };
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.closeExtensions();
    this.peers.closeAll();
    await this.serverLink.close();
  }

  protected async closeExtensions(): Promise<void> {
    for (const e of this.extensions) await e.close?.();
  }

  /** Sends a frame that expects an answer to `info`, directly if we can, else through the relay. */
  protected async requestTo(info: ComponentInfo, init: FrameInit, bounds: CallBounds): Promise<Frame> {
    const { deadline, callTimeoutMs, signal } = bounds;
    const { channel, path } = await this.locator.route(info, deadline);
    const trace = this.tracing ? { self: this.name, target: info.name, init, path, startedAt: Date.now(), bodies: this.traceBodies } : undefined;
    try {
      const reply = await channel.request(init, {
        to: info.name,
        timeoutMs: remaining(deadline),
        describe: `the ${init.type} to "${info.name}"`,
        callTimeoutMs,
        signal,
      });
      if (trace) for (const event of answeredCall(trace, reply, Date.now())) this.report(event);
      return reply;
    } catch (error) {
      this.locator.forgetOnFailure(info.name, error);
      if (trace) this.report(failedCall(trace, Date.now()));
      throw error;
    }
  }

  private async subscribe(topics: Topic[], deadline = Date.now() + this.timeoutMs): Promise<void> {
    const claimsMemberFeed = topics.includes('members') && topics.length === 1;
    if (claimsMemberFeed) {
      if (this.subscriptions.memberFeed) return;
      this.subscriptions.memberFeed = true;
    }
    try {
      const ch = await this.serverLink.ready(deadline);
      await ch.request(this.subscriptions.frame(topics), { timeoutMs: remaining(deadline), describe: describeSubscription(topics) });
    } catch (error) {
      // Not subscribed after all: the next call must try again, or the directory would go stale.
      if (claimsMemberFeed) this.subscriptions.memberFeed = false;
      throw error;
    }
  }

  /**
   * Tells the server about a call of ours while somebody tails. Never fails the call it reports:
   * an event too large to travel with its body goes without it (its size still says how big).
   */
  protected report(event: TrafficReport): void {
    const ch = this.serverLink.current();
    if (!ch) return;
    try {
      ch.send({ type: 'trace', event: { at: Date.now(), ...event } });
    } catch {
      const { body: _body, ...withoutBody } = event as TrafficReport & { body?: unknown };
      try {
        ch.send({ type: 'trace', event: { at: Date.now(), ...withoutBody } });
      } catch {
        // The link to the server is gone: there is nobody to tell.
      }
    }
  }

  /** Frames nobody waits for, from the server or from peers. */
  protected onFrame(frame: Frame, ch: Channel, header: PacketHeader): void {
    const extension = this.extensionByType.get(frame.type);
    if (extension) {
      extension.onFrame(frame, ch);
      return;
    }
    switch (frame.type) {
      case 'member':
        this.locator.directory.apply(frame.event, frame.component);
        this.subscriptions.member(frame.event, frame.component);
        return;
      case 'trace':
        this.subscriptions.traffic(frame.event);
        return;
      case 'traceControl':
        this.tracing = frame.on;
        this.traceBodies = frame.on && frame.bodies === true;
        return;
      case 'request':
      case 'broadcast':
      case 'shutdownRequest':
        this.onIncoming(frame, ch, header);
        return;
      default:
        return; // late replies and heartbeats from peers need nothing
    }
  }

  /** A client has no handler: it tells the sender so instead of leaving it to time out. */
  protected onIncoming(frame: Frame, ch: Channel, _header: PacketHeader): void {
    ch.answer(frame, { type: 'error', re: frame.id, code: ErrorCode.NO_SUCH_COMPONENT, message: `"${this.name}" is a client, not a registered component` });
  }
}

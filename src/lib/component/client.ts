/**
 * Client: what a program holds to call the network without registering a name — send,
 * broadcast, list, shut down, watch membership, tail — as one-shot CLI commands do. A thin
 * facade over a Node (src/lib/node/node.ts), the one core a Component is made of too.
 *
 *   const client = await Client.connect({ server: '127.0.0.1:7300', secret });
 *   console.log(await client.send('echo', { hello: 'world' }));
 *   await client.close();
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { cancellable } from '../cancel.js';
import { remaining } from '../clock.js';
import type { Body, ComponentInfo, FrameInit, Headers, Path } from '../wire/frames.js';
import { headersOf } from '../wire/values.js';
import { listAll, type Listing } from '../wire/list-paging.js';
import { Node, type NodeOptions } from '../node/node.js';
import type { NodeEvent } from '../node/events.js';
import type { Answer } from '../node/inbound.js';
import { defaultClientName, failureOf, type BroadcastResult, type CallOptions, type ClientOptions } from '../node/options.js';
import type { MembershipNotice, TailEvent } from '../node/subscriptions.js';
import type { ConnectOptions } from '../stream/stream-hub.js';
import type { StreamChannel } from '../stream/stream-channel.js';
import { streamRequest, type StreamCallOptions } from '../stream/streamed-reply.js';

/** A reply with what came with it: the body, the replier's headers, who answered and how. */
export interface ReplyInfo {
  body: Body;
  headers: Headers;
  from: string;
  path: Path;
  /** Over the mesh: the nodes the reply passed, the replier first. */
  hops?: string[];
}

export class Client extends EventEmitter {
  protected constructor(protected readonly node: Node) {
    super();
    node.onEvent = (e) => this.emit(e.type, ...(PAYLOADS[e.type] as (e: NodeEvent) => unknown[])(e));
  }

  /**
   * Connects to the server, within `connectTimeoutMs`. Throws SERVER_UNREACHABLE (nothing
   * accepts at the address), TIMEOUT (the server did not complete the handshake in time) or
   * AUTH_FAILED.
   */
  static async connect(options: ClientOptions): Promise<Client> {
    // A client with a credential for NAME goes by NAME.<random> on the wire (§12 Credentials).
    const credential = options.identity?.credential;
    const name = options.name ?? (credential ? `${credential.name}.${randomBytes(4).toString('hex')}` : defaultClientName());
    const node = new Node({ ...options, name } as NodeOptions, 'client');
    const client = new Client(node);
    await node.start();
    return client;
  }

  get name(): string {
    return this.node.name;
  }

  /**
   * Opens a stream to `target` for `protocol`: a Duplex of bytes (or, with `objectMode`, of JSON
   * values), ordered, exactly once, flow-controlled both ways, over whatever path reaches the
   * target. Resolves once the target's handler for `protocol` accepted; rejects with
   * UNKNOWN_PROTOCOL (it has none), REFUSED (it declined; the message says why), LIMIT_REACHED,
   * or what any call rejects with (NO_SUCH_COMPONENT, TIMEOUT...). See PROTOCOL.md §12 Streams.
   */
  connect(target: string, protocol: string, options: ConnectOptions = {}): Promise<StreamChannel> {
    return this.node.streams.connect(target, protocol, options);
  }

  /**
   * Sends a request whose reply streams: yields each chunk the target's handler yields (it
   * returned an async iterable; a plain reply is one chunk), as they come, flow-controlled (a
   * slow loop slows the handler), over whatever path reaches the target. Leaving the loop early
   * tells the handler (its `message.signal` aborts). Fails with REMOTE_ERROR (the handler threw,
   * even after some chunks), UNREACHABLE (the target went silent), CLOSED (it stopped),
   * CANCELLED, or what `send` fails with. See PROTOCOL.md §12 Streamed replies.
   */
  stream(target: string, body: Body, options: StreamCallOptions = {}): AsyncGenerator<Body, void, undefined> {
    return streamRequest(this.node.streams, target, body, options);
  }

  get maxPacketBytes(): number {
    return this.node.ctx.maxPacketBytes;
  }

  /** The server's address. */
  get server(): string {
    return this.node.serverLink?.address ?? this.node.options.server ?? '';
  }

  /** Packets this node refused, by error code. */
  get rejected(): Record<string, number> {
    return { ...this.node.ctx.rejected };
  }

  /** Sends a request and returns the reply body. `target` is a name or `@group` (one ready member, round robin). */
  async send(target: string, body: Body, options: CallOptions = {}): Promise<Body> {
    const { frame } = await this.call(target, body, options);
    return frame.type === 'response' ? frame.body : null;
  }

  /** Sends a request and returns the reply with its headers, who sent it and the path it took. */
  async request(target: string, body: Body, options: CallOptions = {}): Promise<ReplyInfo> {
    const { frame, arrival } = await this.call(target, body, options);
    const reply = frame.type === 'response' ? frame : undefined;
    return { body: reply ? reply.body : null, headers: reply?.headers ?? {}, from: frame.from, path: arrival.path, ...(arrival.hops ? { hops: arrival.hops } : {}) };
  }

  private call(target: string, body: Body, options: CallOptions): Promise<Answer> {
    const timeout = options.timeout ?? this.node.timeoutMs;
    // The body last: a body that is bytes then skips the MessagePack encoder (wire/codec.ts).
    const init: FrameInit =
      options.headers && Object.keys(options.headers).length > 0
        ? { type: 'request', ttl: timeout, headers: options.headers, body: body ?? null }
        : { type: 'request', ttl: timeout, body: body ?? null };
    return this.node.caller.call(target, init, { timeout, signal: options.signal });
  }

  /** Sends to every ready component (or every member of `group`) but ourselves; reports who got it. */
  async broadcast(body: Body, options: CallOptions & { group?: string } = {}): Promise<BroadcastResult> {
    // The lookup and the dials take no signal: cancellable ends the call without waiting for them.
    return cancellable(() => this.broadcastNow(body, options), options.signal, 'the broadcast');
  }

  /** The registry's list (optionally one group), fresh from the server. */
  async components(options: CallOptions & { group?: string } = {}): Promise<ComponentInfo[]> {
    return (await this.listing(options)).components;
  }

  /**
   * The registry's list, and `storeDown` when the server cannot reach the shared store of its
   * network (several servers on Redis): the list then holds its own components and its last view
   * of the other servers'.
   */
  async listing(options: CallOptions & { group?: string } = {}): Promise<Listing> {
    const deadline = this.node.ctx.clock.now() + (options.timeout ?? this.node.timeoutMs);
    // Page by page (list-paging.ts): a large network does not fit one packet.
    const list = () => listAll((init, describe) => this.node.ask(init, deadline, describe), options.group || undefined);
    return cancellable(list, options.signal, 'the component list');
  }

  /** Botica shutdown: asks `name` to stop; returns its answer. */
  async shutdown(name: string, options: CallOptions & { forced?: boolean } = {}): Promise<{ ready: boolean }> {
    const { frame } = await this.node.caller.call(name, { type: 'shutdownRequest', forced: options.forced ?? false }, options);
    return { ready: frame.type === 'shutdownResponse' ? frame.ready : false };
  }

  /** Calls `listener` for every membership event (join, ready, suspect, alive, leave). */
  watch(listener: (e: MembershipNotice) => void): Promise<() => void> {
    return this.node.feed.watch(listener);
  }

  /**
   * Live traffic and membership across the network (only traffic involving `names`, if given;
   * with `bodies`, traffic events carry the message bodies). Resolves to an unsubscribe function.
   */
  tail(options: { names?: string[]; bodies?: boolean }, listener: (e: TailEvent) => void): Promise<() => Promise<void>> {
    return this.node.feed.tail(options, listener);
  }

  async close(): Promise<void> {
    await this.node.stop();
  }

  private async broadcastNow(body: Body, options: CallOptions & { group?: string }): Promise<BroadcastResult> {
    const timeout = options.timeout ?? this.node.timeoutMs;
    const deadline = this.node.ctx.clock.now() + timeout;
    const targets = await this.node.locator.receivers(options.group, deadline);
    const init: FrameInit = { type: 'broadcast', body: body ?? null, ...(options.group ? { group: options.group } : {}), ...headersOf(options.headers) };
    const outcomes = await Promise.allSettled(
      targets.map(async (info) => this.node.caller.call(info.name, init, { timeout: remaining(this.node.ctx.clock, deadline), signal: options.signal, route: await this.node.router.toEntry(info, deadline) })),
    );
    const result: BroadcastResult = { delivered: [], ignored: [], failed: [] };
    outcomes.forEach((outcome, i) => {
      const name = targets[i].name;
      if (outcome.status === 'rejected') result.failed.push({ name, error: failureOf(outcome.reason) });
      else if (outcome.value.frame.type === 'ack' && outcome.value.frame.ignored) result.ignored.push(name);
      else result.delivered.push(name);
    });
    return result;
  }
}

/** What an EventEmitter listener of each event gets (the shapes these events always had). */
const PAYLOADS: { [T in NodeEvent['type']]: (e: Extract<NodeEvent, { type: T }>) => unknown[] } = {
  rejected: ({ error, remote, peer }) => [{ error, remote, peer }],
  disconnected: (e) => [e.error],
  reconnected: () => [],
  registered: (e) => [e.server],
  message: (e) => [e.message],
  messageFailed: ({ message, error }) => [{ message, error }],
  peerRestarted: ({ peer, previous, session, failed }) => [{ peer, previous, session, failed }],
  tailRefused: (e) => [e.error],
  shutdown: (e) => [e.notice],
  stopped: () => [],
  credentialRejected: (e) => [e.error],
};

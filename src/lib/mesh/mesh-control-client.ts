/**
 * A client on a link to a mesh node's listener (role 'client'), to inspect and steer it with
 * the typed frames it answers (see node/mesh-service.ts): what `botz mesh ...`, `botz send
 * --via` and `botz tail --via` use. A request sent through it is an ordinary request, addressed
 * to its target: the node carries it over the mesh and hands back the answer.
 *
 *   const ctl = await MeshControlClient.connect({ address: '127.0.0.1:7411', secret });
 *   console.log(await ctl.routes());
 *   await ctl.close();
 */
import { randomBytes } from 'node:crypto';
import { BotzError, ErrorCode } from '../errors.js';
import { Channel } from '../channel/channel.js';
import { NodeContext, type Secret } from '../channel/node-context.js';
import { CloseCode, type Transport } from '../transport/transport.js';
import { wsTransport } from '../transport/ws.js';
import { ANY_DESTINATION } from '../wire/packet.js';
import type { Body, Frame, FrameInit, Headers, LinkChange, TrafficEvent } from '../wire/frames.js';
import { headersOf } from '../wire/values.js';
import { HOPS_HEADER, REPLY_HOPS_HEADER } from '../wire/mesh-frames.js';
import type { MeshStatus } from './mesh-status.js';
import type { Route } from './routing.js';
import type { Credential } from '../identity/credential.js';

/** How long a control call waits unless told otherwise. */
export const DEFAULT_CONTROL_TIMEOUT_MS = 5_000;

/** What a watcher of a mesh node is told: each frame it carried, and each of its link changes. */
export type MeshWatchEvent = TrafficEvent | LinkChange;

/** A request's answer through a mesh node, and the paths both took. */
export interface MeshCallReply {
  body: Body;
  headers: Headers;
  hops: string[];
  replyHops: string[];
}

export interface MeshControlClientOptions {
  /** `host:port` of the mesh node's listener. */
  address: string;
  /** The shared secret; or, to a credential mesh node, `credential` instead. */
  secret?: Secret;
  /** Proves this credential (exactly its name): a credential mesh node answers what its grant allows (§12 Mesh, Credentials). */
  credential?: Credential;
  transport?: Transport;
  timeoutMs?: number;
}

export class MeshControlClient {
  private readonly watchers = new Set<(event: MeshWatchEvent) => void>();
  /** Set by close(): a link we close ourselves is not lost. */
  private closing = false;
  private lostError: BotzError | undefined;
  private onLost!: (error: BotzError) => void;
  /**
   * Resolves (never rejects) with a SERVER_UNREACHABLE error naming the mesh node once the link
   * closes other than by close(): the node stopped, crashed or dropped us. A caller that only
   * listens (`watch`) has nothing else that would tell it; it never resolves after close().
   */
  readonly lost: Promise<BotzError> = new Promise((resolve) => (this.onLost = resolve));

  private constructor(
    private readonly channel: Channel,
    readonly address: string,
    private readonly timeoutMs: number,
  ) {}

  /** Connects and authenticates. Throws SERVER_UNREACHABLE (nobody there), AUTH_FAILED or TIMEOUT. */
  static async connect(options: MeshControlClientOptions): Promise<MeshControlClient> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_CONTROL_TIMEOUT_MS;
    const { credential } = options;
    // A peer admits a credential only under its exact name (it cannot tell which NAME.suffix names are another's).
    const name = credential ? credential.name : `botz-mesh-${process.pid}-${randomBytes(3).toString('hex')}`;
    const ctx = new NodeContext({ name, secret: options.secret, ...(credential ? { identity: { credential } } : {}) });
    let client: MeshControlClient | undefined;
    try {
      const { channel } = await Channel.connect(ctx, options.transport ?? wsTransport, options.address, {
        expect: ANY_DESTINATION,
        role: 'client',
        timeoutMs,
        handlers: {
          onFrame: (frame) => {
            if (frame.type !== 'trace' || frame.event.kind === 'dropped') return;
            for (const w of client?.watchers ?? []) w(frame.event);
          },
          onClose: (_channel, error) => client?.linkClosed(error),
        },
      });
      client = new MeshControlClient(channel, options.address, timeoutMs);
      if (channel.link.closed) client.linkClosed(channel.closeReason);
      return client;
    } catch (error) {
      if (error instanceof BotzError && (error.code === ErrorCode.UNREACHABLE || error.code === ErrorCode.CLOSED)) {
        throw new BotzError(ErrorCode.SERVER_UNREACHABLE, `cannot reach a mesh node at ${options.address}`, {
          cause: error,
          details: { server: options.address },
        });
      }
      throw error;
    }
  }

  async routes(): Promise<Route[]> {
    const info = await this.call({ type: 'meshQuery', what: 'routes' }, 'meshInfo');
    return (info.routes ?? []) as Route[];
  }

  /** The topology as the node sees it, in graphviz. */
  async dot(): Promise<string> {
    return (await this.call({ type: 'meshQuery', what: 'dot' }, 'meshInfo')).dot ?? '';
  }

  async status(): Promise<MeshStatus> {
    return (await this.call({ type: 'meshQuery', what: 'status' }, 'meshInfo')).status as unknown as MeshStatus;
  }

  /** Makes the node dial `address`; resolves with the name of the peer it reached. */
  async dial(address: string): Promise<string> {
    return (await this.call({ type: 'meshDial', address }, 'meshDialed')).peer;
  }

  /** Makes the node drop its link to a peer (by name or address). Rejects NO_ROUTE when it has none. */
  async hangup(nameOrAddress: string): Promise<void> {
    await this.call({ type: 'meshHangup', peer: nameOrAddress }, 'ack');
  }

  /** A request to `target`, carried over the mesh from the node; the reply and the paths both took. */
  async send(target: string, body: Body, options: { timeoutMs?: number; headers?: Headers } = {}): Promise<MeshCallReply> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    // The node times the request out itself (ttl); we wait a little longer to hear why.
    const reply = await this.call({ type: 'request', body: body ?? null, ttl: timeoutMs, ...headersOf(options.headers) }, 'response', timeoutMs + 1_000, target);
    const { [HOPS_HEADER]: hops = '', [REPLY_HOPS_HEADER]: replyHops = '', ...rest } = reply.headers ?? {};
    return { body: reply.body, headers: rest, hops: hops ? hops.split('>') : [], replyHops: replyHops ? replyHops.split('>') : [] };
  }

  /** Calls `listener` for each frame the node originates, forwards or delivers, and each of its link changes. */
  async watch(listener: (event: MeshWatchEvent) => void, options: { bodies?: boolean } = {}): Promise<() => Promise<void>> {
    this.watchers.add(listener);
    await this.call({ type: 'subscribe', topics: ['traffic'], ...(options.bodies ? { bodies: true } : {}) }, 'ack');
    return async () => {
      this.watchers.delete(listener);
      if (this.watchers.size === 0 && !this.channel.link.closed) await this.call({ type: 'unsubscribe', topics: ['traffic'] }, 'ack').catch(() => {});
    };
  }

  async close(): Promise<void> {
    this.closing = true;
    this.watchers.clear();
    this.channel.close(CloseCode.NORMAL, 'bye');
  }

  private linkClosed(cause: BotzError | undefined): void {
    if (this.closing || this.lostError) return;
    this.lostError = new BotzError(
      ErrorCode.SERVER_UNREACHABLE,
      `lost the link to the mesh node at ${this.address}${cause ? `: ${cause.message}` : ''}`,
      { cause, details: { server: this.address } },
    );
    this.watchers.clear();
    this.onLost(this.lostError);
  }

  private async call<T extends Frame['type']>(init: FrameInit, expect: T, timeoutMs = this.timeoutMs, to = this.channel.peer): Promise<Extract<Frame, { type: T }>> {
    let reply: Frame;
    try {
      reply = await this.channel.request(init, { to, timeoutMs, describe: `mesh ${init.type} at ${this.address}` });
    } catch (error) {
      // A call cut short by the link going away is about the mesh node, not about what it was
      // asked (an UNREACHABLE from the node itself means the target, and arrives on a live link).
      if (this.channel.link.closed && !this.closing) {
        this.linkClosed(this.channel.closeReason);
        throw this.lostError ?? error;
      }
      throw error;
    }
    if (reply.type !== expect) throw new BotzError(ErrorCode.MALFORMED_FRAME, `unexpected ${reply.type} to mesh ${init.type}`);
    return reply as Extract<Frame, { type: T }>;
  }
}

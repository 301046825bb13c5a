/**
 * The client side of the control protocol (mesh-control.ts): a link with role 'client' to a
 * mesh node's listener, to inspect and steer it. What `botz mesh ...`, `botz send --via` and
 * `botz tail --via` use.
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
import type { Body, Frame, Json } from '../wire/frames.js';
import type { MeshControlOp } from './mesh-frames.js';
import type { MeshWatchEvent } from './mesh-control.js';
import type { MeshReply } from './mesh-rpc.js';
import type { MeshStatus } from './mesh-status.js';
import type { Route } from './routing.js';

/** How long a control call waits unless told otherwise. */
export const DEFAULT_CONTROL_TIMEOUT_MS = 5_000;

export interface MeshControlClientOptions {
  /** `host:port` of the mesh node's listener. */
  address: string;
  secret: Secret;
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
    const ctx = NodeContext.create({ name: `botz-mesh-${process.pid}-${randomBytes(3).toString('hex')}`, secret: options.secret });
    let client: MeshControlClient | undefined;
    try {
      const { channel } = await Channel.connect(ctx, options.transport ?? wsTransport, options.address, {
        expect: ANY_DESTINATION,
        role: 'client',
        timeoutMs,
        handlers: {
          onFrame: (frame) => {
            if (frame.type !== 'meshTraffic') return;
            for (const w of client?.watchers ?? []) w(frame.event as unknown as MeshWatchEvent);
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

  routes(): Promise<Route[]> {
    return this.call('routes') as Promise<unknown> as Promise<Route[]>;
  }

  /** The topology as the node sees it, in graphviz. */
  async dot(): Promise<string> {
    return String(await this.call('dot'));
  }

  status(): Promise<MeshStatus> {
    return this.call('status') as Promise<unknown> as Promise<MeshStatus>;
  }

  /** Makes the node dial `address`; resolves with the name of the peer it reached. */
  async dial(address: string): Promise<string> {
    const result = (await this.call('dial', address)) as { peer: string };
    return result.peer;
  }

  /** Makes the node drop its link to a peer (by name or address). Rejects NO_ROUTE when it has none. */
  async hangup(nameOrAddress: string): Promise<void> {
    await this.call('hangup', nameOrAddress);
  }

  /** Carries a request from the node to `target` over the mesh; the reply and the paths it took. */
  send(target: string, body: Body, options: { timeoutMs?: number } = {}): Promise<MeshReply> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    // The node times the request out itself; we wait a little longer to hear why.
    return this.call('send', { target, body: body ?? null, timeoutMs }, timeoutMs + 1_000) as Promise<unknown> as Promise<MeshReply>;
  }

  /** Calls `listener` for each message the node originates, forwards or delivers, and each link change. */
  async watch(listener: (event: MeshWatchEvent) => void, options: { bodies?: boolean } = {}): Promise<() => Promise<void>> {
    this.watchers.add(listener);
    await this.call('subscribe', { bodies: options.bodies === true });
    return async () => {
      this.watchers.delete(listener);
      if (this.watchers.size === 0 && !this.channel.link.closed) await this.call('unsubscribe').catch(() => {});
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

  private async call(op: MeshControlOp, args: Json = null, timeoutMs = this.timeoutMs): Promise<Json> {
    let reply: Frame;
    try {
      reply = await this.channel.request({ type: 'meshControl', op, args }, { timeoutMs, describe: `mesh ${op} at ${this.address}` });
    } catch (error) {
      // A call cut short by the link going away is about the mesh node, not about what it was
      // asked (an UNREACHABLE from the node itself means the target, and arrives on a live link).
      if (this.channel.link.closed && !this.closing) {
        this.linkClosed(this.channel.closeReason);
        throw this.lostError ?? error;
      }
      throw error;
    }
    if (reply.type !== 'meshControlResult') throw new BotzError(ErrorCode.MALFORMED_FRAME, `unexpected ${reply.type} to mesh ${op}`);
    return reply.result;
  }
}

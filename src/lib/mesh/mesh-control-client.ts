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
import type { Body, Json } from '../wire/frames.js';
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
        },
      });
      client = new MeshControlClient(channel, options.address, timeoutMs);
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
    this.watchers.clear();
    this.channel.close(CloseCode.NORMAL, 'bye');
  }

  private async call(op: MeshControlOp, args: Json = null, timeoutMs = this.timeoutMs): Promise<Json> {
    const reply = await this.channel.request({ type: 'meshControl', op, args }, { timeoutMs, describe: `mesh ${op} at ${this.address}` });
    if (reply.type !== 'meshControlResult') throw new BotzError(ErrorCode.MALFORMED_FRAME, `unexpected ${reply.type} to mesh ${op}`);
    return reply.result;
  }
}

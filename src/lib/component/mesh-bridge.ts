/**
 * The mesh side of a Component started with `mesh: {...}`: a MeshNode beside the server link,
 * request/response over it (MeshRpc), and the control protocol for `botz mesh` (MeshControl).
 * Plugged in as a Client extension, so the Component stops it with everything else.
 */
import type { Secret } from '../channel/node-context.js';
import type { Transport } from '../transport/transport.js';
import type { Body, Frame, Json } from '../wire/frames.js';
import { MeshControl } from '../mesh/mesh-control.js';
import { MeshNode, type SendResult } from '../mesh/mesh-node.js';
import type { MeshNodeOptions } from '../mesh/mesh-options.js';
import { MeshRpc, type MeshHandler, type MeshReply } from '../mesh/mesh-rpc.js';
import type { ClientExtension } from './extension.js';
import type { HandlerLimit } from '../handler-limit.js';
import { timerDelay } from '../timer-limit.js';

/** First delay before dialing a `dial` address again that did not answer at start (doubles, capped). */
export const DEFAULT_START_DIAL_RETRY_MS = 500;
const MAX_START_DIAL_RETRY_MS = 30_000;

/** Mesh settings of a Component: the MeshNode's options (its name, secret and transport are the Component's). */
export interface MeshOptions extends Partial<Omit<MeshNodeOptions, 'name' | 'secret' | 'transport'>> {
  /** Mesh nodes (`host:port`) to link to at start and keep linked; this ignores the namespace. */
  dial?: string[];
  /** How long start waits for the first `dial` links before going on without them (they keep trying). */
  dialWaitMs?: number;
}

export interface MeshBridgeInit {
  name: string;
  secret: Secret;
  transport: Transport;
  options: MeshOptions;
  handler: MeshHandler;
  /** The owner's bound on handler calls, shared with its other ways in (default: the mesh's own). */
  handlerLimit?: HandlerLimit;
  /** Frames of other layers (reliable delivery) that arrived over the mesh. */
  onLayerFrame?: (from: string, frame: Json) => void;
  /** A mesh link to `peer` went down: layers that resend on a path change should now. */
  onLinkDown?: (peer: string) => void;
}

export class MeshBridge implements ClientExtension {
  /** The mesh claims no frames of the server or direct links: it has links of its own. */
  readonly frameTypes: readonly string[] = [];
  readonly node: MeshNode;
  private readonly rpc: MeshRpc;
  private readonly control: MeshControl;
  private readonly retries = new Set<NodeJS.Timeout>();
  private stopped = false;

  private constructor(init: MeshBridgeInit) {
    const { dial: _dial, dialWaitMs: _wait, ...rest } = init.options;
    // An option given as undefined means "the default", not "undefined over the default".
    const nodeOptions = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
    this.node = new MeshNode({ ...nodeOptions, name: init.name, secret: init.secret, transport: init.transport });
    this.rpc = new MeshRpc(this.node, init.handler, init.onLayerFrame && ((from, frame) => init.onLayerFrame!(from, frame)), init.handlerLimit);
    if (init.onLinkDown) {
      const onLinkDown = init.onLinkDown;
      this.node.on((e) => {
        if (e.type === 'linkDown') onLinkDown(e.peer);
      });
    }
    this.control = new MeshControl(this.node, this.rpc);
    this.node.serveClients(this.control);
  }

  /**
   * Starts the node and dials the `dial` addresses (waiting up to `dialWaitMs` for them). If
   * the node cannot start, everything the bridge started is closed before the error is thrown:
   * the caller never gets the bridge, so it could not close it.
   */
  static async start(init: MeshBridgeInit): Promise<MeshBridge> {
    const bridge = new MeshBridge(init);
    try {
      await bridge.node.start();
    } catch (error) {
      await bridge.close().catch(() => {});
      throw error;
    }
    const dials = (init.options.dial ?? []).map((address) => bridge.dialUntilLinked(address, DEFAULT_START_DIAL_RETRY_MS));
    if (dials.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const wait = new Promise<void>((resolve) => (timer = setTimeout(resolve, timerDelay(init.options.dialWaitMs ?? init.options.dialTimeoutMs ?? 5_000))));
      await Promise.race([Promise.all(dials), wait]);
      clearTimeout(timer);
    }
    return bridge;
  }

  /** Where the node accepts mesh links (and control links). */
  get address(): string {
    return this.node.address!;
  }

  /** A request to `target` over the mesh: its reply and both paths. Rejects NO_ROUTE, TIMEOUT, REMOTE_ERROR... */
  request(target: string, body: Body, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<MeshReply> {
    return this.rpc.request(target, body, options);
  }

  /** A one-way message to each recipient; names who was reached and who was not (and why). */
  send(recipients: readonly string[], body: Body): Promise<SendResult> {
    return this.rpc.send(recipients, body);
  }

  /** True when the mesh knows a path to `name` right now. */
  hasRoute(name: string): boolean {
    return this.node.routes().some((r) => r.destination === name);
  }

  /** Carries a frame of another layer to `peer` over the mesh (see MeshRpc.postFrame). */
  postFrame(peer: string, frame: Json): Promise<void> {
    return this.rpc.postFrame(peer, frame);
  }

  /** A one-way message to every node of the mesh; names who was reached and who was not. */
  broadcast(body: Body): Promise<SendResult> {
    return this.rpc.broadcast(body);
  }

  onFrame(_frame: Frame): void {}

  async close(): Promise<void> {
    this.stopped = true;
    for (const t of this.retries) clearTimeout(t);
    this.control.close();
    this.rpc.close();
    await this.node.stop();
  }

  /** Dials until it works (a neighbour may start after us); once linked, the node's redialer keeps it. */
  private async dialUntilLinked(address: string, delayMs: number): Promise<void> {
    if (this.stopped) return;
    try {
      await this.node.dial(address);
    } catch {
      if (this.stopped) return;
      const timer = setTimeout(() => {
        this.retries.delete(timer);
        void this.dialUntilLinked(address, Math.min(delayMs * 2, MAX_START_DIAL_RETRY_MS));
      }, delayMs);
      timer.unref?.();
      this.retries.add(timer);
    }
  }
}

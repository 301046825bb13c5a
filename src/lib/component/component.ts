/**
 * Component: a node with a name. It registers that name (with groups and metadata), accepts
 * direct links if given a port, answers requests and broadcasts with its handler, takes
 * reliable messages, heartbeats, and follows the Botica lifecycle: `ready` once its handler is
 * installed, and a confirmed answer to `shutdownRequest`. Everything a Client does, it does too:
 * both are facades over the one Node (src/lib/node/node.ts).
 *
 *   const echo = await Component.start({ server, secret, name: 'echo', port: 0, onMessage: (m) => m.body });
 */
import type { Body } from '../wire/frames.js';
import { Node } from '../node/node.js';
import type { MeshBridge } from '../node/mesh-bridge.js';
import type { Message } from '../node/message.js';
import type { CallOptions, ComponentOptions } from '../node/options.js';
import { Client } from './client.js';
import type { AcceptHandler } from '../stream/stream-hub.js';
import { REPLY_PROTOCOL } from '../stream/streamed-reply.js';
import { BotzError, ErrorCode } from '../errors.js';

/** What a component's handlers are doing (for status lines and tests). */
export interface ComponentStats {
  /** Handler calls running now: requests, broadcasts, shutdown requests, mesh messages. */
  handlersRunning: number;
  /** Calls refused since the start because a handler limit was reached (see `handlerLimits`). */
  handlersRefused: number;
}

export class Component extends Client {
  /**
   * Starts listening (if `port` is given), connects, registers and sends `ready`.
   * Throws INVALID_NAME, NAME_TAKEN, AUTH_FAILED or SERVER_UNREACHABLE.
   */
  static async start(options: ComponentOptions): Promise<Component> {
    const node = new Node(options, 'component');
    const component = new Component(node);
    await node.start();
    return component;
  }

  /** Where peers dial us, or null when we are reached through the relay. */
  get address(): string | null {
    return this.node.address;
  }

  /** The mesh part, when started with `mesh`: requests and messages over the mesh only, with their paths. */
  get mesh(): MeshBridge | undefined {
    return this.node.mesh;
  }

  /** True while the link to the server is up (a mesh component may run without it). */
  get serverConnected(): boolean {
    return this.node.serverConnected;
  }

  get stats(): ComponentStats {
    return { handlersRunning: this.node.limit.running, handlersRefused: this.node.limit.refused };
  }

  /**
   * Reliable one-way delivery: resolves when `target`'s application took the message (its
   * onMessage handler settled, its loop over `messages()` went on, or `read()` returned it),
   * end to end, over whatever path reaches it; exactly once and in order per sender, surviving
   * reconnects of either side. Waits (backpressure) while the target's window is full.
   */
  deliver(target: string, body: Body, options: CallOptions = {}): Promise<void> {
    return this.node.reliable.deliver(target, body, { timeout: options.timeout, headers: options.headers });
  }

  /**
   * Reliable messages, as the application pulls them (when no onMessage handler takes them).
   * Each is confirmed to its sender when the loop asks for the next one, or leaves.
   */
  messages(): AsyncIterableIterator<Message> {
    return this.node.reliable.messages();
  }

  /** Up to `n` reliable messages already waiting, without blocking; they are confirmed at once. */
  read(n?: number): Message[] {
    return this.node.reliable.read(n);
  }

  /**
   * Accepts streams for `protocol` (see `connect`): `handler(channel, info)` gets each one, with
   * who opened it and the headers it sent. Throwing refuses it (the opener gets REFUSED with the
   * message). Replaces an earlier handler for `protocol`; `undefined` stops accepting it.
   */
  accept(protocol: string, handler: AcceptHandler | undefined): void {
    if (protocol === REPLY_PROTOCOL) throw new BotzError(ErrorCode.INVALID_ARGUMENT, `"${REPLY_PROTOCOL}" is reserved: streamed replies are answered by the message handler`);
    this.node.streams.accept(protocol, handler);
  }

  /** Deregisters (peers are told at once) and closes every link. */
  async stop(): Promise<void> {
    await this.node.stop();
  }
}

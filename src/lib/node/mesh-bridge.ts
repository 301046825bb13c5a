/**
 * A node's mesh part (a Component started with `mesh: {...}`): its MeshNode, started and kept
 * linked to the `dial` addresses, the service it gives clients on links to it, and what a user
 * reaches through `component.mesh`: requests and one-way messages over the mesh only, with
 * the paths they took.
 */
import type { NodeContext } from '../channel/node-context.js';
import { backoffDelay } from '../backoff.js';
import type { TimerHandle } from '../clock.js';
import { MeshNode } from '../mesh/mesh-node.js';
import type { SendResult } from '../mesh/forwarder.js';
import type { MeshCallReply } from '../mesh/mesh-control-client.js';
import type { Transport } from '../transport/transport.js';
import type { Body, Headers } from '../wire/frames.js';
import { headersOf } from '../wire/values.js';
import type { Caller } from './caller.js';
import type { MeshOptions } from './options.js';
import type { Router } from './router.js';
import { withHopsAsked } from './hops.js';
import { HOPS_HEADER } from '../wire/mesh-frames.js';

/** First delay before dialing a `dial` address again that did not answer at start (backs off, capped). */
export const DEFAULT_START_DIAL_RETRY_MS = 500;
const MAX_START_DIAL_RETRY_MS = 30_000;

/** A reply over the mesh and the two paths: the request's (this node first) and the reply's (the target first). */
export type MeshReply = MeshCallReply;

export class MeshBridge {
  readonly node: MeshNode;
  private readonly retries = new Set<TimerHandle>();
  private stopped = false;

  constructor(
    private readonly ctx: NodeContext,
    transport: Transport,
    private readonly options: MeshOptions,
    /** The node's calls go through these. */
    private readonly calls: { caller: Caller; router: Router },
  ) {
    const { dial: _dial, dialWaitMs: _wait, ...rest } = options;
    // An option given as undefined means "the default", not "undefined over the default".
    const nodeOptions = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
    this.node = new MeshNode({ ...nodeOptions, encrypt: ctx.encrypt, name: ctx.name, secret: ctx.keyring, transport }, ctx);
  }

  /** Where the node accepts mesh links (and client links). */
  get address(): string {
    return this.node.address!;
  }

  /**
   * Starts the mesh node and dials the `dial` addresses, waiting up to `dialWaitMs` for them
   * (they keep trying after). A node that cannot start has closed what it started (MeshNode.start).
   */
  async start(): Promise<void> {
    await this.node.start();
    const dials = (this.options.dial ?? []).map((address) => this.dialUntilLinked(address, 0));
    if (dials.length === 0) return;
    let timer: TimerHandle | undefined;
    const wait = new Promise<void>((resolve) => (timer = this.ctx.clock.setTimeout(resolve, this.options.dialWaitMs ?? this.options.dialTimeoutMs ?? 5_000)));
    await Promise.race([Promise.all(dials), wait]);
    timer?.clear();
  }

  /** A request to `target` over the mesh: its reply and both paths. Rejects NO_ROUTE, TIMEOUT, REMOTE_ERROR... */
  async request(target: string, body: Body, options: { timeoutMs?: number; signal?: AbortSignal; headers?: Headers } = {}): Promise<MeshReply> {
    const { caller, router } = this.calls;
    const route = router.overMesh(target);
    const init = withHopsAsked({ type: 'request', body: body ?? null, ...headersOf(options.headers) });
    const answer = await caller.call(target, init, { route, timeout: options.timeoutMs, signal: options.signal });
    const reply = answer.frame.type === 'response' ? answer.frame : undefined;
    const { [HOPS_HEADER]: took, ...headers } = reply?.headers ?? {};
    return {
      body: reply ? reply.body : null,
      headers,
      // The path the request took, as its target saw it; the planned route if the target did not say.
      hops: took ? took.split('>') : route.path === 'mesh' ? route.hops : [],
      replyHops: answer.arrival.hops ?? [],
    };
  }

  /** A one-way message to each recipient; names who was reached and who was not (and why). */
  send(recipients: readonly string[], body: Body, options: { headers?: Headers } = {}): Promise<SendResult> {
    return this.node.send(recipients, body, options);
  }

  /** A one-way message to every node of the mesh; names who was reached and who was not. */
  broadcast(body: Body, options: { headers?: Headers } = {}): Promise<SendResult> {
    return this.node.broadcast(body, options);
  }

  /** True when the mesh knows a path to `name` right now. */
  hasRoute(name: string): boolean {
    return this.node.hasRoute(name);
  }

  async close(): Promise<void> {
    this.stopped = true;
    for (const t of this.retries) t.clear();
    await this.node.stop();
  }

  /** Dials until it works (a neighbour may start after us); once linked, the node's redialer keeps it. */
  private async dialUntilLinked(address: string, attempt: number): Promise<void> {
    if (this.stopped) return;
    try {
      await this.node.dial(address);
    } catch {
      if (this.stopped) return;
      const delay = backoffDelay(attempt, { baseMs: DEFAULT_START_DIAL_RETRY_MS, maxMs: MAX_START_DIAL_RETRY_MS });
      const timer = this.ctx.clock.setTimeout(() => {
        this.retries.delete(timer);
        void this.dialUntilLinked(address, attempt + 1);
      }, delay);
      timer.unref();
      this.retries.add(timer);
    }
  }
}

/**
 * Request/response over the mesh. A MeshNode only carries one-way messages with a per-hop ack;
 * this layer carries a request to its target there, and the handler's reply back to the origin
 * as a second routed message (along the target's own shortest path, which may differ).
 *
 *   origin ──meshSend{ $mesh:'request', id, body }──▶ … ──▶ target   handler(body) → reply
 *   origin ◀──meshSend{ $mesh:'response', re, body, hops }── … ◀── target
 *
 * The envelope rides in the routed body. A body whose `$mesh` key is not one of ours is an
 * ordinary message (MeshNode.send from the library) and reaches the handler as `kind: 'message'`.
 * A `frame` envelope carries a frame of another layer (reliable delivery's data/sack/resume)
 * across the mesh to the layer on the target; it never reaches the handler.
 */
import { randomBytes } from 'node:crypto';
import { BotzError, Cancelled, ErrorCode, errorFromWire, Timeout } from '../errors.js';
import type { Body, Json } from '../wire/frames.js';
import type { MeshNode, SendResult } from './mesh-node.js';
import type { MeshMiss } from './mesh-frames.js';
import { timerDelay } from '../timer-limit.js';
import { HandlerLimit } from '../handler-limit.js';

/** How long a mesh request waits for its reply unless told otherwise. */
export const DEFAULT_MESH_REQUEST_TIMEOUT_MS = 5_000;

/** A message the mesh delivered to this node's handler. */
export interface MeshMessage {
  from: string;
  body: Body;
  /** request: the return value is the reply; broadcast/message: the return value is ignored. */
  kind: 'request' | 'broadcast' | 'message';
  id: string;
  /** Every node it passed through, the origin first and this node last. */
  hops: string[];
}

export type MeshHandler = (message: MeshMessage) => Body | undefined | Promise<Body | undefined>;

/** A reply and the two paths: the request's (origin first) and the reply's (target first). */
export interface MeshReply {
  body: Body;
  hops: string[];
  replyHops: string[];
}

type Envelope =
  | { $mesh: 'request'; id: string; body: Json }
  | { $mesh: 'response'; re: string; body: Json; hops: string[] }
  | { $mesh: 'error'; re: string; code: string; message: string; hops: string[] }
  | { $mesh: 'broadcast'; id: string; body: Json }
  | { $mesh: 'frame'; frame: Json };

/** The envelope a routed body carries, or undefined for a plain message. */
export function envelopeOf(body: Body): Envelope | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const kind = (body as Record<string, Json>).$mesh;
  return kind === 'request' || kind === 'response' || kind === 'error' || kind === 'broadcast' || kind === 'frame'
    ? (body as unknown as Envelope)
    : undefined;
}

/** What a routed body is, for traffic lines: request, response, error, broadcast or message. */
export function messageKind(body: Body): 'request' | 'response' | 'error' | 'broadcast' | 'message' {
  const kind = envelopeOf(body)?.$mesh;
  return kind === undefined || kind === 'frame' ? 'message' : kind;
}

/** The error a request gets when its target was not reached: NO_ROUTE, TIMEOUT, UNREACHABLE... */
export function missError(miss: MeshMiss): BotzError {
  const code = (Object.values(ErrorCode) as string[]).includes(miss.code) ? (miss.code as ErrorCode) : ErrorCode.UNREACHABLE;
  return new BotzError(code, `the mesh could not reach "${miss.name}" (${miss.code})`, { details: { name: miss.name } });
}

interface Waiting {
  resolve(reply: MeshReply): void;
  reject(error: BotzError): void;
  timer: NodeJS.Timeout;
  /** The caller's AbortSignal and our listener on it, removed when the wait settles. */
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class MeshRpc {
  private readonly waiting = new Map<string, Waiting>();
  private readonly off: () => void;
  private readonly limit: HandlerLimit;

  constructor(
    private readonly node: MeshNode,
    private readonly handler?: MeshHandler,
    /** Receives the frames other layers carry across the mesh (see `postFrame`). */
    private readonly onLayerFrame?: (from: string, frame: Json, hops: string[]) => void,
    /**
     * Bounds the handler calls running at once (per origin and in total); a request past it is
     * answered TOO_MANY_PENDING without running. A Component passes the limit its direct and
     * relayed requests share; by default the mesh has one of its own with the default limits.
     */
    limit?: HandlerLimit,
  ) {
    this.limit = limit ?? new HandlerLimit(node.name);
    this.off = node.on((e) => {
      if (e.type === 'message') this.onMessage(e.from, e.body, e.hops, e.broadcast, e.encrypted);
    });
  }

  /**
   * Sends `body` to `target` and resolves with its handler's reply. Rejects NO_ROUTE, TIMEOUT,
   * REMOTE_ERROR..., and CANCELLED when `signal` fires first.
   */
  request(target: string, body: Body, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<MeshReply> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_MESH_REQUEST_TIMEOUT_MS;
    const { signal } = options;
    const cancelled = (): Cancelled => new Cancelled(`the request to "${target}" over the mesh was cancelled`);
    if (signal?.aborted) return Promise.reject(cancelled());
    const id = randomBytes(8).toString('base64url');
    const reply = new Promise<MeshReply>((resolve, reject) => {
      const timer = setTimeout(
        () => this.settle(id, new Timeout(`no reply from "${target}" over the mesh within ${timeoutMs} ms`, { details: { name: target, timeoutMs } })),
        // A longer timeout than a timer holds waits about 24.8 days, not 1 ms.
        timerDelay(timeoutMs),
      );
      const onAbort = signal && ((): void => this.settle(id, cancelled()));
      // Registered before sending: the reply can overtake the per-hop acks of the request.
      this.waiting.set(id, { resolve, reject, timer, signal, onAbort });
      if (onAbort) signal!.addEventListener('abort', onAbort, { once: true });
    });
    void this.node.send([target], { $mesh: 'request', id, body: body ?? null }).then(
      (result) => result.unreachable.forEach((m) => this.settle(id, missError(m))),
      (error: BotzError) => this.settle(id, error),
    );
    return reply;
  }

  /**
   * Carries another layer's frame to `target`; resolves once the target's node acknowledged it.
   * Rejects with why it could not (NO_ROUTE, TIMEOUT, UNREACHABLE...).
   */
  async postFrame(target: string, frame: Json): Promise<void> {
    const result = await this.node.send([target], { $mesh: 'frame', frame });
    if (result.unreachable.length > 0) throw missError(result.unreachable[0]);
  }

  /** A one-way message to each of `recipients`; says who was reached and who was not. */
  send(recipients: readonly string[], body: Body): Promise<SendResult> {
    return this.node.send(recipients, { $mesh: 'broadcast', id: randomBytes(8).toString('base64url'), body: body ?? null });
  }

  /** A one-way message to every node of the mesh; says who was reached and who was not. */
  broadcast(body: Body): Promise<SendResult> {
    return this.node.broadcast({ $mesh: 'broadcast', id: randomBytes(8).toString('base64url'), body: body ?? null });
  }

  /** Stops listening; waiting requests fail with CLOSED. */
  close(): void {
    this.off();
    for (const id of [...this.waiting.keys()]) this.settle(id, new BotzError(ErrorCode.CLOSED, 'the mesh node stopped'));
  }

  private settle(id: string, outcome: MeshReply | BotzError): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    clearTimeout(w.timer);
    if (w.onAbort) w.signal!.removeEventListener('abort', w.onAbort);
    if (outcome instanceof BotzError) w.reject(outcome);
    else w.resolve(outcome);
  }

  private onMessage(from: string, body: Body, hops: string[], broadcast: boolean, encrypted: boolean): void {
    const env = envelopeOf(body);
    switch (env?.$mesh) {
      case 'response':
        return this.settle(env.re, { body: env.body, hops: env.hops, replyHops: hops });
      case 'error':
        return this.settle(env.re, errorFromWire(env.code, env.message, { from, hops: env.hops }));
      case 'request':
        return void this.answer(from, env.id, env.body, hops, encrypted);
      case 'broadcast':
        return void this.run({ from, body: env.body, kind: 'broadcast', id: env.id, hops }).catch(() => {});
      case 'frame':
        return this.onLayerFrame?.(from, env.frame, hops);
      default:
        return void this.run({ from, body, kind: broadcast ? 'broadcast' : 'message', id: '-', hops }).catch(() => {});
    }
  }

  /** Rejects TOO_MANY_PENDING without running the handler when the limit is reached. */
  private async run(message: MeshMessage): Promise<Body | undefined> {
    const handler = this.handler;
    if (!handler) throw new BotzError(ErrorCode.REMOTE_ERROR, `"${this.node.name}" has no message handler`);
    return this.limit.run(message.from, () => handler(message));
  }

  /** Runs the handler and routes its reply back, encrypted if the request came encrypted. */
  private async answer(from: string, id: string, body: Json, hops: string[], encrypted: boolean): Promise<void> {
    let reply: Envelope;
    try {
      const out = await this.run({ from, body, kind: 'request', id, hops });
      reply = { $mesh: 'response', re: id, body: out ?? null, hops };
    } catch (error) {
      const code = error instanceof BotzError ? error.code : ErrorCode.REMOTE_ERROR;
      reply = { $mesh: 'error', re: id, code, message: error instanceof Error ? error.message : String(error), hops };
    }
    // A reply that cannot travel back is the origin's timeout: nobody else is waiting for it.
    await this.node.send([from], reply, { encrypt: encrypted }).catch(() => {});
  }
}

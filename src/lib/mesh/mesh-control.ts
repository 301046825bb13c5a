/**
 * The node side of the control protocol: answers `meshControl` frames from client links (the
 * CLI) with `meshControlResult` (or `error`), and pushes `meshTraffic` to subscribers.
 *
 *   op           args                              result
 *   routes       null                              Route[]
 *   dot          null                              string (graphviz)
 *   status       null                              MeshStatus
 *   dial         "host:port"                       { peer }
 *   hangup       "name" | "host:port"              { hungUp }     (NO_ROUTE when no such link)
 *   send         { target, body, timeoutMs? }      MeshReply      (errors as the request failed)
 *   subscribe    { bodies? }                       {}             then meshTraffic frames
 *   unsubscribe  null                              {}
 */
import { BotzError, ErrorCode, isBotzError } from '../errors.js';
import type { Channel } from '../channel/channel.js';
import type { Body, Frame, Json } from '../wire/frames.js';
import type { MeshControlFrame } from './mesh-frames.js';
import type { MeshClientHandler, MeshEvent, MeshNode } from './mesh-node.js';
import { messageKind, type MeshRpc } from './mesh-rpc.js';

/** What a subscriber is told: each routed message seen here, and each link change. */
export type MeshWatchEvent =
  | {
      type: 'traffic';
      at: number;
      /** The node that reported it. */
      node: string;
      action: 'originate' | 'forward' | 'deliver';
      kind: 'request' | 'response' | 'error' | 'broadcast' | 'message';
      origin: string;
      recipients: string[];
      /** The path so far: origin first, the reporting node last. */
      hops: string[];
      size: number;
      /** On a response or error: the path its request took. */
      requestHops?: string[];
      body?: Body;
    }
  | { type: 'linkUp'; at: number; node: string; peer: string; address: string }
  | { type: 'linkDown'; at: number; node: string; peer: string; code: string };

export class MeshControl implements MeshClientHandler {
  /** Subscribed client links, and whether each wants bodies. */
  private readonly subscribers = new Map<Channel, { bodies: boolean }>();
  private off: (() => void) | undefined;

  constructor(
    private readonly node: MeshNode,
    private readonly rpc: MeshRpc,
  ) {}

  onFrame(frame: Frame, ch: Channel): void {
    if (frame.type !== 'meshControl') return;
    this.handle(frame, ch).then(
      (result) => ch.answer(frame, { type: 'meshControlResult', re: frame.id, result }, ch.peer),
      (error: unknown) => {
        const code = isBotzError(error) ? error.code : ErrorCode.INVALID_ARGUMENT;
        const message = error instanceof Error ? error.message : String(error);
        ch.answer(frame, { type: 'error', re: frame.id, code, message }, ch.peer);
      },
    );
  }

  onClose(ch: Channel): void {
    this.unsubscribe(ch);
  }

  /** Stops pushing events. */
  close(): void {
    this.off?.();
    this.off = undefined;
    this.subscribers.clear();
  }

  private async handle(frame: MeshControlFrame, ch: Channel): Promise<Body> {
    const args = frame.args;
    switch (frame.op) {
      case 'routes':
        return this.node.routes() as unknown as Json;
      case 'dot':
        return this.node.dot();
      case 'status':
        return this.node.status() as unknown as Json;
      case 'dial':
        return { peer: await this.node.dial(text(args, 'an address to dial')) };
      case 'hangup': {
        const which = text(args, 'a peer name or address');
        if (!this.node.hangup(which)) {
          throw new BotzError(ErrorCode.NO_ROUTE, `${this.node.name} has no link to ${which}`, { details: { name: which } });
        }
        return { hungUp: which };
      }
      case 'send': {
        const a = object(args);
        const target = text(a.target, 'a target name');
        const timeoutMs = typeof a.timeoutMs === 'number' && a.timeoutMs > 0 ? a.timeoutMs : undefined;
        return (await this.rpc.request(target, a.body ?? null, { timeoutMs })) as unknown as Json;
      }
      case 'subscribe':
        this.subscribe(ch, object(args).bodies === true);
        return {};
      case 'unsubscribe':
        this.unsubscribe(ch);
        return {};
    }
  }

  private subscribe(ch: Channel, bodies: boolean): void {
    this.subscribers.set(ch, { bodies });
    this.off ??= this.node.on((e) => this.push(e));
  }

  private unsubscribe(ch: Channel): void {
    this.subscribers.delete(ch);
    // Nobody watching: the node stops building traffic events at all.
    if (this.subscribers.size === 0) this.close();
  }

  private push(e: MeshEvent): void {
    const node = this.node.name;
    for (const [ch, { bodies }] of this.subscribers) {
      let event: MeshWatchEvent;
      switch (e.type) {
        case 'message':
          continue; // reported as a 'deliver' traffic event
        case 'topology':
          continue; // internal: watchers see the link changes that caused it
        case 'linkUp':
          event = { type: 'linkUp', at: Date.now(), node, peer: e.peer, address: e.address };
          break;
        case 'linkDown':
          event = { type: 'linkDown', at: Date.now(), node, peer: e.peer, code: e.code };
          break;
        case 'traffic': {
          const inner = envelopeBody(e.body);
          const requestHops = object(e.body).hops;
          event = {
            type: 'traffic',
            at: e.at,
            node,
            action: e.action,
            kind: messageKind(e.body),
            origin: e.origin,
            recipients: e.recipients,
            hops: e.hops,
            size: jsonSize(e.body),
            ...(Array.isArray(requestHops) ? { requestHops: requestHops as string[] } : {}),
            ...(bodies ? { body: inner } : {}),
          };
          break;
        }
      }
      try {
        ch.send({ type: 'meshTraffic', event: event as unknown as Record<string, Json> }, ch.peer);
      } catch {
        // An event too large for a packet (a huge body) is skipped, not fatal to the node.
      }
    }
  }
}

function text(value: Body | undefined, what: string): string {
  if (typeof value !== 'string' || value === '') throw new BotzError(ErrorCode.INVALID_ARGUMENT, `expected ${what}`);
  return value;
}

function object(value: Body): Record<string, Json> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  return value;
}

/** The application's body inside an envelope, or the body itself. */
function envelopeBody(body: Body): Body {
  const o = object(body);
  return typeof o.$mesh === 'string' && 'body' in o ? o.body : body;
}

function jsonSize(value: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '');
  } catch {
    return 0;
  }
}

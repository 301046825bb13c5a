/**
 * What a node's mesh node does for the clients on links to it (the CLI's `botz mesh ...`,
 * `send --via`, `tail --via`), with the same typed frames a server answers:
 *
 *   meshQuery {what}            ──▶ meshInfo {routes | dot | status}
 *   meshDial {address}          ──▶ meshDialed {peer}
 *   meshHangup {peer}           ──▶ ack, or error NO_ROUTE
 *   subscribe {topics:[traffic]}──▶ ack, then trace events of the traffic this node sees
 *   a packet addressed elsewhere──▶ carried over the mesh as this node's own call; its answer
 *                                   goes back to the client, with the paths in `botz-hops`
 *                                   and `botz-reply-hops` headers
 *   anything else               ──▶ the node's inbound dispatch (a request to this node itself)
 */
import { BotzError, ErrorCode } from '../errors.js';
import type { Channel } from '../channel/channel.js';
import type { Clock } from '../clock.js';
import { HOPS_HEADER, REPLY_HOPS_HEADER } from '../wire/mesh-frames.js';
import { withHopsAsked } from './hops.js';
import type { MeshNode } from '../mesh/mesh-node.js';
import type { MeshClientHandler } from '../mesh/mesh-links.js';
import type { MeshTrace } from '../mesh/forwarder.js';
import type { MeshEvent } from '../mesh/mesh-status.js';
import { TrafficHub } from '../registry/traffic-hub.js';
import { decodeVerified, type PacketHeader, type VerifiedPacket } from '../wire/packet.js';
import { errorReply, type Frame, type FrameInit, type LinkChange, type TrafficEvent } from '../wire/frames.js';
import type { CarriedFrame } from '../wire/mesh-frames.js';
import { jsonSize } from './call-trace.js';
import { answerRefusal } from './peer-credential.js';
import type { Caller } from './caller.js';
import type { Inbound } from './inbound.js';
import type { Router } from './router.js';

export interface MeshServiceDeps {
  mesh: MeshNode;
  clock: Clock;
  caller: Caller;
  router: Router;
  inbound: Inbound;
}

export class MeshService implements MeshClientHandler {
  private readonly hub: TrafficHub;
  private unwatch: (() => void) | undefined;

  constructor(private readonly deps: MeshServiceDeps) {
    this.hub = new TrafficHub({
      owner: `mesh node ${deps.mesh.name}`,
      now: () => deps.clock.now(),
      // Nobody tails: the mesh node builds no traffic events at all.
      setTracing: (on) => {
        if (on) this.unwatch ??= deps.mesh.on((e) => this.observe(e));
        else this.stop();
      },
    });
  }

  onFrame(frame: Frame, ch: Channel, header: PacketHeader): void {
    const answer = (init: FrameInit): void => ch.answer(frame, init);
    const refuse = (error: unknown): void => answer(errorReply(frame.id, error, ErrorCode.INVALID_ARGUMENT));
    const grant = ch.identity?.grant;
    if (grant && (frame.type !== 'meshQuery' || !grant.permissions.list)) return this.forbidden(frame, ch);
    const { mesh } = this.deps;
    switch (frame.type) {
      case 'meshQuery':
        if (frame.what === 'routes') return answer({ type: 'meshInfo', re: frame.id, routes: mesh.routes() });
        if (frame.what === 'dot') return answer({ type: 'meshInfo', re: frame.id, dot: mesh.dot() });
        return answer({ type: 'meshInfo', re: frame.id, status: mesh.status() as unknown as Record<string, unknown> });
      case 'meshDial':
        return void mesh.dial(frame.address).then((peer) => answer({ type: 'meshDialed', re: frame.id, peer }), refuse);
      case 'meshHangup':
        if (mesh.hangup(frame.peer)) return answer({ type: 'ack', re: frame.id });
        return refuse(new BotzError(ErrorCode.NO_ROUTE, `${mesh.name} has no link to ${frame.peer}`, { details: { name: frame.peer } }));
      case 'subscribe':
        try {
          if (frame.topics.includes('traffic')) this.hub.add(ch, frame.names ?? [], frame.bodies === true);
        } catch (error) {
          return refuse(error);
        }
        return answer({ type: 'ack', re: frame.id });
      case 'unsubscribe':
        if (frame.topics.includes('traffic')) this.hub.remove(ch);
        return answer({ type: 'ack', re: frame.id });
      default:
        this.deps.inbound.receive(frame, { path: 'direct', channel: ch, encrypted: header.encrypted });
    }
  }

  /** A client's packet for another node: each frame that asks for an answer becomes our call over the mesh. */
  onForward(verified: VerifiedPacket, bytes: Buffer, ch: Channel): void {
    let frames: Frame[];
    try {
      frames = decodeVerified(bytes, verified);
    } catch {
      return;
    }
    const target = verified.header.to;
    for (const frame of frames) {
      if (ch.identity?.grant) this.forbidden(frame, ch);
      else void this.proxy(frame, target, ch);
    }
  }

  /**
   * A credential client's link (a credential mesh node's) only looks: the node's routes, graph and
   * status, if its grant has `list`. Anything else would have the node dial, hang up, tail, or send in its own name for
   * whoever holds some credential of its issuer: refused, counted, and answered FORBIDDEN.
   */
  private forbidden(frame: Frame, ch: Channel): void {
    const grant = ch.identity!.grant!;
    const error = new BotzError(ErrorCode.FORBIDDEN, frame.type === 'meshQuery' ? `the credential of "${grant.name}" does not allow list: it may not query mesh node ${this.deps.mesh.name}` : `a credential's control link to mesh node ${this.deps.mesh.name} may only query it (meshQuery with list), not send ${frame.type}`, { details: { credential: grant.id, name: grant.name } });
    answerRefusal(this.deps.mesh.ctx, error, frame, { remote: ch.link.remoteAddress, peer: grant.name }, (f, init) => ch.answer(f, init));
  }

  onClose(ch: Channel): void {
    this.hub.remove(ch);
  }

  stop(): void {
    this.unwatch?.();
    this.unwatch = undefined;
  }

  private async proxy(frame: Frame, target: string, ch: Channel): Promise<void> {
    const { caller, router, mesh } = this.deps;
    const { v: _v, id: _id, from: _from, ...init } = frame;
    if (frame.type === 'message') return void mesh.carry([target], [mesh.ctx.stamp(init as FrameInit) as unknown as CarriedFrame]).catch(() => {});
    if (frame.type !== 'request' && frame.type !== 'broadcast' && frame.type !== 'shutdownRequest') return;
    const ttl = frame.type === 'request' ? frame.ttl : undefined;
    try {
      const route = router.overMesh(target);
      const asked = frame.type === 'request' ? withHopsAsked(init as FrameInit) : (init as FrameInit);
      const answer = await caller.call(target, asked, { route, ...(ttl ? { timeout: ttl } : {}) });
      const { v: _av, id: _aid, from: _afrom, ...reply } = answer.frame;
      const replied = (reply as { headers?: Record<string, string> }).headers ?? {};
      // The path the request took, as its target saw it; the planned route if the target did not say.
      const hops = { [HOPS_HEADER]: replied[HOPS_HEADER] ?? (route.path === 'mesh' ? route.hops.join('>') : ''), [REPLY_HOPS_HEADER]: (answer.arrival.hops ?? []).join('>') };
      const headers = { ...replied, ...hops };
      ch.answer(frame, { ...(reply as FrameInit), re: frame.id, ...(reply.type === 'response' ? { headers } : {}) } as FrameInit);
    } catch (error) {
      ch.answer(frame, errorReply(frame.id, error, ErrorCode.UNREACHABLE));
    }
  }

  /** What the mesh node saw, for the tails of it. */
  private observe(e: MeshEvent): void {
    const node = this.deps.mesh.name;
    const at = this.deps.clock.now();
    if (e.type === 'linkUp' || e.type === 'linkDown') {
      const change: LinkChange = { at, kind: 'link', node, peer: e.peer, change: e.type === 'linkUp' ? 'up' : 'down', ...(e.type === 'linkUp' ? { address: e.address } : { code: e.code }) };
      this.hub.publish(change);
      return;
    }
    if (e.type !== 'traffic') return;
    for (const event of trafficEvents(e, node, at, this.deps.mesh)) this.hub.publish(event);
  }
}

const KINDS = new Set(['request', 'response', 'broadcast', 'ack', 'error', 'message', 'shutdownRequest', 'shutdownResponse']);

/** One traffic event per carried frame of what the mesh node did (reliable frames count as messages). */
function trafficEvents(t: MeshTrace & { at: number }, node: string, at: number, mesh: MeshNode): TrafficEvent[] {
  const to = t.recipients.length === 1 ? t.recipients[0] : t.recipients.join(',');
  return t.frames.map((f) => {
    const kind = (KINDS.has(f.type) ? f.type : 'message') as TrafficEvent['kind'];
    const re = typeof f.re === 'string' ? { re: f.re } : {};
    const route = t.action === 'originate' && t.recipients.length === 1 ? mesh.route(t.recipients[0])?.path : undefined;
    return {
      at,
      from: f.from,
      to,
      kind,
      id: f.id,
      ...re,
      size: jsonSize(f),
      path: 'mesh',
      hops: t.hops,
      ...(route ? { route } : {}),
      action: t.action,
      node,
      ...(f.headers ? { headers: f.headers } : {}),
      ...('body' in f ? { body: f.body as TrafficEvent['body'] } : {}),
    };
  });
}

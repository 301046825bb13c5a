/**
 * Routed delivery: carries frames (ordinary botz frames, stamped once by their origin) to their
 * recipients: one copy per next hop, each copy waiting for its per-hop ack, the answers merged
 * into one result naming every recipient as reached or unreachable (with a code). The same code
 * runs at the origin and at each relay.
 *
 * Guards on every copy: a hop limit (counted from the origin), and the visited path — a node
 * never hands a copy to a node already on its path, and refuses a copy whose path holds it.
 *
 * Time budget: a copy going n more hops gets ackTimeoutMs × n at the origin. A relay gives
 * its own onward copy (going d hops) d/(d+1) of what it was given, so its ack always leaves
 * before its sender's timer fires, and a slow far hop is reported as TIMEOUT by the hop
 * before it instead of the whole copy being lost.
 */
import { ErrorCode, isBotzError } from '../errors.js';
import type { Channel } from '../channel/channel.js';
import type { Frame } from '../wire/frames.js';
import type { CarriedFrame, MeshMiss, MeshSendFrame } from '../wire/mesh-frames.js';
import { splitByNextHop, type Routes } from './routing.js';
import type { Grant } from '../identity/grant.js';

/** Frames carried to this node. */
export interface MeshDelivery {
  /** The node that sent them. */
  origin: string;
  frames: CarriedFrame[];
  /** Every node they passed through, the origin first and this node last. */
  hops: string[];
  broadcast: boolean;
  /** They travelled encrypted (on the last hop, and so, by the rule below, on every hop): answer them encrypted. */
  encrypted: boolean;
  /** At a credential node: the grant the origin proved by sealing them (sealing.ts); its permissions still apply. */
  grant?: Grant;
}

/** Who a send reached, and who not and why (`code` is an ErrorCode such as NO_ROUTE or TIMEOUT). */
export interface SendResult {
  reached: string[];
  unreachable: MeshMiss[];
}

export interface ForwarderDeps {
  routes(): Routes;
  /** The channel to a neighbour, if linked. */
  channel(peer: string): Channel | undefined;
  deliver(delivery: MeshDelivery): void;
  /** Every message this node originates, passes on or delivers (for `botz tail --via`). */
  trace?(event: MeshTrace): void;
  options: { hopLimit: number; ackTimeoutMs: number };
}

/** One observation of routed frames at this node. */
export interface MeshTrace extends Omit<MeshDelivery, 'encrypted'> {
  /** originate: this node sent them; forward: it passed a copy on; deliver: they were for this node. */
  action: 'originate' | 'forward' | 'deliver';
  /** The recipients of this copy (for a forward: those it handed on to one next hop). */
  recipients: string[];
}

type Copy = Omit<MeshSendFrame, 'v' | 'id' | 'from' | 'type' | 'ttl'>;

export class Forwarder {
  readonly counters = { sent: 0, delivered: 0, forwarded: 0, unreachable: 0 };

  constructor(
    readonly self: string,
    private readonly deps: ForwarderDeps,
  ) {}

  /**
   * A new message from this node. With `encrypt`, every copy travels encrypted on every hop,
   * whatever each link negotiated (each hop forwards an encrypted copy encrypted).
   */
  originate(recipients: readonly string[], frames: CarriedFrame[], broadcast: boolean, encrypt = false): Promise<SendResult> {
    this.counters.sent++;
    const copy: Copy = { origin: this.self, recipients: [...recipients], path: [this.self], hopLimit: this.deps.options.hopLimit, broadcast, frames };
    this.deps.trace?.({ action: 'originate', origin: this.self, recipients: copy.recipients, hops: copy.path, broadcast, frames });
    return this.dispatch(copy, undefined, encrypt);
  }

  /** A copy a neighbour handed us (`encrypted`: in an encrypted packet): deliver our part, pass the rest on, answer for all of it. */
  async relay(frame: MeshSendFrame, encrypted = false): Promise<SendResult> {
    if (frame.path.includes(this.self)) {
      return this.miss({ reached: [], unreachable: [] }, frame.recipients, ErrorCode.NO_ROUTE);
    }
    const { v: _v, id: _id, from: _from, type: _type, ttl: _ttl, ...fields } = frame;
    const copy: Copy = { ...fields, path: [...frame.path, this.self] };
    return this.dispatch(copy, frame.ttl, encrypted);
  }

  private async dispatch(copy: Copy, ttlIn: number | undefined, encrypt: boolean): Promise<SendResult> {
    const result: SendResult = { reached: [], unreachable: [] };
    const recipients = [...new Set(copy.recipients)];
    if (recipients.includes(this.self)) {
      this.counters.delivered++;
      result.reached.push(this.self);
      this.deps.deliver({ origin: copy.origin, frames: copy.frames, hops: copy.path, broadcast: copy.broadcast, encrypted: encrypt });
      this.deps.trace?.({ action: 'deliver', origin: copy.origin, recipients: [this.self], hops: copy.path, broadcast: copy.broadcast, frames: copy.frames });
    }
    const routes = this.deps.routes();
    const hopsSoFar = copy.path.length - 1;
    const split = splitByNextHop(recipients.filter((r) => r !== this.self), routes);
    this.miss(result, split.unreachable, ErrorCode.NO_ROUTE);
    const waits: Promise<void>[] = [];
    for (const [hop, names] of split.byNextHop) {
      const tooFar = names.filter((n) => hopsSoFar + routes.get(n)!.hops > copy.hopLimit);
      this.miss(result, tooFar, ErrorCode.NO_ROUTE);
      const go = names.filter((n) => !tooFar.includes(n));
      if (go.length === 0) continue;
      const channel = this.deps.channel(hop);
      // A route through a node the copy already visited would be a loop (tables out of step).
      if (copy.path.includes(hop)) this.miss(result, go, ErrorCode.NO_ROUTE);
      else if (!channel) this.miss(result, go, ErrorCode.UNREACHABLE);
      else waits.push(this.hand(channel, copy, go, Math.max(...go.map((n) => routes.get(n)!.hops)), ttlIn, result, encrypt));
    }
    await Promise.all(waits);
    result.reached.sort();
    result.unreachable.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return result;
  }

  private async hand(channel: Channel, copy: Copy, names: string[], depth: number, ttlIn: number | undefined, result: SendResult, encrypt: boolean): Promise<void> {
    const { ackTimeoutMs } = this.deps.options;
    const ttl = ttlIn === undefined ? ackTimeoutMs * depth : Math.max(1, Math.floor((ttlIn * depth) / (depth + 1)));
    if (ttlIn !== undefined) {
      this.counters.forwarded++;
      this.deps.trace?.({ action: 'forward', origin: copy.origin, recipients: names, hops: copy.path, broadcast: copy.broadcast, frames: copy.frames });
    }
    let ack: Frame;
    try {
      ack = await channel.request({ type: 'meshSend', ...copy, recipients: names, ttl }, { timeoutMs: ttl, describe: `mesh copy for ${names.join(', ')} via ${channel.peer}`, encrypt });
    } catch (error) {
      this.miss(result, names, isBotzError(error) ? error.code : ErrorCode.UNREACHABLE);
      return;
    }
    if (ack.type !== 'meshAck') {
      this.miss(result, names, ErrorCode.MALFORMED_FRAME);
      return;
    }
    // Only names of this copy count: a hop cannot claim recipients it was not given.
    for (const name of names) {
      if (ack.reached.includes(name)) result.reached.push(name);
      else result.unreachable.push({ name, code: ack.unreachable.find((m) => m.name === name)?.code ?? ErrorCode.UNREACHABLE });
    }
    this.counters.unreachable += names.filter((n) => !ack.reached.includes(n)).length;
  }

  private miss(result: SendResult, names: readonly string[], code: string): SendResult {
    for (const name of names) result.unreachable.push({ name, code });
    this.counters.unreachable += names.length;
    return result;
  }
}

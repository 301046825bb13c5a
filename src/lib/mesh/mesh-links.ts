/**
 * The links of a mesh node: dialing and accepting them, installing each once the other end
 * names itself, keeping one of two links to the same peer, closing them, hangup and redial.
 * Announcements and routing are not decided here (announcer.ts, forwarder.ts): this module
 * only tells the announcer when a link comes or goes, and hands on the frames of a link.
 *
 * A link comes up in two steps, because a dialer does not know the listener's name:
 *
 *   dialer                                   listener
 *     | == hello / welcome (channel.ts) ====== |
 *     | -- msa (own) ------------------------> |  first frame: link installed, `linkUp`
 *     | <------------ msa × every held state -- |
 *     | -- msa × every held state -----------> |  (dialer installed on the first frame back)
 */
import { randomBytes } from 'node:crypto';
import { BotzError, Closed, ErrorCode, Timeout } from '../errors.js';
import { Channel } from '../channel/channel.js';
import type { NodeContext } from '../channel/node-context.js';
import { ANY_DESTINATION } from '../wire/packet.js';
import type { Frame, HelloFrame } from '../wire/frames.js';
import type { PacketHeader, VerifiedPacket } from '../wire/packet.js';
import { CloseCode, type Link } from '../transport/transport.js';
import { CONTROL_LINK as CONTROL, linkState as state, preferLink, type LinkState } from './link-choice.js';
import type { ResolvedMeshOptions } from './mesh-options.js';
import type { MeshEvent } from './mesh-status.js';
import type { Announcer } from './announcer.js';
import { Redialer } from './redialer.js';

/** Who answers the frames of client links (see node/mesh-service.ts). */
export interface MeshClientHandler {
  onFrame(frame: Frame, channel: Channel, header: PacketHeader): void;
  /** A client's packet addressed to another node (what `botz send --via` sends): the node carries it on. */
  onForward(verified: VerifiedPacket, bytes: Buffer, channel: Channel): void;
  onClose(channel: Channel): void;
}

export interface MeshLinksDeps {
  name: string;
  ctx: NodeContext;
  options: Pick<ResolvedMeshOptions, 'transport' | 'dialTimeoutMs' | 'redialMs' | 'clock' | 'connectionLimits'>;
  /** Told when links come and go; sends this node's state to a link being set up. */
  announcer: Pick<Announcer, 'announce' | 'scheduleAnnounce' | 'sendDatabase' | 'sendOwn'>;
  /** Who answers client links now; undefined refuses them. */
  clients(): MeshClientHandler | undefined;
  /** A frame on an installed mesh link. */
  onFrame(frame: Frame, ch: Channel): void;
  /** `linkUp` and `linkDown`. */
  emit(event: MeshEvent): void;
}

export class MeshLinks {
  private readonly installed = new Map<string, Channel>();
  /** The installed link to each neighbour, by name: only this class changes it. */
  readonly peers: ReadonlyMap<string, Channel> = this.installed;
  private readonly channels = new Set<Channel>();
  private readonly dialing = new Map<string, Promise<string>>();
  private readonly redialer: Redialer;
  private stopped = false;

  constructor(private readonly deps: MeshLinksDeps) {
    this.redialer = new Redialer({
      dial: (address) => this.link(address, true),
      baseDelayMs: deps.options.redialMs,
      maxDelayMs: deps.options.redialMs * 32,
      clock: deps.options.clock,
    });
  }

  /**
   * Links to the mesh node at `address` and resolves with its name once both ends exchanged
   * their state. Idempotent: dialing an address already linked (or being dialed) gives the
   * same peer. With `keep`, the address is dialed again whenever its link drops.
   */
  link(address: string, keep: boolean): Promise<string> {
    if (this.stopped) return Promise.reject(new Closed(`mesh node ${this.deps.name} was stopped`));
    let pending = this.dialing.get(address);
    for (const [peer, ch] of this.peers) if (state(ch).address === address) pending = Promise.resolve(peer);
    if (!pending) {
      pending = this.connect(address).finally(() => this.dialing.delete(address));
      this.dialing.set(address, pending);
    }
    // A dialed peer is kept: if the link drops, it is dialed again (see redialer.ts).
    if (keep) pending.then((peer) => this.redialer.add(address, peer), () => {});
    return pending;
  }

  /** Drops the link to a peer named `nameOrAddress` or at that address, for good. False when none. */
  hangup(nameOrAddress: string): boolean {
    this.redialer.remove(nameOrAddress);
    const ch =
      this.peers.get(nameOrAddress) ??
      [...this.peers.values()].find((c) => state(c).address === nameOrAddress || c.link.remoteAddress === nameOrAddress);
    if (!ch) return false;
    this.redialer.remove(ch.peer);
    ch.close(CloseCode.NORMAL, 'hangup');
    return true;
  }

  /** Stops redialing and closes every link, mesh or client. */
  stop(): void {
    this.stopped = true;
    this.redialer.stop();
    for (const ch of [...this.channels]) ch.close(CloseCode.GOING_AWAY, 'mesh node stopping');
  }

  /** Takes a link accepted by the node's listener. */
  accept(link: Link): void {
    if (this.stopped) return link.close(CloseCode.GOING_AWAY, 'mesh node stopping');
    const { name } = this.deps;
    const decide = (hello: HelloFrame, ch: Channel) => {
      if (hello.from === name) throw new BotzError(ErrorCode.INVALID_NAME, `a peer claims our own name "${name}"`);
      if (hello.role === 'client') {
        // A credential client may only look (meshQuery, with `list`; mesh-service.ts answers the rest FORBIDDEN).
        if (!this.deps.clients()) throw new BotzError(ErrorCode.INVALID_ARGUMENT, `mesh node ${name} takes no control links`);
        ch.tag = CONTROL;
        return { session: 'control' };
      }
      const token = randomBytes(9).toString('base64url');
      ch.tag = { dialer: hello.from, token, address: link.remoteAddress, dialed: false, installed: false, since: 0 } satisfies LinkState;
      // A dialer sends its state at once (see dial): a link that stays silent is broken, or
      // somebody holding the secret opening links to hold them. As the dialer gives up on us.
      this.deps.options.clock
        .setTimeout(() => {
          if (!state(ch).installed && !ch.link.closed) ch.close(CloseCode.PROTOCOL_ERROR, 'no mesh state received');
        }, this.deps.options.dialTimeoutMs)
        .unref();
      return { session: token };
    };
    this.channels.add(Channel.accept(this.deps.ctx, link, decide, this.handlers(), this.deps.options.connectionLimits.handshakeTimeoutMs));
  }

  private handlers() {
    return {
      onFrame: (frame: Frame, ch: Channel, header: PacketHeader) => this.onFrame(frame, ch, header),
      // Only a client link may address another node through us: a mesh link carries meshSend.
      onForward: (verified: VerifiedPacket, bytes: Buffer, ch: Channel) => {
        if (ch.tag === CONTROL) this.deps.clients()?.onForward(verified, bytes, ch);
        else this.deps.ctx.reject({ error: new BotzError(ErrorCode.NO_SUCH_COMPONENT, `a mesh link addressed "${verified.header.to}" directly`), remote: ch.link.remoteAddress, peer: ch.peer });
      },
      onClose: (ch: Channel, error: BotzError) => this.onClose(ch, error),
    };
  }

  private async connect(address: string): Promise<string> {
    const { name, ctx, options } = this.deps;
    const { channel: ch, session } = await Channel.connect(ctx, options.transport, address, {
      expect: ANY_DESTINATION,
      role: 'peer',
      timeoutMs: options.dialTimeoutMs,
      handlers: this.handlers(),
    });
    if (this.stopped) {
      ch.close(CloseCode.GOING_AWAY, 'mesh node stopping');
      throw new Closed(`mesh node ${name} was stopped`);
    }
    this.channels.add(ch);
    const installed = new Promise<string>((resolve, reject) => {
      ch.tag = { dialer: name, token: session, address, dialed: true, installed: false, since: 0, waiter: { resolve, reject } } satisfies LinkState;
    });
    // Our own state makes the listener install the link and answer with everything it knows.
    this.deps.announcer.sendOwn(ch);
    const timer = options.clock.setTimeout(() => {
      if (!state(ch).installed) {
        state(ch).waiter?.reject(new Timeout(`${address} did not answer as a mesh node within ${options.dialTimeoutMs} ms`, { details: { timeoutMs: options.dialTimeoutMs } }));
        ch.close(CloseCode.PROTOCOL_ERROR, 'no mesh state received');
      }
    }, options.dialTimeoutMs);
    return installed.finally(() => timer.clear());
  }

  /** The first frame from the other end names it: the link is up. */
  private install(ch: Channel, peer: string): void {
    const s = state(ch);
    s.installed = true;
    s.since = this.deps.options.clock.now();
    ch.peer = peer;
    if (peer === this.deps.name) {
      ch.close(CloseCode.PROTOCOL_ERROR, 'a mesh node cannot link to itself');
      return s.waiter?.reject(new BotzError(ErrorCode.INVALID_ARGUMENT, `${s.address} is this node`));
    }
    const current = this.peers.get(peer);
    // The dial succeeded whichever link survives: settle it before a close could reject it.
    s.waiter?.resolve(peer);
    if (current && preferLink(state(current), s)) return this.retire(ch);
    this.installed.set(peer, ch);
    if (current) this.retire(current);
    this.deps.announcer.sendDatabase(ch);
    if (!current) {
      this.deps.emit({ type: 'linkUp', peer, address: s.address });
      this.deps.announcer.scheduleAnnounce();
    }
  }

  /**
   * Lets go of the losing one of two links to one peer. Only its dialer closes it: the
   * listener may not have told the dialer its name yet, and a close can overtake what was
   * sent just before it. The listener sends its state so the dialer learns who it reached.
   */
  private retire(ch: Channel): void {
    if (state(ch).dialed) return ch.close(CloseCode.NORMAL, 'duplicate link');
    this.deps.announcer.sendOwn(ch);
  }

  private onClose(ch: Channel, error: BotzError): void {
    this.channels.delete(ch);
    if (ch.tag === CONTROL) return this.deps.clients()?.onClose(ch);
    const s = state(ch) as LinkState | undefined;
    s?.waiter?.reject(error);
    if (!s?.installed || this.peers.get(ch.peer) !== ch) return;
    this.installed.delete(ch.peer);
    // At once, not at the end of the turn: a send right after this must not pick the dead link.
    this.deps.announcer.announce();
    this.deps.emit({ type: 'linkDown', peer: ch.peer, code: error.code });
    this.redialer.linkDown(ch.peer);
  }

  private onFrame(frame: Frame, ch: Channel, header: PacketHeader): void {
    if (this.stopped || !ch.tag) return;
    if (ch.tag === CONTROL) return this.deps.clients()?.onFrame(frame, ch, header);
    // A credential link speaks for its grant's name only (what it carries for others is sealed by them, sealing.ts).
    const grant = ch.identity?.grant;
    if (grant && frame.from !== grant.name) {
      return this.deps.ctx.reject({ error: new BotzError(ErrorCode.FORBIDDEN, `a mesh link of "${grant.name}" sent a frame as "${frame.from}"`), remote: ch.link.remoteAddress, peer: grant.name });
    }
    if (!state(ch).installed) this.install(ch, frame.from);
    this.deps.onFrame(frame, ch);
  }
}

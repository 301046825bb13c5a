/**
 * The client side of the registry: one authenticated control link to the server that heals
 * itself. When it drops, it reconnects with backoff and jitter, presents its session token to
 * reclaim its name, and runs `onUp` again (the component re-registers and re-subscribes there),
 * so a restarted server or a flapping link never needs the user's help.
 * It answers the server's heartbeats and closes a link that has gone silent for 3 of them.
 *
 * `address` may list several servers of one network (`a:7300,b:7300`, issue 16): the first
 * connection takes the first that answers, and a link that drops reconnects to the next one, in
 * turn, so a component fails over to another server and reclaims its name there with its session.
 */
import { AuthFailed, BotzError, Closed, ErrorCode, ServerUnreachable, Timeout } from '../errors.js';
import { Channel, type ChannelHandlers } from '../channel/channel.js';
import { PendingRequests } from '../channel/pending.js';
import type { NodeContext } from '../channel/node-context.js';
import { CloseCode, type Transport } from '../transport/transport.js';
import { SERVER_DESTINATION } from '../wire/packet.js';
import type { Frame, LinkRole } from '../wire/frames.js';
import { backoffDelay } from '../backoff.js';
import { every, type Clock, type TimerHandle } from '../clock.js';

const MISSED_HEARTBEATS_BEFORE_DEAD = 3;

export interface ServerLinkOptions {
  ctx: NodeContext;
  transport: Transport;
  /** `host:port`, or several of one network separated by commas (tried in turn). */
  address: string;
  role: LinkRole;
  connectTimeoutMs: number;
  /** Frames from the server that nobody waits for (heartbeats are answered before this). */
  onFrame: ChannelHandlers['onFrame'];
  /** What the server's welcome said beyond the link itself: whether somebody tails. */
  onWelcome?: (welcome: { trace?: { bodies: boolean } }) => void;
  /** Runs on every (re)connection before the link is offered to callers. */
  onUp: (channel: Channel, reconnect: boolean) => Promise<void>;
  /** The link went down (`channel`: the one that closed; none when a first connection failed). */
  onDown?: (error: BotzError, channel?: Channel) => void;
  /**
   * When the first connection finds no server (SERVER_UNREACHABLE or TIMEOUT), return anyway and
   * keep trying in the background, as a mesh node that works without a server does. Callers of
   * `ready()` wait (up to their deadline) meanwhile. Other failures (AUTH_FAILED...) still throw.
   */
  background?: boolean;
  /**
   * The server refused our credential on a live link or a reconnect (revoked, expired: close
   * 4013, CREDENTIAL_REJECTED). That does not pass, so the link ends for good instead of
   * reconnecting forever; `ready()` throws this error from then on (issue 18).
   */
  onRefused?: (error: BotzError) => void;
}

export class ServerLink {
  private channel: Channel | undefined;
  private session: string | undefined;
  /** Callers of ready() while the link is down, until it is back or their deadline passed. */
  private readonly waiters: PendingRequests<Channel>;
  private closing = false;
  /** What `close()` was told to do to the live channel first (a component's `bye`). */
  private beforeClose: ((ch: Channel) => void) | undefined;
  /** A channel that is past its handshake but still in `onUp`, not yet offered to callers. */
  private opening: Channel | undefined;
  /** Cuts short the reconnect loop's backoff sleep when the link closes. */
  private wake: (() => void) | undefined;
  private lastHeard: number;
  private watchdog: TimerHandle | undefined;
  /** The last reason a reconnect attempt failed, for error messages. */
  lastError: BotzError | undefined;
  /** Why the link ended for good (the server refused our credential), if it did. */
  private refusal: BotzError | undefined;

  private readonly clock: Clock;
  private readonly addresses: string[];
  /** Which of `addresses` the link uses (or tries next). */
  private at = 0;

  private constructor(private readonly options: ServerLinkOptions) {
    this.clock = options.ctx.clock;
    this.addresses = serverAddresses(options.address);
    this.lastHeard = this.clock.now();
    this.waiters = new PendingRequests<Channel>(Infinity, this.clock);
  }

  /** First connection: failures are thrown (SERVER_UNREACHABLE, TIMEOUT, AUTH_FAILED, NAME_TAKEN), not retried. */
  static async connect(options: ServerLinkOptions): Promise<ServerLink> {
    const link = new ServerLink(options);
    try {
      await link.openFirst();
    } catch (error) {
      const e = error as BotzError;
      if (!options.background || (e.code !== ErrorCode.SERVER_UNREACHABLE && e.code !== ErrorCode.TIMEOUT)) throw e;
      link.lastError = e;
      options.onDown?.(e);
      void link.reconnectLoop();
    }
    return link;
  }

  /** The server the link is on (or tries next). */
  get address(): string {
    return this.addresses[this.at];
  }

  /** Every server it may use, in the order it tries them. */
  get servers(): readonly string[] {
    return this.addresses;
  }

  /** The first connection: each server in turn until one answers; the others' failures are passed over. */
  private async openFirst(): Promise<void> {
    for (;;) {
      try {
        return await this.open(false);
      } catch (error) {
        const e = error as BotzError;
        const absent = e.code === ErrorCode.SERVER_UNREACHABLE || e.code === ErrorCode.TIMEOUT;
        if (!absent || this.at === this.addresses.length - 1) {
          this.at = 0;
          throw e;
        }
        this.at++;
      }
    }
  }

  get connected(): boolean {
    return this.channel !== undefined && !this.channel.link.closed;
  }

  /** The live channel, waiting for a reconnect until `deadline` (ms epoch) if it is down. */
  async ready(deadline: number): Promise<Channel> {
    if (this.channel && !this.channel.link.closed) return this.channel;
    if (this.refusal) throw this.refusal;
    if (this.closing) throw new Closed('this node has stopped');
    return this.waiters.add(this.options.ctx.nextId(), {
      timeoutMs: deadline - this.clock.now(),
      describe: () => `the wait for the link to the server at ${this.address}`,
      timedOut: () =>
        new Timeout(`the link to the server at ${this.address} is down and did not come back in time`, { cause: this.lastError, details: { server: this.address } }),
    });
  }

  current(): Channel | undefined {
    return this.connected ? this.channel : undefined;
  }

  /**
   * Closes the link for good. A reconnect under way is ended too: a channel still in `onUp` is
   * closed now (so its requests fail at once), and one still dialling is closed as soon as its
   * handshake completes (see `open`); `beforeClose` runs on each before it closes.
   */
  async close(beforeClose?: (ch: Channel) => void): Promise<void> {
    this.closing = true;
    this.beforeClose = beforeClose;
    this.watchdog?.clear();
    this.wake?.();
    for (const ch of [this.channel, this.opening]) if (ch) this.abandon(ch);
    this.waiters.closeAll(new Closed('this node has stopped'));
  }

  /** Closes a channel this link will not use (after `beforeClose`, if the link is closing). */
  private abandon(ch: Channel, farewell?: (ch: Channel) => void): void {
    if (ch.link.closed) return;
    (farewell ?? (this.closing ? this.beforeClose : undefined))?.(ch);
    ch.close(CloseCode.NORMAL, 'bye');
  }

  private async open(reconnect: boolean): Promise<void> {
    const { ctx, transport, role, connectTimeoutMs } = this.options;
    const address = this.address;
    let result;
    try {
      result = await Channel.connect(ctx, transport, address, {
        expect: SERVER_DESTINATION,
        role,
        session: this.session,
        timeoutMs: connectTimeoutMs,
        handlers: {
          onFrame: (frame, ch, header) => this.onFrame(frame, ch, header),
          onClose: (ch, error) => this.onClose(ch, error),
        },
      });
    } catch (error) {
      const e = error as BotzError;
      // Something accepted but did not finish (upgrade or welcome) in time: a slow or wedged
      // server, not a missing one. Starting another `botz serve` there would not help.
      if (e.code === ErrorCode.TIMEOUT || (e.code === ErrorCode.UNREACHABLE && e.details.timedOut === true)) {
        throw new Timeout(`the botz server at ${address} did not complete the handshake within ${connectTimeoutMs} ms`, {
          cause: e,
          details: { server: address, peer: SERVER_DESTINATION, timeoutMs: connectTimeoutMs },
        });
      }
      if (e.code === ErrorCode.UNREACHABLE) throw new ServerUnreachable(address, { cause: e });
      if (e.code === ErrorCode.AUTH_FAILED) {
        throw new AuthFailed(`the server at ${address} refused our secret`, { cause: e });
      }
      throw e;
    }
    const { channel, session, heartbeatMs, encrypt, trace } = result;
    this.options.onWelcome?.({ trace });
    // A server that encrypts makes it the network's rule: every link of ours encrypts from now on.
    if (encrypt) ctx.encrypt = true;
    // close() ran while we dialled: this channel came too late, it must not register anything.
    if (this.closing) throw this.stopped(channel);
    this.session = session;
    this.lastHeard = this.clock.now();
    this.opening = channel;
    try {
      await this.options.onUp(channel, reconnect);
    } catch (error) {
      if (this.closing) throw this.stopped(channel, error);
      // Never leave a half-registered channel behind: it would answer heartbeats and keep the
      // name taken. A first start that fails gives the name up (`bye`); a reconnect keeps its
      // session to reclaim the name on the next attempt.
      this.abandon(channel, reconnect ? undefined : (ch) => ch.send({ type: 'bye' }));
      throw error;
    } finally {
      this.opening = undefined;
    }
    if (this.closing) throw this.stopped(channel);
    if (channel.link.closed) throw channel.closeReason ?? new Closed('link closed while starting');
    this.channel = channel;
    if (heartbeatMs) this.startWatchdog(channel, heartbeatMs);
    this.waiters.settleAll(channel);
  }

  private startWatchdog(channel: Channel, heartbeatMs: number): void {
    this.watchdog?.clear();
    this.watchdog = every(this.clock, heartbeatMs, () => {
      if (this.clock.now() - this.lastHeard > MISSED_HEARTBEATS_BEFORE_DEAD * heartbeatMs) {
        channel.close(CloseCode.HEARTBEAT_TIMEOUT, 'server went silent');
      }
    });
    this.watchdog.unref();
  }

  private onFrame(frame: Frame, ch: Channel, header: Parameters<ChannelHandlers['onFrame']>[2]): void {
    this.lastHeard = this.clock.now();
    if (frame.type === 'heartbeat' && frame.from === SERVER_DESTINATION) {
      ch.send({ type: 'heartbeat' });
      return;
    }
    this.options.onFrame(frame, ch, header);
  }

  private onClose(ch: Channel, error: BotzError): void {
    if (ch !== this.channel) return;
    this.channel = undefined;
    this.watchdog?.clear();
    if (this.closing) return;
    this.options.onDown?.(error, ch);
    if (error.code === ErrorCode.CREDENTIAL_REJECTED) return this.refused(error);
    // Another server of the network first: the one we were on may be dead.
    this.next();
    void this.reconnectLoop();
  }

  /** The server will not take our credential again: no more reconnects; waiting callers fail with why. */
  private refused(error: BotzError): void {
    this.refusal = error;
    this.closing = true;
    this.watchdog?.clear();
    this.waiters.closeAll(error);
    this.options.onRefused?.(error);
  }

  /** Closes a channel that opened after (or while) the link was closed; the error ends the attempt. */
  private stopped(channel: Channel, cause?: unknown): Closed {
    this.abandon(channel);
    return new Closed('this node has stopped', { cause });
  }

  private next(): void {
    this.at = (this.at + 1) % this.addresses.length;
  }

  /** Sleeps `ms`, or less if the link is closed meanwhile. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        timer.clear();
        this.wake = undefined;
        resolve();
      };
    });
  }

  private async reconnectLoop(): Promise<void> {
    for (let attempt = 0; !this.closing; attempt++) {
      await this.pause(backoffDelay(attempt));
      if (this.closing) return;
      try {
        await this.open(true);
        this.lastError = undefined;
        return;
      } catch (error) {
        // Closed while we were at it: that is the end of the loop, not a failure to report.
        if (this.closing) return;
        if ((error as BotzError).code === ErrorCode.CREDENTIAL_REJECTED) return this.refused(error as BotzError);
        this.lastError = error as BotzError;
        this.next();
      }
    }
  }
}

/** The servers of a `--server` value: `host:port`, or several separated by commas. */
export function serverAddresses(value: string): string[] {
  const list = value
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  return list.length > 0 ? list : [value];
}

/**
 * An in-memory network: the same Transport contract as WebSockets, inside one process, with
 * hooks to delay messages, lose them, cut links and partition hosts. Simulations of many nodes
 * (a 100-node mesh, a lossy link) run on it in milliseconds; the compliance suite in
 * test/lib/transport keeps it honest against the ws transport.
 *
 * Addresses are `host:port`; each `network.transport(host)` is one host (and one source for the
 * listeners' per-source caps). A listener guards itself as a ws listener does (gatekeeper.ts),
 * from the moment a link is dialed: there is no upgrade phase in memory.
 */
import { AddressInUse, Unreachable } from '../errors.js';
import {
  CloseCode,
  joinAddress,
  splitAddress,
  type ConnectOptions,
  type Link,
  type LinkHandlers,
  type ListenOptions,
  type Listener,
  type Transport,
} from './transport.js';
import { LinkInbox } from './inbox.js';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import { resolveConnectionLimits } from './connection-limits.js';
import { dropCloseCode, Gatekeeper, type Guarded } from './gatekeeper.js';

export interface MessageInfo {
  from: string;
  to: string;
  data: Buffer;
}

class MemoryLink implements Link {
  peer!: MemoryLink;
  closed = false;
  private readonly inbox = new LinkInbox();
  /** Messages in flight towards `peer`, with the time each may be delivered. */
  private queue: { data: Buffer; at: number }[] = [];
  private timer: TimerHandle | NodeJS.Immediate | undefined;
  bufferedAmount = 0;
  /** On a link a listener accepted: what its gatekeeper is told. */
  guard: { authenticated(): void; closed(): void } | undefined;
  private isAuthenticated = false;

  constructor(
    readonly network: MemoryNetwork,
    readonly localAddress: string,
    readonly remoteAddress: string,
    /** Largest message this end takes; a listener's links raise it when authenticated. */
    public maxMessageBytes: number,
  ) {}

  authenticated(): void {
    if (this.closed || this.isAuthenticated) return;
    this.isAuthenticated = true;
    this.guard?.authenticated();
  }

  attach(handlers: LinkHandlers): void {
    this.inbox.attach(handlers);
  }

  send(data: Uint8Array): void {
    if (this.closed) return;
    const info = { from: this.localAddress, to: this.remoteAddress, data: Buffer.from(data) };
    if (this.network.shouldLose(info)) return;
    this.bufferedAmount += data.byteLength;
    const last = this.queue.length > 0 ? this.queue[this.queue.length - 1].at : 0;
    this.queue.push({ data: info.data, at: Math.max(this.network.clock.now() + this.network.delayMs, last) });
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.queue.length === 0) return;
    const wait = this.queue[0].at - this.network.clock.now();
    const run = () => {
      this.timer = undefined;
      this.flush();
    };
    this.timer = wait > 0 ? this.network.clock.setTimeout(run, wait) : setImmediate(run);
  }

  private flush(): void {
    const now = this.network.clock.now();
    while (this.queue.length > 0 && this.queue[0].at <= now && !this.closed) {
      const { data } = this.queue.shift()!;
      this.bufferedAmount -= data.byteLength;
      this.peer.receive(data);
    }
    this.schedule();
  }

  receive(data: Buffer): void {
    if (this.closed) return;
    if (data.byteLength > this.maxMessageBytes) {
      this.close(CloseCode.TOO_BIG, 'message too big');
      return;
    }
    this.inbox.message(data);
  }

  close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (this.closed) return;
    // As with a WebSocket close frame, what was already sent still arrives, then the close.
    const inFlight = this.queue;
    this.queue = [];
    this.finish(code, reason);
    const deliver = () => {
      for (const { data } of inFlight) this.peer.receive(data);
      this.peer.finish(code, reason);
    };
    const wait = inFlight.length > 0 ? inFlight[inFlight.length - 1].at - this.network.clock.now() : 0;
    if (wait > 0) this.network.clock.setTimeout(deliver, wait);
    else setImmediate(deliver);
  }

  /** An abrupt end (a cut cable, a killed process): what was in flight is lost. */
  abort(code: number, reason: string): void {
    if (this.closed) return;
    this.finish(code, reason);
    setImmediate(() => this.peer.finish(code, reason));
  }

  finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.bufferedAmount = 0;
    if (this.timer !== undefined) {
      if ('clear' in this.timer) this.timer.clear();
      else clearImmediate(this.timer);
      this.timer = undefined;
    }
    this.network.forget(this);
    this.guard?.closed();
    this.inbox.close(code, reason);
  }
}

interface MemoryListener {
  onLink: (link: Link) => void;
  maxMessageBytes: number;
  gate: Gatekeeper;
}

export class MemoryNetwork {
  /** Time for message delays (and the listeners' handshake deadlines): a ManualClock makes a whole simulated network run in virtual time. */
  readonly clock: Clock;
  /** Delay added to every message, in ms (order per link is kept). */
  delayMs = 0;
  /** Probability that a message is silently lost (breaks the reliable-link contract on purpose). */
  lossRate = 0;
  /** Random source for lossRate; replace with a seeded one for repeatable simulations. */
  random: () => number = Math.random;
  private readonly listeners = new Map<string, MemoryListener>();
  private readonly links = new Set<MemoryLink>();
  private readonly blocked = new Set<string>();
  private readonly lossFilters: ((m: MessageInfo) => boolean)[] = [];
  private nextPort = 40_000;

  constructor(options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
  }

  transport(host = 'mem'): Transport {
    return {
      listen: async (options: ListenOptions, onLink) => {
        const port = options.port === 0 ? this.nextPort++ : options.port;
        const address = joinAddress(host, port);
        if (this.listeners.has(address)) throw new AddressInUse(address);
        // No descriptors in memory: the defaults must not depend on the machine's ulimit.
        const gate = new Gatekeeper(resolveConnectionLimits(options.limits, Number.MAX_SAFE_INTEGER), options.onRefused, options.clock ?? this.clock);
        this.listeners.set(address, { onLink, maxMessageBytes: options.maxMessageBytes, gate });
        const listener: Listener = {
          address,
          get connections() {
            return gate.counts;
          },
          close: async () => {
            gate.close();
            this.listeners.delete(address);
            for (const link of [...this.links]) if (link.localAddress === address) link.abort(CloseCode.GOING_AWAY, 'listener closed');
          },
        };
        return listener;
      },
      connect: async (address: string, options: ConnectOptions) => {
        await new Promise((r) => setImmediate(r));
        const target = this.listeners.get(address);
        const { host: targetHost } = splitAddress(address);
        if (!target) throw new Unreachable(`cannot connect to ${address}: ECONNREFUSED`, { details: { address } });
        if (this.isBlocked(host, targetHost)) {
          throw new Unreachable(`cannot connect to ${address}: partitioned`, { details: { address } });
        }
        const local = joinAddress(host, this.nextPort++);
        const { gate } = target;
        const mine = new MemoryLink(this, local, address, options.maxMessageBytes);
        const theirs = new MemoryLink(this, address, local, Math.min(gate.limits.maxUnauthenticatedMessageBytes, target.maxMessageBytes));
        mine.peer = theirs;
        theirs.peer = mine;
        const guarded: Guarded = {
          remote: local,
          drop: (why) => {
            const { code, reason } = dropCloseCode(why);
            theirs.abort(code, reason);
          },
        };
        if (!gate.admit(guarded, host)) throw new Unreachable(`cannot connect to ${address}: it has too many connections`, { details: { address } });
        theirs.guard = {
          authenticated: () => {
            theirs.maxMessageBytes = target.maxMessageBytes;
            gate.authenticated(guarded);
          },
          closed: () => gate.closed(guarded),
        };
        this.links.add(mine);
        this.links.add(theirs);
        target.onLink(theirs);
        return mine;
      },
    };
  }

  /** Cuts every link between the two sets of hosts and refuses new ones until `heal()`. */
  partition(hostsA: string[], hostsB: string[]): void {
    for (const a of hostsA) for (const b of hostsB) this.blocked.add(pairKey(a, b));
    for (const link of [...this.links]) {
      const h1 = splitAddress(link.localAddress).host;
      const h2 = splitAddress(link.remoteAddress).host;
      if (this.isBlocked(h1, h2)) link.abort(CloseCode.GOING_AWAY, 'partitioned');
    }
  }

  heal(): void {
    this.blocked.clear();
  }

  /** Abruptly closes links matching the predicate (all of them by default); returns how many. */
  cut(predicate: (local: string, remote: string) => boolean = () => true): number {
    let n = 0;
    for (const link of [...this.links]) {
      if (!link.closed && predicate(link.localAddress, link.remoteAddress)) {
        link.abort(CloseCode.GOING_AWAY, 'cut');
        n++;
      }
    }
    return n;
  }

  /** Loses every message for which the filter returns true. Returns a function that removes it. */
  lose(filter: (m: MessageInfo) => boolean): () => void {
    this.lossFilters.push(filter);
    return () => {
      const i = this.lossFilters.indexOf(filter);
      if (i >= 0) this.lossFilters.splice(i, 1);
    };
  }

  get linkCount(): number {
    return this.links.size / 2;
  }

  shouldLose(m: MessageInfo): boolean {
    if (this.lossRate > 0 && this.random() < this.lossRate) return true;
    return this.lossFilters.some((f) => f(m));
  }

  forget(link: MemoryLink): void {
    this.links.delete(link);
  }

  private isBlocked(a: string, b: string): boolean {
    return this.blocked.has(pairKey(a, b));
  }
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

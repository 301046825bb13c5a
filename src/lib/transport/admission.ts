/**
 * The bookkeeping of a listener's connection caps: who is connected, from which source, and who
 * has not authenticated yet; whom to evict when a newcomer arrives at a cap. Pure: no sockets,
 * no timers; the transports hold the connections and close whatever this says.
 *
 * At a cap, the newcomer is not refused but the oldest unauthenticated connection is evicted:
 * refusing would let whoever holds N silent sockets lock everybody else out (on loopback every
 * client shares 127.0.0.1), while an honest client authenticates within milliseconds and then
 * no longer counts. The victim comes from the newcomer's own source at the per-source cap, else
 * from the source holding the most unauthenticated connections, so a flood from one source
 * evicts its own connections, not another source's handshake in progress. Only when every
 * slot is held by an authenticated connection is the newcomer turned away.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { ConnectionLimits } from './connection-limits.js';
import type { ConnectionCounts } from './transport.js';

/** The admitted newcomer and those evicted to make room for it, or a refusal. */
export type Verdict<T> = { admitted: true; evicted: T[] } | { admitted: false };

export type AdmissionCaps = Pick<ConnectionLimits, 'maxConnections' | 'maxUnauthenticated' | 'maxUnauthenticatedPerSource'>;

interface Entry {
  source: string;
  authenticated: boolean;
  /** Arrival order: the lower, the older. */
  seq: number;
}

export class Admission<T> {
  private readonly entries = new Map<T, Entry>();
  /** Unauthenticated connections by source, oldest first (a Set iterates in insertion order). */
  private readonly pending = new Map<string, Set<T>>();
  private unauthenticated = 0;
  private seq = 0;

  constructor(private readonly caps: AdmissionCaps) {}

  /** A new connection from `source`: admitted (maybe evicting others, which are forgotten) or refused. */
  admit(conn: T, source: string): Verdict<T> {
    const evicted: T[] = [];
    const own = this.pending.get(source);
    if (own && own.size >= this.caps.maxUnauthenticatedPerSource) {
      evicted.push(this.evict(own.values().next().value as T));
    } else if (this.unauthenticated >= this.caps.maxUnauthenticated || this.entries.size >= this.caps.maxConnections) {
      const victim = this.victim();
      if (victim === undefined) return { admitted: false };
      evicted.push(this.evict(victim));
    }
    this.entries.set(conn, { source, authenticated: false, seq: this.seq++ });
    this.pendingOf(source).add(conn);
    this.unauthenticated++;
    return { admitted: true, evicted };
  }

  /** `conn` proved it holds a key: it leaves the unauthenticated caps (and can no longer be evicted). */
  authenticate(conn: T): void {
    const entry = this.entries.get(conn);
    if (!entry || entry.authenticated) return;
    entry.authenticated = true;
    this.forgetPending(conn, entry.source);
  }

  /** `conn` closed; unknown or already released connections are ignored. */
  release(conn: T): void {
    const entry = this.entries.get(conn);
    if (!entry) return;
    this.entries.delete(conn);
    if (!entry.authenticated) this.forgetPending(conn, entry.source);
  }

  get counts(): ConnectionCounts {
    return { total: this.entries.size, unauthenticated: this.unauthenticated };
  }

  /** The oldest unauthenticated connection of the heaviest source (ties: the oldest of them). */
  private victim(): T | undefined {
    let best: { conn: T; size: number; seq: number } | undefined;
    for (const conns of this.pending.values()) {
      const oldest = conns.values().next().value as T;
      const seq = this.entries.get(oldest)!.seq;
      if (!best || conns.size > best.size || (conns.size === best.size && seq < best.seq)) best = { conn: oldest, size: conns.size, seq };
    }
    return best?.conn;
  }

  private evict(conn: T): T {
    this.release(conn);
    return conn;
  }

  private pendingOf(source: string): Set<T> {
    let conns = this.pending.get(source);
    if (!conns) this.pending.set(source, (conns = new Set()));
    return conns;
  }

  private forgetPending(conn: T, source: string): void {
    const conns = this.pending.get(source);
    if (!conns?.delete(conn)) return;
    this.unauthenticated--;
    if (conns.size === 0) this.pending.delete(source);
  }
}

/**
 * What the per-source cap counts by: an IPv4 address (IPv4-mapped IPv6 included) as it is, an
 * IPv6 address by its /64 (one host usually holds a whole /64, so counting single addresses would
 * give it 2^64 quotas), anything else (an in-memory host name) as it is.
 */
export function sourceOf(ip: string): string {
  const address = ip.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  if (!isIPv6(address)) return ip;
  const [head, tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

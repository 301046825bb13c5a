/**
 * The shared registry store: what several servers of one network keep in common so that they
 * act as one. Each server keeps the liveness of its own components (registry.ts) and writes
 * their entries here; the store settles who owns a name, across servers, atomically, and tells
 * every server of every change as it happens (push, never a polling scan).
 *
 * Ownership rides on server leases, not per-name timers: a server renews one lease for all its
 * names; an entry whose server's lease has expired is dead, and its name is free to claim from
 * that instant on, without anybody having to sweep it. When a lease expires the store tells every
 * server (`serverGone`), and they drop that server's entries from their views.
 *
 * Every method takes `now` (the server's clock) so that tests drive leases by hand. Two stores
 * implement it: MemoryStore (one process; the compliance suite and in-process clusters) and
 * RedisStore (several processes, several machines).
 */
import type { ComponentInfo, LinkChange, MemberEvent, TrafficEvent } from '../../wire/frames.js';

/** A component's entry as the store holds it. */
export interface StoredComponent {
  info: ComponentInfo;
  /** The session token that proves ownership of the name (a failover presents it to reclaim). */
  session: string;
  /** Id of the server the component is attached to. */
  server: string;
}

/** A server of the network, as its lease says. */
export interface ServerRecord {
  id: string;
  /** `host:port` where its components and clients reach it. */
  address: string;
  /** The lease ends here (ms since the epoch, the server's clock). */
  expiresAt: number;
  /** Somebody tails on this server (with bodies?): every server reports its traffic to the network. */
  tails?: { bodies: boolean };
}

export type StoreEvent =
  /** Another server's component changed (`leave`: it is gone). */
  | { type: 'member'; event: MemberEvent; entry: StoredComponent }
  /** A server's lease expired, or it left: its entries are dead. */
  | { type: 'serverGone'; server: string }
  /** A relayed packet for `to`, attached to this server, sent by `from` (attached to server `origin`). */
  | { type: 'packet'; to: string; from: string; origin: string; bytes: Buffer }
  /** The store became unreachable, or reachable again (after which the server resynchronises). */
  | { type: 'down'; error: Error }
  | { type: 'up' }
  /** A server's tails started or stopped (`botz tail` anywhere sees everyone's traffic). */
  | { type: 'tails'; server: string; on: boolean; bodies: boolean }
  /** A traffic event another server's nodes reported, for this server's tails. */
  | { type: 'trace'; event: TrafficEvent | LinkChange };

export type ClaimResult = { ok: true } | { ok: false; owner: StoredComponent };

export interface StoreOpenOptions {
  /** This server's id (unique in the network) and the address its nodes reach it at. */
  server: string;
  address: string;
  /** How long a lease lasts without renewal. */
  leaseMs: number;
  onEvent(event: StoreEvent): void;
}

export interface RegistryStore {
  /** Where the store is, for logs ("memory", "redis://127.0.0.1:6379/0"). */
  readonly description: string;
  /** Takes a lease for the server and starts delivering events; returns every live entry. */
  open(options: StoreOpenOptions, now: number): Promise<StoredComponent[]>;
  /**
   * Atomically takes or updates `entry.info.name` for this server: granted when the name is free,
   * its owner's lease expired, the owner is this server, or `entry.session` is the owner's (a
   * reclaim, possibly from another server). Publishes `event` to the other servers when granted.
   */
  claim(entry: StoredComponent, event: MemberEvent, now: number): Promise<ClaimResult>;
  /** Removes the name if this server still holds it under `session`; publishes `leave`. */
  remove(name: string, session: string): Promise<boolean>;
  /** Renews this server's lease. True when it had expired meanwhile (its entries must be claimed again). */
  renew(now: number): Promise<boolean>;
  /** Every live entry (owned under an unexpired lease). */
  snapshot(now: number): Promise<StoredComponent[]>;
  /** Every server whose lease is live. */
  servers(now: number): Promise<ServerRecord[]>;
  /** Forgets the entries of a server whose lease is over (idempotent; any server may run it). */
  purge(server: string, now: number): Promise<void>;
  /** Says whether this server has tails (kept in its lease record, and told to the others now). */
  setTails(on: boolean, bodies: boolean, now: number): Promise<void>;
  /** Hands a traffic event to every other server (fire and forget). */
  publishTrace(event: TrafficEvent | LinkChange): void;
  /** Hands a relayed packet to server `server`, for its node `to` (fire and forget). */
  sendPacket(server: string, to: string, from: string, bytes: Uint8Array): void;
  /** Releases the lease and this server's names (others get `serverGone`), then disconnects. */
  close(): Promise<void>;
}

/** Whether `record` is a live lease at `now`. */
export function leaseLive(record: ServerRecord | undefined, now: number): boolean {
  return record !== undefined && record.expiresAt > now;
}

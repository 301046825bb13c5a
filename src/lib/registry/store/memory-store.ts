/**
 * The store in one process's memory. Servers of one process that share a MemoryDatabase form one
 * network (the store compliance suite, in-process cluster tests); leases run on the database's
 * injected clock, so a test expires one by advancing time.
 */
import { BotzError, ErrorCode } from '../../errors.js';
import { systemClock, type Clock, type TimerHandle } from '../../clock.js';
import type { LinkChange, MemberEvent, TrafficEvent } from '../../wire/frames.js';
import { leaseLive, type ClaimResult, type RegistryStore, type ServerRecord, type StoreEvent, type StoreOpenOptions, type StoredComponent } from './store.js';

/** What several MemoryStores share: the entries, the leases, and the event bus. */
export class MemoryDatabase {
  readonly entries = new Map<string, StoredComponent>();
  readonly servers = new Map<string, ServerRecord>();
  readonly listeners = new Map<string, (event: StoreEvent) => void>();
  private readonly expiry = new Map<string, TimerHandle>();
  /** Set by a test to play a store that went down: every call fails with STORE_UNAVAILABLE. */
  private down = false;

  constructor(readonly clock: Clock = systemClock) {}

  /** Plays the store going down or coming back; the servers are told, as a Redis client would tell them. */
  setDown(down: boolean): void {
    if (this.down === down) return;
    this.down = down;
    const event: StoreEvent = down ? { type: 'down', error: unavailable() } : { type: 'up' };
    for (const listener of this.listeners.values()) queueMicrotask(() => listener(event));
  }

  check(): void {
    if (this.down) throw unavailable();
  }

  /** Delivers `event` to every server but `except`, later (as pub/sub does). */
  publish(event: StoreEvent, except?: string): void {
    for (const [server, listener] of this.listeners) if (server !== except) queueMicrotask(() => listener(event));
  }

  deliver(server: string, event: StoreEvent): void {
    const listener = this.listeners.get(server);
    if (listener) queueMicrotask(() => listener(event));
  }

  lease(record: ServerRecord, leaseMs: number): void {
    this.servers.set(record.id, record);
    this.expiry.get(record.id)?.clear();
    const timer = this.clock.setTimeout(() => {
      this.expiry.delete(record.id);
      if (!leaseLive(this.servers.get(record.id), this.clock.now())) this.publish({ type: 'serverGone', server: record.id }, record.id);
    }, leaseMs);
    timer.unref();
    this.expiry.set(record.id, timer);
  }

  endLease(server: string): void {
    this.expiry.get(server)?.clear();
    this.expiry.delete(server);
    this.servers.delete(server);
    this.listeners.delete(server);
  }

  live(entry: StoredComponent | undefined, now: number): entry is StoredComponent {
    return entry !== undefined && leaseLive(this.servers.get(entry.server), now);
  }
}

export class MemoryStore implements RegistryStore {
  readonly description = 'memory';
  private options: StoreOpenOptions | undefined;
  private tails: { bodies: boolean } | undefined;

  constructor(private readonly db: MemoryDatabase = new MemoryDatabase()) {}

  async open(options: StoreOpenOptions, now: number): Promise<StoredComponent[]> {
    this.db.check();
    this.options = options;
    this.db.listeners.set(options.server, options.onEvent);
    this.db.lease({ id: options.server, address: options.address, expiresAt: now + options.leaseMs }, options.leaseMs);
    return this.snapshot(now);
  }

  async claim(entry: StoredComponent, event: MemberEvent, now: number): Promise<ClaimResult> {
    this.db.check();
    const current = this.db.entries.get(entry.info.name);
    if (this.db.live(current, now) && current.server !== this.self && current.session !== entry.session) return { ok: false, owner: clone(current) };
    this.db.entries.set(entry.info.name, clone(entry));
    this.db.publish({ type: 'member', event, entry: clone(entry) }, this.self);
    return { ok: true };
  }

  async remove(name: string, session: string): Promise<boolean> {
    this.db.check();
    const current = this.db.entries.get(name);
    if (!current || current.server !== this.self || current.session !== session) return false;
    this.db.entries.delete(name);
    this.db.publish({ type: 'member', event: 'leave', entry: clone(current) }, this.self);
    return true;
  }

  async renew(now: number): Promise<boolean> {
    this.db.check();
    const options = this.opened();
    const wasDead = !leaseLive(this.db.servers.get(options.server), now);
    this.db.lease({ id: options.server, address: options.address, expiresAt: now + options.leaseMs, ...(this.tails ? { tails: this.tails } : {}) }, options.leaseMs);
    return wasDead;
  }

  async snapshot(now: number): Promise<StoredComponent[]> {
    this.db.check();
    return [...this.db.entries.values()].filter((e) => this.db.live(e, now)).map(clone);
  }

  async servers(now: number): Promise<ServerRecord[]> {
    this.db.check();
    return [...this.db.servers.values()].filter((s) => leaseLive(s, now)).map((s) => ({ ...s }));
  }

  async purge(server: string, now: number): Promise<void> {
    this.db.check();
    if (leaseLive(this.db.servers.get(server), now)) return;
    for (const [name, entry] of this.db.entries) if (entry.server === server) this.db.entries.delete(name);
  }

  async setTails(on: boolean, bodies: boolean, now: number): Promise<void> {
    this.db.check();
    this.tails = on ? { bodies } : undefined;
    await this.renew(now);
    this.db.publish({ type: 'tails', server: this.self, on, bodies }, this.self);
  }

  publishTrace(event: TrafficEvent | LinkChange): void {
    this.db.check();
    this.db.publish({ type: 'trace', event }, this.self);
  }

  sendPacket(server: string, to: string, from: string, bytes: Uint8Array): void {
    this.db.check();
    this.db.deliver(server, { type: 'packet', to, from, origin: this.self, bytes: Buffer.from(bytes) });
  }

  async close(): Promise<void> {
    if (!this.options) return;
    const server = this.options.server;
    this.options = undefined;
    for (const [name, entry] of this.db.entries) if (entry.server === server) this.db.entries.delete(name);
    this.db.endLease(server);
    this.db.publish({ type: 'serverGone', server });
  }

  private get self(): string {
    return this.opened().server;
  }

  private opened(): StoreOpenOptions {
    if (!this.options) throw new BotzError(ErrorCode.CLOSED, 'the store is not open');
    return this.options;
  }
}

function unavailable(): BotzError {
  return new BotzError(ErrorCode.STORE_UNAVAILABLE, 'the shared store is down (simulated)');
}

function clone(entry: StoredComponent): StoredComponent {
  return { ...entry, info: { ...entry.info, groups: [...entry.info.groups], meta: { ...entry.info.meta } } };
}

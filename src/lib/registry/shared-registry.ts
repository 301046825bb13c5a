/**
 * A server's part in a network of several servers on one store. The server keeps the liveness
 * of its own components in its Registry as always; this writes their entries to the store (a
 * join is a claim of the name, atomic across servers), keeps a live view of the other servers'
 * components (filled once, then kept by the store's pushed events), and carries relayed packets
 * to and from the server a node is attached to.
 *
 * Store writes for one name go in order (join before ready before leave), name by name, so a
 * busy server never waits on one slow write for all. When the store is down the server keeps
 * serving its own components and direct traffic; when it is back, or when our lease had lapsed,
 * every local entry is claimed again and the view of the others is read afresh.
 */
import { BotzError, ErrorCode } from '../errors.js';
import type { ComponentInfo, LinkChange, TrafficEvent } from '../wire/frames.js';
import { every, type Clock, type TimerHandle } from '../clock.js';
import type { MembershipEvent } from './registry.js';
import type { RegistryStore, StoreEvent, StoredComponent } from './store/store.js';

/** Senders on other servers whose answers we may have to carry back: bounded, oldest forgotten first. */
const MAX_RETURN_ROUTES = 65_536;

export interface SharedRegistryHost {
  /** This server's id in the store, and the address its nodes reach it at. */
  readonly id: string;
  readonly address: string;
  readonly clock: Clock;
  /** An event about another server's component, for this server's watchers. */
  toWatchers(event: MembershipEvent): void;
  /** A packet relayed from another server for a node attached here; false when it is not here. */
  deliver(to: string, bytes: Buffer): boolean;
  /** Another server took over a name held here (a failover reclaimed it): forget it here, quietly. */
  takenOver(name: string): void;
  /** The entries of this server's components, with their sessions, to claim again. */
  localEntries(): { info: ComponentInfo; session: string }[];
  /** The store went down or came back, or a claim found a name taken (the owner's server). */
  onStore(state: 'down' | 'up', error?: BotzError): void;
  /** Whether tails on other servers want this server's traffic (with bodies?). */
  traceDemand(on: boolean, bodies: boolean): void;
  /** A traffic event from another server, for this server's tails. */
  traced(event: TrafficEvent | LinkChange): void;
}

export class SharedRegistry {
  private readonly remote = new Map<string, StoredComponent>();
  private readonly returnRoutes = new Map<string, string>();
  /** The last store write queued for each name, so the next waits for it. */
  private readonly writes = new Map<string, Promise<boolean>>();
  private readonly sessions = new Map<string, string>();
  private down = false;
  private resyncing = false;
  private renewal: TimerHandle | undefined;
  /** Servers with tails, and whether one of them wants bodies. */
  private readonly remoteTails = new Map<string, boolean>();

  constructor(
    readonly store: RegistryStore,
    private readonly host: SharedRegistryHost,
    private readonly leaseMs: number,
  ) {}

  async open(): Promise<void> {
    const entries = await this.store.open({ server: this.host.id, address: this.host.address, leaseMs: this.leaseMs, onEvent: (e) => this.onEvent(e) }, this.host.clock.now());
    for (const entry of entries) if (entry.server !== this.host.id) this.remote.set(entry.info.name, entry);
    await this.readTails();
    // Three renewals per lease: one lost write (a busy Redis, a pause) does not lose the names.
    this.renewal = every(this.host.clock, Math.max(1, Math.floor(this.leaseMs / 3)), () => void this.renew()).unref();
  }

  get storeDown(): boolean {
    return this.down;
  }

  /** Another server's live component of that name. */
  get(name: string): ComponentInfo | undefined {
    return this.remote.get(name)?.info;
  }

  sessionOf(name: string): string | undefined {
    return this.remote.get(name)?.session;
  }

  list(group?: string): ComponentInfo[] {
    const all = [...this.remote.values()].map((e) => e.info);
    return group === undefined ? all : all.filter((c) => c.groups.includes(group));
  }

  /** This server's components (as the network sees them) and the others'. */
  withLocal(local: ComponentInfo[], group?: string): ComponentInfo[] {
    const here = new Set(local.map((c) => c.name));
    return [...local.map((c) => this.withServer(c)), ...this.list(group).filter((c) => !here.has(c.name))];
  }

  /** A name's entry: `local` (this server's, if any) or another server's. */
  lookup(name: string, local: ComponentInfo | undefined): ComponentInfo | undefined {
    return local ? this.withServer(local) : this.remote.get(name)?.info;
  }

  get size(): number {
    return this.remote.size;
  }

  /** A local entry as the network sees it: with the server it is attached to. */
  withServer(info: ComponentInfo): ComponentInfo {
    return { ...info, server: this.host.address };
  }

  /**
   * Writes this server's membership events to the store. Resolves (for a join) true when the
   * name is ours across the network, false when another server's live component holds it.
   */
  local(events: MembershipEvent[], session: string | undefined): Promise<boolean> {
    let last: Promise<boolean> = Promise.resolve(true);
    for (const event of events) {
      const name = event.component.name;
      if (event.type === 'join' && session !== undefined) this.sessions.set(name, session);
      const owner = this.sessions.get(name);
      if (owner === undefined) continue;
      if (event.type === 'leave') this.sessions.delete(name);
      const info = this.withServer(event.component);
      const previous = this.writes.get(name) ?? Promise.resolve(true);
      const write = previous.then(async (held) => {
        // A join that lost the name: what follows about it is not ours to write.
        if (!held && event.type !== 'join') return false;
        if (this.down) return true;
        try {
          if (event.type === 'leave') return (await this.store.remove(name, owner), true);
          const result = await this.store.claim({ info, session: owner, server: this.host.id }, event.type, this.host.clock.now());
          if (!result.ok) this.sessions.delete(name);
          // Reclaimed here from another server (a failover): the entry there was the old one.
          else if (event.type === 'join') this.remote.delete(name);
          return result.ok;
        } catch (error) {
          this.markDown(error);
          return true; // judged again when the store is back
        }
      });
      this.writes.set(name, write);
      void write.finally(() => {
        if (this.writes.get(name) === write) this.writes.delete(name);
      });
      last = write;
    }
    return last;
  }

  /**
   * Sends a relayed packet towards the server `to` is attached to; false when no server holds it,
   * or when the store that carries it is down (`storeDown` then says why).
   */
  relay(to: string, from: string, bytes: Uint8Array): boolean {
    const server = this.remote.get(to)?.server ?? this.returnRoutes.get(to);
    if (server === undefined || this.down) return false;
    try {
      this.store.sendPacket(server, to, from, bytes);
      return true;
    } catch (error) {
      this.markDown(error);
      return false;
    }
  }

  /** Says whether this server has tails: while any server has, every server reports its traffic to the network. */
  setTails(on: boolean, bodies: boolean): void {
    this.store.setTails(on, bodies, this.host.clock.now()).catch((error: unknown) => this.markDown(error));
  }

  /** A traffic event of this server's nodes: handed on while some other server tails. */
  trace(event: TrafficEvent | LinkChange): void {
    if (this.remoteTails.size === 0 || this.down) return;
    try {
      this.store.publishTrace(event);
    } catch (error) {
      this.markDown(error);
    }
  }

  /** Renews our lease; after a lapse, or when the store is back, claims every local name again. */
  async renew(): Promise<void> {
    try {
      const lapsed = await this.store.renew(this.host.clock.now());
      if (this.down) this.markUp();
      else if (lapsed) await this.resync();
    } catch (error) {
      this.markDown(error);
    }
  }

  async close(): Promise<void> {
    this.renewal?.clear();
    await this.store.close();
  }

  private onEvent(event: StoreEvent): void {
    switch (event.type) {
      case 'member':
        return this.remoteMember(event.event, event.entry);
      case 'serverGone':
        return this.serverGone(event.server);
      case 'packet':
        this.rememberRoute(event.from, event.origin);
        this.host.deliver(event.to, event.bytes);
        return;
      case 'down':
        return this.markDown(event.error);
      case 'up':
        return this.markUp();
      case 'tails':
        if (event.on) this.remoteTails.set(event.server, event.bodies);
        else this.remoteTails.delete(event.server);
        return this.demandChanged();
      case 'trace':
        return this.host.traced(event.event);
    }
  }

  private remoteMember(type: MembershipEvent['type'], entry: StoredComponent): void {
    const name = entry.info.name;
    if (type === 'leave') {
      const known = this.remote.get(name);
      if (!known || known.session !== entry.session || known.server !== entry.server) return;
      this.remote.delete(name);
    } else {
      if (this.sessions.has(name)) {
        // Our component's name moved to another server (it failed over and reclaimed it there).
        this.sessions.delete(name);
        this.host.takenOver(name);
      }
      this.remote.set(name, entry);
    }
    this.host.toWatchers({ type, component: entry.info, at: this.host.clock.now() });
  }

  private serverGone(server: string): void {
    for (const [name, entry] of this.remote) {
      if (entry.server !== server) continue;
      this.remote.delete(name);
      this.host.toWatchers({ type: 'leave', component: entry.info, at: this.host.clock.now() });
    }
    for (const [name, origin] of this.returnRoutes) if (origin === server) this.returnRoutes.delete(name);
    if (this.remoteTails.delete(server)) this.demandChanged();
    // Any server may tidy the store; the lease check inside makes a live server's entries safe.
    this.store.purge(server, this.host.clock.now()).catch(() => {});
  }

  private async readTails(): Promise<void> {
    this.remoteTails.clear();
    for (const record of await this.store.servers(this.host.clock.now())) {
      if (record.id !== this.host.id && record.tails) this.remoteTails.set(record.id, record.tails.bodies);
    }
    this.demandChanged();
  }

  private demandChanged(): void {
    this.host.traceDemand(this.remoteTails.size > 0, [...this.remoteTails.values()].some((b) => b));
  }

  private rememberRoute(from: string, origin: string): void {
    this.returnRoutes.delete(from);
    this.returnRoutes.set(from, origin);
    if (this.returnRoutes.size > MAX_RETURN_ROUTES) this.returnRoutes.delete(this.returnRoutes.keys().next().value!);
  }

  private markDown(error: unknown): void {
    if (this.down) return;
    this.down = true;
    const e = error instanceof BotzError ? error : new BotzError(ErrorCode.STORE_UNAVAILABLE, String(error), { cause: error });
    this.host.onStore('down', e);
  }

  private markUp(): void {
    if (!this.down) return;
    this.down = false;
    this.host.onStore('up');
    void this.resync();
  }

  /** Claims every local name again and reads the others afresh (after the store or our lease was lost). */
  private async resync(): Promise<void> {
    if (this.resyncing) return;
    this.resyncing = true;
    try {
      const now = this.host.clock.now();
      await this.store.renew(now);
      for (const { info, session } of this.host.localEntries()) {
        this.sessions.set(info.name, session);
        const result = await this.store.claim({ info: this.withServer(info), session, server: this.host.id }, 'join', now);
        if (!result.ok) {
          // Claimed elsewhere while we could not tell: the other server's component keeps it.
          this.sessions.delete(info.name);
          this.host.takenOver(info.name);
        }
      }
      const entries = await this.store.snapshot(this.host.clock.now());
      const fresh = new Map(entries.filter((e) => e.server !== this.host.id).map((e) => [e.info.name, e]));
      for (const [name, entry] of this.remote) {
        if (!fresh.has(name)) this.host.toWatchers({ type: 'leave', component: entry.info, at: now });
      }
      for (const [name, entry] of fresh) {
        const known = this.remote.get(name);
        if (!known || known.info.state !== entry.info.state || known.server !== entry.server) this.host.toWatchers({ type: 'join', component: entry.info, at: now });
      }
      this.remote.clear();
      for (const [name, entry] of fresh) this.remote.set(name, entry);
      await this.readTails();
    } catch (error) {
      this.markDown(error);
    } finally {
      this.resyncing = false;
    }
  }
}

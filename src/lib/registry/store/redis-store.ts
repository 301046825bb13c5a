/**
 * The store on Redis, for several `botz serve` processes (on one machine or many) to act as one
 * network. Key layout (prefix `botz` by default; PROTOCOL.md §13 has the full table):
 *
 *   {p}:components          hash  name → JSON {info, session, server}
 *   {p}:servers             hash  server id → JSON {id, address, expiresAt}
 *   {p}:names:{server}      set   the names a server holds (what a purge drops)
 *   {p}:lease:{server}      string with a TTL of the lease: its expiry is the event that a server died
 *   {p}:events              channel: membership events and departures (JSON)
 *   {p}:packets:{server}    channel: relayed packets for a server's nodes (binary)
 *   {p}:trace               channel: traffic events, while some server has tails (JSON)
 *
 * Claims, removals, renewals and purges are Lua scripts (redis-scripts.ts), each atomic. A dead
 * server is noticed through Redis's own key expiry (keyspace notifications on `{p}:lease:*`),
 * pushed to every server the moment Redis expires the key: nobody polls.
 *
 * Commands fail at once while Redis is unreachable (no offline queue): the server learns that
 * the store is down from the failure and from the `down` event, and resynchronises on `up`.
 */
import { Redis } from 'ioredis';
import { BotzError, ErrorCode } from '../../errors.js';
import type { LinkChange, MemberEvent, TrafficEvent } from '../../wire/frames.js';
import { CLAIM, PURGE, REMOVE, RENEW, type Script } from './redis-scripts.js';
import { leaseLive, type ClaimResult, type RegistryStore, type ServerRecord, type StoreEvent, type StoreOpenOptions, type StoredComponent } from './store.js';
import { decodeRelayed, encodeRelayed } from './relayed.js';

export interface RedisStoreOptions {
  /** `redis://host:port[/db]` */
  url: string;
  /** Prefix of every key and channel (default `botz`): several networks can share one Redis. */
  prefix?: string;
}

export class RedisStore implements RegistryStore {
  readonly description: string;
  private readonly prefix: string;
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private options: StoreOpenOptions | undefined;
  private isDown = false;
  private tails: { bodies: boolean } | undefined;
  private closed = false;

  constructor(options: RedisStoreOptions) {
    this.description = options.url;
    this.prefix = options.prefix ?? 'botz';
    const common = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // Reconnect for ever, at most a second apart: the store coming back must be noticed soon.
      retryStrategy: (attempt: number) => Math.min(50 * attempt, 1_000),
      connectTimeout: 2_000,
    };
    this.commands = new Redis(options.url, common);
    this.subscriber = new Redis(options.url, common);
    // Failures are reported through `open`, failed commands and the 'close' event: not as unhandled errors.
    this.commands.on('error', () => {});
    this.subscriber.on('error', () => {});
  }

  private key(suffix: string): string {
    return `${this.prefix}:${suffix}`;
  }

  async open(options: StoreOpenOptions, now: number): Promise<StoredComponent[]> {
    this.options = options;
    try {
      await Promise.all([this.commands.connect(), this.subscriber.connect()]);
    } catch (error) {
      this.commands.disconnect();
      this.subscriber.disconnect();
      throw unavailable(this.description, error);
    }
    this.commands.on('close', () => this.setDown(true));
    // A restarted Redis has forgotten its configuration (and everything else): the server claims its names again on `up`.
    this.commands.on('ready', () => void this.enableExpiryEvents().then(() => this.setDown(false)));
    await this.enableExpiryEvents();
    const db = (this.commands.options.db ?? 0).toString();
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => this.onMessage(channel.toString(), message));
    await this.subscriber.subscribe(this.key('events'), this.key('trace'), this.key(`packets:${options.server}`), `__keyevent@${db}__:expired`);
    await this.renew(now);
    return this.snapshot(now);
  }

  async claim(entry: StoredComponent, event: MemberEvent, now: number): Promise<ClaimResult> {
    const server = this.opened().server;
    const result = await this.run(CLAIM, [this.key('components'), this.key('servers'), this.key('events')], [
      entry.info.name,
      JSON.stringify(entry),
      entry.session,
      server,
      now,
      event,
      this.prefix,
    ]);
    return result === 'OK' ? { ok: true } : { ok: false, owner: JSON.parse(String(result)) as StoredComponent };
  }

  async remove(name: string, session: string): Promise<boolean> {
    const result = await this.run(REMOVE, [this.key('components'), this.key('events')], [name, session, this.opened().server, this.prefix]);
    return result === 1;
  }

  async renew(now: number): Promise<boolean> {
    const { server, address, leaseMs } = this.opened();
    const record: ServerRecord = { id: server, address, expiresAt: now + leaseMs, ...(this.tails ? { tails: this.tails } : {}) };
    const result = await this.run(RENEW, [this.key('servers'), this.key(`lease:${server}`)], [server, JSON.stringify(record), now, leaseMs]);
    return result === 1;
  }

  async snapshot(now: number): Promise<StoredComponent[]> {
    const [entries, servers] = await this.guard(() => Promise.all([this.commands.hgetall(this.key('components')), this.commands.hgetall(this.key('servers'))]));
    const liveServers = new Set(Object.values(servers).map((s) => JSON.parse(s) as ServerRecord).filter((s) => leaseLive(s, now)).map((s) => s.id));
    return Object.values(entries)
      .map((e) => JSON.parse(e) as StoredComponent)
      .filter((e) => liveServers.has(e.server));
  }

  async servers(now: number): Promise<ServerRecord[]> {
    const servers = await this.guard(() => this.commands.hgetall(this.key('servers')));
    return Object.values(servers)
      .map((s) => JSON.parse(s) as ServerRecord)
      .filter((s) => leaseLive(s, now));
  }

  async purge(server: string, now: number): Promise<void> {
    await this.run(PURGE, [this.key('servers'), this.key('components'), this.key(`lease:${server}`)], [server, now, this.prefix, '0']);
  }

  async setTails(on: boolean, bodies: boolean, now: number): Promise<void> {
    this.tails = on ? { bodies } : undefined;
    await this.renew(now);
    const server = this.opened().server;
    await this.guard(() => this.commands.publish(this.key('events'), JSON.stringify({ type: 'tails', origin: server, server, on, bodies })));
  }

  publishTrace(event: TrafficEvent | LinkChange): void {
    if (this.isDown) throw unavailable(this.description);
    this.commands.publish(this.key('trace'), JSON.stringify({ type: 'trace', origin: this.opened().server, event })).catch(() => {});
  }

  sendPacket(server: string, to: string, from: string, bytes: Uint8Array): void {
    if (this.isDown) throw unavailable(this.description);
    this.commands.publish(this.key(`packets:${server}`), encodeRelayed(to, from, this.opened().server, bytes)).catch(() => {});
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const server = this.options?.server;
    try {
      if (server !== undefined && !this.isDown) {
        await this.run(PURGE, [this.key('servers'), this.key('components'), this.key(`lease:${server}`)], [server, 0, this.prefix, '1']);
        await this.commands.publish(this.key('events'), JSON.stringify({ type: 'serverGone', origin: server, server }));
      }
    } catch {
      // Leaving a Redis that is down: the lease will expire by itself.
    } finally {
      this.commands.disconnect();
      this.subscriber.disconnect();
    }
  }

  /** Asks Redis to announce expired keys; a Redis that refuses CONFIG (managed services) must be set up so by hand. */
  private async enableExpiryEvents(): Promise<void> {
    try {
      const [, current] = (await this.commands.config('GET', 'notify-keyspace-events')) as [string, string];
      const flags = new Set([...current, 'E', 'x']);
      if (flags.has('A')) flags.delete('x');
      await this.commands.config('SET', 'notify-keyspace-events', [...flags].join(''));
    } catch {
      // Without them a dead server's names are still free from its lease's end (claims judge the
      // lease); only the `leave` events for them wait until the server's record is purged.
    }
  }

  private onMessage(channel: string, message: Buffer): void {
    const onEvent = this.options?.onEvent;
    if (!onEvent || this.closed) return;
    if (channel === this.key('events') || channel === this.key('trace')) {
      const parsed = JSON.parse(message.toString()) as { origin: string } & StoreEvent;
      if (parsed.origin === this.options!.server) return;
      const { origin: _origin, ...event } = parsed;
      onEvent(event as StoreEvent);
    } else if (channel.startsWith('__keyevent@')) {
      const key = message.toString();
      const lease = this.key('lease:');
      if (key.startsWith(lease)) onEvent({ type: 'serverGone', server: key.slice(lease.length) });
    } else {
      const relayed = decodeRelayed(message);
      if (relayed) onEvent({ type: 'packet', ...relayed });
    }
  }

  private setDown(down: boolean): void {
    if (this.closed || this.isDown === down) return;
    this.isDown = down;
    this.options?.onEvent(down ? { type: 'down', error: unavailable(this.description) } : { type: 'up' });
  }

  private run(script: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    return this.guard(async () => {
      try {
        return await this.commands.evalsha(script.sha, script.keys, ...keys, ...args);
      } catch (error) {
        if (!String(error).includes('NOSCRIPT')) throw error;
        return this.commands.eval(script.lua, script.keys, ...keys, ...args);
      }
    });
  }

  /** Any failure to talk to Redis becomes STORE_UNAVAILABLE. */
  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw unavailable(this.description, error);
    }
  }

  private opened(): StoreOpenOptions {
    if (!this.options) throw new BotzError(ErrorCode.CLOSED, 'the store is not open');
    return this.options;
  }
}

function unavailable(where: string, cause?: unknown): BotzError {
  const why = cause instanceof Error ? `: ${cause.message}` : '';
  return new BotzError(ErrorCode.STORE_UNAVAILABLE, `the shared store at ${where} is unreachable${why}`, { cause, details: { store: where } });
}

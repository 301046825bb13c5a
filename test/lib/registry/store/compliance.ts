/**
 * The store compliance suite: what every RegistryStore must do, whichever holds the registry.
 * A store test file calls `storeCompliance` with a factory of stores that share one network.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ComponentInfo } from '../../../../src/lib/wire/frames.js';
import type { RegistryStore, StoreEvent, StoredComponent } from '../../../../src/lib/registry/store/store.js';

export interface StoreNetwork {
  /** A new store handle on this test's network (call open on it). */
  store(): RegistryStore;
  /** The time tests start at (the stores' leases are judged against the `now` passed). */
  now: number;
  leaseMs: number;
  /** Lets a server's lease run out (virtual time, or Redis's own clock), without waiting for any event. */
  expireLeases(): Promise<void>;
  close(): Promise<void>;
}

export function info(name: string, state: ComponentInfo['state'] = 'registered', now = 0): ComponentInfo {
  return { name, address: null, groups: ['g'], state, meta: { k: 'v' }, lastHeartbeat: now, registeredAt: now };
}

/** A server's handle with the events it received, and a way to await one. */
export interface Opened {
  store: RegistryStore;
  id: string;
  events: StoreEvent[];
  next(match: (e: StoreEvent) => boolean): Promise<StoreEvent>;
}

export function storeCompliance(label: string, makeNetwork: () => Promise<StoreNetwork>): void {
  describe(`store compliance: ${label}`, () => {
    let net: StoreNetwork;
    const opened: Opened[] = [];

    async function open(id: string, now = net.now): Promise<Opened> {
      const store = net.store();
      const events: StoreEvent[] = [];
      const waiters: { match: (e: StoreEvent) => boolean; resolve: (e: StoreEvent) => void }[] = [];
      await store.open(
        {
          server: id,
          address: `127.0.0.1:${7300 + opened.length}`,
          leaseMs: net.leaseMs,
          onEvent: (e) => {
            events.push(e);
            for (const w of [...waiters].filter((x) => x.match(e))) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(e);
            }
          },
        },
        now,
      );
      const handle: Opened = {
        store,
        id,
        events,
        next: (match) => {
          const seen = events.find(match);
          return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ match, resolve }));
        },
      };
      opened.push(handle);
      return handle;
    }

    const entry = (name: string, session: string, server: string, state: ComponentInfo['state'] = 'registered'): StoredComponent => ({
      info: info(name, state, net.now),
      session,
      server,
    });

    afterEach(async () => {
      for (const o of opened.splice(0)) await o.store.close();
      await net?.close();
    });

    it('a name has one owner: a second server cannot take it without the session', async () => {
      net = await makeNetwork();
      const [a, b] = [await open('A'), await open('B')];
      expect(await a.store.claim(entry('x', 's1', 'A'), 'join', net.now)).toEqual({ ok: true });
      const second = await b.store.claim(entry('x', 's2', 'B'), 'join', net.now);
      expect(second.ok).toBe(false);
      expect(second.ok === false && second.owner.server).toBe('A');
      const seen = await b.store.snapshot(net.now);
      expect(seen.map((e) => [e.info.name, e.server])).toEqual([['x', 'A']]);
    });

    it('two servers racing for one name: exactly one wins', async () => {
      net = await makeNetwork();
      const [a, b] = [await open('A'), await open('B')];
      for (let i = 0; i < 20; i++) {
        const results = await Promise.all([a.store.claim(entry(`r${i}`, 'sa', 'A'), 'join', net.now), b.store.claim(entry(`r${i}`, 'sb', 'B'), 'join', net.now)]);
        expect(results.filter((r) => r.ok)).toHaveLength(1);
      }
    });

    it('the session token reclaims a name from another server, and the old server hears of it', async () => {
      net = await makeNetwork();
      const [a, b] = [await open('A'), await open('B')];
      await a.store.claim(entry('x', 's1', 'A', 'ready'), 'join', net.now);
      expect(await b.store.claim(entry('x', 's1', 'B'), 'join', net.now)).toEqual({ ok: true });
      const moved = await a.next((e) => e.type === 'member' && e.entry.server === 'B');
      expect(moved).toMatchObject({ type: 'member', event: 'join', entry: { session: 's1', server: 'B', info: { name: 'x' } } });
      expect((await a.store.snapshot(net.now)).map((e) => e.server)).toEqual(['B']);
    });

    it('ready and suspect are updates by the owner, pushed to the other servers with the entry', async () => {
      net = await makeNetwork();
      const [a, b] = [await open('A'), await open('B')];
      await a.store.claim(entry('x', 's1', 'A'), 'join', net.now);
      await b.next((e) => e.type === 'member' && e.event === 'join');
      await a.store.claim(entry('x', 's1', 'A', 'ready'), 'ready', net.now);
      await a.store.claim(entry('x', 's1', 'A', 'suspect'), 'suspect', net.now);
      const suspect = await b.next((e) => e.type === 'member' && e.event === 'suspect');
      expect(suspect).toMatchObject({ entry: { info: { name: 'x', state: 'suspect', groups: ['g'], meta: { k: 'v' } } } });
      expect(b.events.filter((e) => e.type === 'member').map((e) => e.type === 'member' && e.event)).toEqual(['join', 'ready', 'suspect']);
      // A server never hears its own events.
      expect(a.events.filter((e) => e.type === 'member')).toEqual([]);
    });

    it('a name is removed only by its owner with its session, and the others hear leave', async () => {
      net = await makeNetwork();
      const [a, b] = [await open('A'), await open('B')];
      await a.store.claim(entry('x', 's1', 'A'), 'join', net.now);
      expect(await b.store.remove('x', 's1')).toBe(false);
      expect(await a.store.remove('x', 'wrong')).toBe(false);
      expect(await a.store.remove('x', 's1')).toBe(true);
      await b.next((e) => e.type === 'member' && e.event === 'leave');
      expect(await b.store.snapshot(net.now)).toEqual([]);
      expect(await b.store.claim(entry('x', 's2', 'B'), 'join', net.now)).toEqual({ ok: true });
    });

    it("a dead server's names are free from its lease's end: no sweep needed", async () => {
      net = await makeNetwork();
      const [a, b] = [await open('A'), await open('B')];
      await a.store.claim(entry('x', 's1', 'A'), 'join', net.now);
      const later = net.now + net.leaseMs + 1;
      await b.store.renew(later);
      expect(await b.store.snapshot(later)).toEqual([]);
      expect((await b.store.servers(later)).map((s) => s.id)).toEqual(['B']);
      expect(await b.store.claim(entry('x', 's2', 'B'), 'join', later)).toEqual({ ok: true });
      // A comes back: its lease had run out, so it must claim its names again (and x is B's now).
      expect(await a.store.renew(later)).toBe(true);
      expect((await a.store.claim(entry('x', 's1', 'A'), 'join', later)).ok).toBe(false);
    });

    it('a renewed lease keeps the names; renew says it was alive', async () => {
      net = await makeNetwork();
      const [a, b] = [await open('A'), await open('B')];
      await a.store.claim(entry('x', 's1', 'A'), 'join', net.now);
      const half = net.now + net.leaseMs / 2;
      expect(await a.store.renew(half)).toBe(false);
      const later = net.now + net.leaseMs + 1;
      expect((await b.store.claim(entry('x', 's2', 'B'), 'join', later)).ok).toBe(false);
    });

    it('when a lease expires every other server is told, and a purge drops its entries', async () => {
      net = await makeNetwork();
      const [a, b, c] = [await open('A'), await open('B'), await open('C')];
      await a.store.claim(entry('x', 's1', 'A'), 'join', net.now);
      await a.store.claim(entry('y', 's2', 'A'), 'join', net.now);
      // B and C keep their leases; A stops renewing.
      const renewOthers = async (now: number) => Promise.all([b.store.renew(now), c.store.renew(now)]);
      await renewOthers(net.now + net.leaseMs / 2);
      await net.expireLeases();
      await Promise.all([b.next((e) => e.type === 'serverGone' && e.server === 'A'), c.next((e) => e.type === 'serverGone' && e.server === 'A')]);
      const later = net.now + net.leaseMs + 1;
      await b.store.purge('A', later);
      await b.store.purge('A', later); // idempotent: any server may run it
      expect(await c.store.snapshot(later)).toEqual([]);
    });

    it('a purge leaves a live server alone', async () => {
      net = await makeNetwork();
      const [a, b] = [await open('A'), await open('B')];
      await a.store.claim(entry('x', 's1', 'A'), 'join', net.now);
      await b.store.purge('A', net.now);
      expect((await b.store.snapshot(net.now)).map((e) => e.info.name)).toEqual(['x']);
    });

    it('a server that closes releases its names at once and the others are told', async () => {
      net = await makeNetwork();
      const [a, b] = [await open('A'), await open('B')];
      await a.store.claim(entry('x', 's1', 'A'), 'join', net.now);
      await a.store.close();
      await b.next((e) => e.type === 'serverGone' && e.server === 'A');
      expect(await b.store.snapshot(net.now)).toEqual([]);
      expect(await b.store.claim(entry('x', 's2', 'B'), 'join', net.now)).toEqual({ ok: true });
    });

    it("a server's tails are told to the others and kept in its record; traffic events reach every other server", async () => {
      net = await makeNetwork();
      const [a, b] = [await open('A'), await open('B')];
      await a.store.setTails(true, true, net.now);
      expect(await b.next((e) => e.type === 'tails')).toEqual({ type: 'tails', server: 'A', on: true, bodies: true });
      expect((await b.store.servers(net.now)).find((s) => s.id === 'A')?.tails).toEqual({ bodies: true });
      const event = { at: net.now, kind: 'request' as const, from: 'x', to: 'y', id: '1', path: 'relay' as const, size: 10 };
      b.store.publishTrace(event);
      expect(await a.next((e) => e.type === 'trace')).toEqual({ type: 'trace', event });
      expect(b.events.some((e) => e.type === 'trace')).toBe(false);
      await a.store.setTails(false, false, net.now);
      await b.next((e) => e.type === 'tails' && !e.on);
      expect((await b.store.servers(net.now)).find((s) => s.id === 'A')?.tails).toBeUndefined();
    });

    it('relayed packets reach the server they are sent to, with who sent them', async () => {
      net = await makeNetwork();
      const [a, b] = [await open('A'), await open('B')];
      a.store.sendPacket('B', 'target', 'sender', Buffer.from([1, 2, 3, 250]));
      const packet = await b.next((e) => e.type === 'packet');
      expect(packet).toMatchObject({ type: 'packet', to: 'target', from: 'sender', origin: 'A' });
      expect([...(packet as { bytes: Buffer }).bytes]).toEqual([1, 2, 3, 250]);
      expect(a.events.some((e) => e.type === 'packet')).toBe(false);
    });
  });
}

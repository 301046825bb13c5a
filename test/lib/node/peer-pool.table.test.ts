/**
 * The PeerPool's contract as tables, over real channels on the in-memory network with a manual
 * clock: one dial per peer however many callers wait for it, reuse, what a failed dial leaves
 * behind, how a link that ends drops out (the next call dials again), and that a link a peer
 * dialed to us is never a route (PROTOCOL.md §12, Direct messaging; issue 12.2).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Channel } from '../../../src/lib/channel/channel.js';
import { NodeContext } from '../../../src/lib/channel/node-context.js';
import { ManualClock } from '../../../src/lib/clock.js';
import { ErrorCode, type BotzError } from '../../../src/lib/errors.js';
import { DIAL_FAILURE_MEMORY_MS, PeerPool } from '../../../src/lib/node/peer-pool.js';
import { MemoryNetwork } from '../../../src/lib/transport/memory.js';
import type { Listener, Transport } from '../../../src/lib/transport/transport.js';
import { SECRET } from '../../helpers/network.js';

const TIMEOUT_MS = 1_000;
const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
});

/** How a peer at an address treats a dial: answers as `name`, answers as another name, or takes the connection and says nothing. */
type PeerMode = 'answers' | 'other-name' | 'silent';

/** Node "a" with its pool; peers to dial; every dial and every close the pool reports, recorded. */
async function world() {
  const clock = new ManualClock();
  const network = new MemoryNetwork({ clock });
  const dials: string[] = [];
  /** A test may hold the next dials back until it releases them (one gate per dial, in order). */
  const gates: Promise<void>[] = [];
  const hold = (): (() => void) => {
    let release!: () => void;
    gates.push(new Promise<void>((resolve) => (release = resolve)));
    return release;
  };
  const base = network.transport('a');
  // The pool takes a Transport: counting its dials is a wrapper, the links are the network's.
  const transport: Transport = {
    listen: (options, onLink) => base.listen(options, onLink),
    connect: async (address, options) => {
      dials.push(address.split(':')[0]);
      const gate = gates.shift();
      if (gate) await gate;
      return base.connect(address, options);
    },
  };
  const ctx = new NodeContext({ name: 'a', secret: SECRET, clock });
  const closes: string[] = [];
  const closeWaiters: (() => void)[] = [];
  const pool = new PeerPool(ctx, transport, 'component', {
    onFrame() {},
    onClose: (ch, error) => {
      closes.push(`${ch.peer} ${error.code}`);
      closeWaiters.splice(0).forEach((resolve) => resolve());
    },
  });
  stops.push(async () => pool.closeAll());
  /** The side of each peer's links it accepted, so a test can close them from there. */
  const accepted = new Map<string, Channel[]>();

  async function peer(name: string, mode: PeerMode = 'answers'): Promise<string> {
    const pctx = new NodeContext({ name: mode === 'other-name' ? `not-${name}` : name, secret: SECRET, clock });
    const listener: Listener = await network.transport(name).listen({ host: name, port: 0, maxMessageBytes: pctx.maxPacketBytes, clock }, (link) => {
      if (mode === 'silent') return;
      const ch = Channel.accept(pctx, link, () => ({ session: 'direct' }), { onFrame() {} });
      accepted.set(name, [...(accepted.get(name) ?? []), ch]);
    });
    stops.push(() => listener.close());
    return listener.address;
  }

  /** Resolves when the pool next reports a link of ours closed. */
  const nextClose = () => new Promise<void>((resolve) => closeWaiters.push(resolve));
  return { clock, network, pool, ctx, dials, closes, accepted, peer, nextClose, hold };
}

type World = Awaited<ReturnType<typeof world>>;

const outcome = (p: Promise<Channel>): Promise<string> =>
  p.then(
    (ch) => `open to ${ch.peer}`,
    (e: BotzError) => e.code,
  );

describe('PeerPool: dialing', () => {
  // Calls to get (a batch runs concurrently, batches one after the other) → dials, channels per peer.
  const cases: { name: string; batches: string[][]; dials: string[]; distinct: Record<string, number> }[] = [
    { name: 'one call: one dial', batches: [['b']], dials: ['b'], distinct: { b: 1 } },
    { name: 'concurrent calls for one peer share one dial', batches: [['b', 'b', 'b']], dials: ['b'], distinct: { b: 1 } },
    { name: 'later calls reuse the link', batches: [['b'], ['b'], ['b']], dials: ['b'], distinct: { b: 1 } },
    { name: 'each peer its own dial', batches: [['b', 'c', 'b'], ['c']], dials: ['b', 'c'], distinct: { b: 1, c: 1 } },
  ];
  it.each(cases)('$name', async ({ batches, dials, distinct }) => {
    const w = await world();
    const addresses = { b: await w.peer('b'), c: await w.peer('c') };
    const got: Record<string, Set<Channel>> = {};
    for (const batch of batches) {
      const channels = await Promise.all(batch.map((name) => w.pool.get(name, addresses[name as 'b' | 'c'], TIMEOUT_MS)));
      batch.forEach((name, i) => (got[name] ??= new Set()).add(channels[i]));
    }
    expect(w.dials).toEqual(dials);
    expect(Object.fromEntries(Object.entries(got).map(([name, set]) => [name, set.size]))).toEqual(distinct);
    for (const name of Object.keys(distinct)) expect(w.pool.open(name)).toBe([...got[name]][0]);
    expect(w.pool.size).toBe(Object.keys(distinct).length);
  });

  it('a link is open (the hot path) only once its handshake is done', async () => {
    const w = await world();
    const dial = w.pool.get('b', await w.peer('b'), TIMEOUT_MS);
    expect(w.pool.open('b')).toBeUndefined();
    expect(w.pool.size).toBe(1);
    const ch = await dial;
    expect(w.pool.open('b')).toBe(ch);
  });
});

describe('PeerPool: a dial that fails', () => {
  // What is at the address → what get rejects with.
  const cases: { name: string; at: PeerMode | 'nothing'; code: string; advance?: number }[] = [
    { name: 'nothing listens there', at: 'nothing', code: ErrorCode.UNREACHABLE },
    { name: 'another node answers (a stale address)', at: 'other-name', code: ErrorCode.UNREACHABLE },
    { name: 'it takes the connection and never answers', at: 'silent', code: ErrorCode.TIMEOUT, advance: TIMEOUT_MS },
  ];
  it.each(cases)('$name: $code; nothing kept, remembered as failed, then dialed afresh', async ({ at, code, advance }) => {
    const w = await world();
    const address = at === 'nothing' ? 'b:1' : await w.peer('b', at);
    const result = outcome(w.pool.get('b', address, TIMEOUT_MS));
    if (advance) await w.clock.advance(advance);
    expect(await result).toBe(code);
    expect(w.pool.size).toBe(0);
    expect(w.pool.open('b')).toBeUndefined();
    expect(w.pool.recentlyFailed('b')).toBe(true);
    expect(w.pool.recentlyFailed('c')).toBe(false);
    // The pool remembers; the router decides to relay meanwhile. Asked again, it dials again.
    const again = outcome(w.pool.get('b', address, TIMEOUT_MS));
    if (advance) await w.clock.advance(advance);
    await again;
    expect(w.dials).toEqual(['b', 'b']);
  });

  it.each([
    // ms after the failure → still remembered as failed?
    [0, true],
    [DIAL_FAILURE_MEMORY_MS - 1, true],
    [DIAL_FAILURE_MEMORY_MS, false],
  ])('%s ms after a failed dial, recentlyFailed is %s', async (ms, failed) => {
    const w = await world();
    await w.pool.get('b', 'b:1', TIMEOUT_MS).catch(() => {});
    await w.clock.advance(ms);
    expect(w.pool.recentlyFailed('b')).toBe(failed);
  });

  it('remembers only the failures of the last DIAL_FAILURE_MEMORY_MS: a peer cannot grow it with name after name', async () => {
    const w = await world();
    for (let i = 0; i < 100; i++) await w.pool.get(`gone-${i}`, `gone-${i}:1`, TIMEOUT_MS).catch(() => {});
    expect(w.pool.failuresRemembered).toBe(100);
    await w.clock.advance(DIAL_FAILURE_MEMORY_MS);
    await w.pool.get('b', 'b:1', TIMEOUT_MS).catch(() => {});
    expect(w.pool.failuresRemembered).toBe(1);
  });

  it('a dial that succeeds after one that failed does not clear the memory of the failure', async () => {
    // Pinned as it is: the memory only ages out. (The router asks recentlyFailed before it dials.)
    const w = await world();
    await w.pool.get('b', 'b:1', TIMEOUT_MS).catch(() => {});
    await w.pool.get('b', await w.peer('b'), TIMEOUT_MS);
    expect(w.pool.recentlyFailed('b')).toBe(true);
  });
});

describe('PeerPool: a link that ends', () => {
  // How the link to b ends → what the pool's owner is told, with which code.
  const cases: { name: string; end: (w: World) => void; told: string[] }[] = [
    { name: 'the peer closes it', end: (w) => w.accepted.get('b')![0].close(), told: ['b CLOSED'] },
    { name: 'the network cuts it', end: (w) => w.network.cut(), told: ['b CLOSED'] },
    { name: 'we drop it (it misbehaved, its address changed)', end: (w) => w.pool.drop('b'), told: ['b CLOSED'] },
  ];
  it.each(cases)('$name: dropped, the owner told ($told), the next call dials again', async ({ end, told }) => {
    const w = await world();
    const address = await w.peer('b');
    const first = await w.pool.get('b', address, TIMEOUT_MS);
    const closed = w.nextClose();
    end(w);
    await closed;
    expect(w.closes).toEqual(told);
    expect(first.link.closed).toBe(true);
    expect(w.pool.open('b')).toBeUndefined();
    expect(w.pool.size).toBe(0);
    const second = await w.pool.get('b', address, TIMEOUT_MS);
    expect(second).not.toBe(first);
    expect(w.dials).toEqual(['b', 'b']);
  });

  it('a link dropped while its dial is on the way is closed when it lands, and never open', async () => {
    const w = await world();
    const address = await w.peer('b');
    const dial = w.pool.get('b', address, TIMEOUT_MS);
    const closed = w.nextClose();
    w.pool.drop('b');
    expect(w.pool.size).toBe(0);
    const ch = await dial;
    await closed;
    expect(ch.link.closed).toBe(true);
    expect(w.pool.open('b')).toBeUndefined();
  });

  it('a dropped dial that lands after the newer one never takes its place', async () => {
    const w = await world();
    const address = await w.peer('b');
    const release = w.hold();
    const old = w.pool.get('b', address, TIMEOUT_MS);
    w.pool.drop('b');
    const fresh = await w.pool.get('b', address, TIMEOUT_MS);
    const closed = w.nextClose();
    release();
    await old;
    await closed;
    expect(w.pool.open('b')).toBe(fresh);
    expect(await w.pool.get('b', address, TIMEOUT_MS)).toBe(fresh);
    expect(w.dials).toEqual(['b', 'b']);
  });

  it('closeAll closes dialed links, dials on the way and accepted links', async () => {
    const w = await world();
    const [b, c] = [await w.peer('b'), await w.peer('c')];
    const open = await w.pool.get('b', b, TIMEOUT_MS);
    const landing = w.pool.get('c', c, TIMEOUT_MS);
    const inbound = await w.peer('in').then((address) => Channel.connect(w.ctx, w.network.transport('x'), address, { expect: 'in', role: 'component', handlers: { onFrame() {} } }));
    w.pool.accept(inbound.channel);
    const bothClosed = Promise.all([w.nextClose(), w.nextClose()]);
    w.pool.closeAll();
    expect(w.pool.size).toBe(0);
    expect(w.pool.accepted.size).toBe(0);
    expect(inbound.channel.link.closed).toBe(true);
    // Dialed links close from the dial's promise: a microtask later, established or not.
    const late = await landing;
    await bothClosed;
    expect(open.link.closed).toBe(true);
    expect(late.link.closed).toBe(true);
    expect(w.closes.sort()).toEqual(['b CLOSED', 'c CLOSED']);
  });
});

describe('PeerPool: a link a peer dialed to us is never a route (issue 12.2)', () => {
  /** "b" dials "a": the link a's listener accepted, handed to the pool as the node does. */
  async function inbound(w: World) {
    let accepted!: Channel;
    let gone!: () => void;
    const acceptedClosed = new Promise<void>((resolve) => (gone = resolve));
    const listener = await w.network.transport('a').listen({ host: 'a', port: 0, maxMessageBytes: w.ctx.maxPacketBytes, clock: w.clock }, (link) => {
      accepted = Channel.accept(w.ctx, link, (_hello, ch) => (w.pool.accept(ch), { session: 'direct' }), {
        onFrame() {},
        onClose: (ch) => {
          w.pool.acceptedClosed(ch);
          gone();
        },
      });
    });
    stops.push(() => listener.close());
    const bctx = new NodeContext({ name: 'b', secret: SECRET, clock: w.clock });
    const { channel } = await Channel.connect(bctx, w.network.transport('b'), listener.address, { expect: 'a', role: 'component', handlers: { onFrame() {} } });
    stops.push(async () => channel.close());
    return { accepted, dialer: channel, acceptedClosed };
  }

  // What the test asks of the pool after b dialed in → what it answers.
  const cases: { name: string; ask: (w: World, accepted: Channel) => Promise<unknown> | unknown; expected: unknown }[] = [
    { name: 'open(b) is not the accepted link', ask: (w) => w.pool.open('b'), expected: undefined },
    { name: 'size counts routes only', ask: (w) => w.pool.size, expected: 0 },
    { name: 'the accepted link is kept (so closeAll closes it)', ask: (w, accepted) => w.pool.accepted.has(accepted), expected: true },
    { name: 'get(b) dials a link of its own', ask: async (w, accepted) => (await w.pool.get('b', await w.peer('b'), TIMEOUT_MS)) !== accepted && w.dials.join(), expected: 'b' },
  ];
  it.each(cases)('$name', async ({ ask, expected }) => {
    const w = await world();
    const { accepted } = await inbound(w);
    expect(accepted.peer).toBe('b');
    expect(await ask(w, accepted)).toEqual(expected);
  });

  it('when the accepted link closes it is let go, and the owner hears of no path of ours going down', async () => {
    const w = await world();
    const { accepted, dialer, acceptedClosed } = await inbound(w);
    const route = await w.pool.get('b', await w.peer('b'), TIMEOUT_MS);
    dialer.close();
    await acceptedClosed;
    expect(accepted.link.closed).toBe(true);
    expect(w.pool.accepted.size).toBe(0);
    expect(w.closes).toEqual([]);
    expect(w.pool.open('b')).toBe(route);
  });

  it('a link already closed is not kept', async () => {
    const w = await world();
    const { accepted } = await inbound(w);
    w.pool.acceptedClosed(accepted);
    accepted.close();
    w.pool.accept(accepted);
    expect(w.pool.accepted.has(accepted)).toBe(false);
  });
});

/**
 * A mesh node facing hostile input: datagrams that are not solicitations, announcements padded
 * to the packet limit, forged announcements about another node, and a start that fails half way.
 * Real parts only: mesh nodes on the in-memory network of sim.ts, real UDP on loopback
 * (127.255.255.255, see STACK.md) and real ws listeners.
 */
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { Component, ErrorCode } from '../../../src/index.js';
import { Channel } from '../../../src/lib/channel/channel.js';
import { NodeContext } from '../../../src/lib/channel/node-context.js';
import { Announcer, type MsaSink } from '../../../src/lib/mesh/announcer.js';
import { MAX_MSA_NEIGHBOURS, MAX_MSA_NUMBER } from '../../../src/lib/wire/mesh-frames.js';
import { ManualClock } from '../../../src/lib/clock.js';
import { MeshNode } from '../../../src/lib/mesh/mesh-node.js';
import type { DiscoveryConfig } from '../../../src/lib/mesh/mesh-options.js';
import { Topology, type Announcement } from '../../../src/lib/mesh/topology.js';
import { wsTransport } from '../../../src/lib/transport/ws.js';
import type { Frame } from '../../../src/lib/wire/frames.js';
import { validateFrame } from '../../../src/lib/wire/validate.js';
import { FIXED_HEADER_BYTES, MAC_BYTES } from '../../../src/lib/wire/packet.js';
import { freePort, NOTHING_LISTENS, freeUdpPort } from '../../helpers/ports.js';
import { until } from '../../helpers/wait.js';
import { Sim, SECRET } from './sim.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});


/** A peer that holds the mesh secret and sends whatever it likes over a link to `address`. */
async function evilPeer(sim: Sim, address: string, name = 'evil'): Promise<Channel> {
  const ctx = new NodeContext({ name, secret: SECRET, codecs: ['json'] });
  const { channel } = await Channel.connect(ctx, sim.network.transport(name), address, {
    expect: '*',
    role: 'peer',
    handlers: { onFrame() {} },
  });
  cleanups.push(() => channel.close());
  return channel;
}

/** The largest n for which `mk(n)`, sent by `ch` as an msa, still fits one packet of `limit` bytes. */
function largestPadding(ch: Channel, limit: number, mk: (n: number) => object): number {
  // The id of the frame actually sent may be a digit or two longer than one drawn now.
  const id = `${ch.ctx.nextId()}00`;
  const fits = (n: number) => {
    const frame = { v: 1, id, from: ch.ctx.name, type: 'msa', ...mk(n) } as Frame;
    return ch.sealer.encode(frame).bytes + FIXED_HEADER_BYTES + 1 + MAC_BYTES + 8 <= limit;
  };
  let [lo, hi] = [0, limit];
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

async function line(names: string[], options = {}): Promise<Sim> {
  const sim = new Sim();
  cleanups.push(() => sim.stopAll());
  for (const n of names) await sim.add(n, options);
  for (let i = 1; i < names.length; i++) await sim.link(names[i - 1], names[i]);
  await until('the line converges', () => sim.converged());
  return sim;
}

/** Open UDP sockets and TCP listeners of this process, by kind. */
function openHandles(): { udp: number; tcpServers: number } {
  const all = process.getActiveResourcesInfo();
  return { udp: all.filter((r) => r === 'UDPWrap').length, tcpServers: all.filter((r) => r === 'TCPServerWrap').length };
}

/** True when a plain (no SO_REUSEADDR) UDP socket can bind `port`: nobody else holds it. */
function udpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, () => s.close(() => resolve(true)));
  });
}

describe('discovery survives hostile datagrams', () => {
  it('ignores null, other non-object JSON, malformed solicitations and garbage, and still discovers a real peer', async () => {
    const config: DiscoveryConfig = { group: '127.255.255.255', port: await freeUdpPort(), intervalMs: 50 };
    const ns = 'hostile-udp';
    const a = new MeshNode({ name: 'a', secret: SECRET, transport: wsTransport, namespace: ns, degree: 1, discovery: config });
    cleanups.push(() => a.stop());
    await a.start();
    const discovery = (a as unknown as { discovery: { counters?: { ignored: number } } }).discovery;

    const datagrams: (string | Buffer)[] = [
      'null',
      'true',
      '42',
      '"mesh-solicit"',
      '[]',
      '[{"botz":"mesh-solicit"}]',
      '{}',
      JSON.stringify({ botz: 'mesh-solicit', ns, name: { toString: 1 }, port: 7000 }),
      JSON.stringify({ botz: 'mesh-solicit', ns, name: 'x', port: '7000' }),
      JSON.stringify({ botz: 'mesh-solicit', ns, name: 'x', port: 70_000 }),
      JSON.stringify({ botz: 'mesh-solicit', ns, name: '', port: 7000 }),
      JSON.stringify({ botz: 'mesh-solicit', ns, name: 'x'.repeat(256), port: 7000 }),
      '{"__proto__": null, "botz": "mesh-solicit"}',
      Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x80, 0x22]),
      Buffer.alloc(0),
    ];
    const udp = createSocket({ type: 'udp4' });
    cleanups.push(() => new Promise<void>((r) => udp.close(() => r())));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
    udp.setBroadcast(true);
    for (const d of datagrams) await new Promise<void>((r, j) => udp.send(d, config.port, '127.255.255.255', (e) => (e ? j(e) : r())));

    // Each one was heard and ignored, none of them crashed the process.
    await until('every hostile datagram was ignored', () => (discovery.counters?.ignored ?? 0) >= datagrams.length);
    expect(a.neighbours()).toEqual([]);

    const b = new MeshNode({ name: 'b', secret: SECRET, transport: wsTransport, namespace: ns, degree: 1, discovery: config });
    cleanups.push(() => b.stop());
    await b.start();
    await until('a and b to discover each other', () => a.neighbours().join() === 'b' && b.neighbours().join() === 'a', 10_000);
    await until('a route to b', () => a.hasRoute('b'), 10_000);
    expect((await a.send(['b'], 'hi')).reached).toEqual(['b']);
  });
});

describe('oversized announcements', () => {
  it('a secret-holding peer flooding an msa padded to the packet limit is rejected; honest routes stay', async () => {
    const victimName = 'victim-node-with-a-longer-name';
    // At a 1 MiB limit: the padding search and the floods stay small (the rule is the same at 16 MiB).
    const sim = await line([victimName, 'b', 'c'], { maxPacketBytes: 1_048_576 });
    const victim = sim.node(victimName);
    const evil = await evilPeer(sim, victim.address!, 'e');
    // Install the link with a harmless first frame, so the hostile ones reach the announcer.
    evil.send({ type: 'msa', origin: 'e', incarnation: 1, seq: 1, neighbours: [] }, '*');
    await until('the victim installs the evil link', () => victim.neighbours().includes('e'));

    const limit = victim.ctx.maxPacketBytes;
    const hostile = [
      // One neighbour name padded until the packet is as large as the evil peer may send: the
      // victim's copy, with its longer name as `from`, would not fit (the reviewer's trigger).
      (n: number) => ({ origin: 'zz', incarnation: 1, seq: 1, neighbours: ['x'.repeat(n)] }),
      // Names of an allowed length, but far too many of them (padded the same way).
      (n: number) => ({ origin: 'zy', incarnation: 1, seq: 1, neighbours: Array.from({ length: Math.floor(n / 258) }, (_, i) => `${i}`.padEnd(255, 'y')) }),
      // An origin no packet header could name.
      () => ({ origin: 'o'.repeat(256), incarnation: 1, seq: 1, neighbours: [] }),
    ].map((mk) => mk(largestPadding(evil, limit, mk)));
    for (const msa of hostile) {
      const before = victim.counters().rejectedPackets;
      expect(() => evil.send({ type: 'msa', ...msa }, '*')).not.toThrow();
      await until(`the victim rejects the msa of ${msa.origin.slice(0, 8)}`, () => victim.counters().rejectedPackets > before);
    }
    for (const n of [victimName, 'b', 'c']) {
      expect(sim.node(n).topology.nodes()).not.toContain('zz');
      expect(sim.node(n).topology.nodes()).not.toContain('zy');
    }
    expect(sim.node('b').counters().rejectedPackets).toBe(0);
    expect(sim.node('c').counters().rejectedPackets).toBe(0);
    expect((await victim.send(['b', 'c'], 'still here')).reached).toEqual(['b', 'c']);
    expect((await sim.node('c').send([victimName], 'and back')).reached).toEqual([victimName]);
  });

  it('an msa at the neighbour cap with the longest names still fits a packet, and more is malformed', () => {
    const name = '\u0001'.repeat(255); // JSON's worst case: six bytes per byte of name
    const msa = (n: number) => ({ v: 1, id: 'x'.repeat(64), from: name, type: 'msa', origin: name, incarnation: MAX_MSA_NUMBER, seq: MAX_MSA_NUMBER, neighbours: Array.from({ length: n }, () => name) });
    expect(Buffer.byteLength(JSON.stringify(msa(MAX_MSA_NEIGHBOURS)))).toBeLessThan(new NodeContext({ name: 'n', secret: SECRET }).maxPacketBytes - 1024);
    expect(() => validateFrame(msa(MAX_MSA_NEIGHBOURS))).not.toThrow();
    expect(() => validateFrame(msa(MAX_MSA_NEIGHBOURS + 1))).toThrow(expect.objectContaining({ code: ErrorCode.MALFORMED_FRAME }));
  });

  it('flooding and catching up are best effort per link: a link whose send throws is skipped', () => {
    const sent: string[] = [];
    const good = (peer: string): MsaSink => ({ send: (f) => (sent.push(`${peer}:${(f as { origin: string }).origin}`), {} as Frame) });
    const broken: MsaSink = {
      send: () => {
        throw Object.assign(new Error('a msa of 2000000 bytes exceeds the packet limit'), { code: ErrorCode.FRAME_TOO_LARGE });
      },
    };
    const topology = new Topology('me', 10_000);
    const links = new Map<string, MsaSink>([['a', good('a')], ['broken', broken], ['z', good('z')]]);
    const announcer = new Announcer({ name: 'me', topology, links: () => links, clock: new ManualClock(1000), intervalMs: 1000, onChange() {} });
    cleanups.push(() => announcer.stop());
    announcer.announce();
    expect(sent).toEqual(['a:me', 'z:me']);
    sent.length = 0;
    announcer.receive({ v: 1, id: '1', from: 'a', type: 'msa', origin: 'x', incarnation: 1, seq: 1, neighbours: [] }, 'a');
    expect(sent).toEqual(['z:x']);
    expect(() => announcer.sendDatabase(broken)).not.toThrow();
    expect(() => announcer.sendOwn(broken)).not.toThrow();
  });
});

describe('forged announcements about another node', () => {
  const own = (n: MeshNode): Announcement => n.topology.get(n.name)!;
  const sane = (x: number) => Number.isSafeInteger(x) && x >= 0 && x <= MAX_MSA_NUMBER;

  /** a - b - c; the forger links to b and floods a forged state of a; a must stay routable. */
  async function forge(msa: (a: Announcement) => Omit<Announcement, 'origin'>, timeoutMs = 5_000): Promise<{ before: Announcement; after: Announcement; malformed: boolean }> {
    const sim = await line(['a', 'b', 'c'], { msaIntervalMs: 100 });
    const [a, b, c] = ['a', 'b', 'c'].map((n) => sim.node(n));
    const before = own(a);
    const forged = { origin: 'a', ...msa(own(a)) };
    let heard = false;
    const rejectedBefore = b.counters().rejectedPackets;
    b.on((e) => {
      const held = b.topology.get('a');
      if (e.type === 'topology' && held?.incarnation === forged.incarnation && held.seq === forged.seq) heard = true;
    });
    const evil = await evilPeer(sim, b.address!);
    evil.send({ type: 'msa', ...forged }, '*');
    await until('b to take the forged state in or reject it', () => heard || b.counters().rejectedPackets > rejectedBefore);
    const rejectedByB = b.counters().rejectedPackets;
    // a's later announcements (it announces every 100 ms) are believed again by b and c ...
    await until(
      "b and c to hold a's own current state and the routes to converge",
      () => [b, c].every((n) => JSON.stringify(n.topology.get('a')) === JSON.stringify(own(a))) && sim.converged(),
      timeoutMs,
    );
    // ... and a's numbers still leave room to count up: nobody rejects its packets.
    expect(sane(own(a).incarnation) && sane(own(a).seq)).toBe(true);
    const converged = own(a);
    await until('b and c to take in a later announcement of a', () =>
      [b, c].every((n) => n.topology.get('a')!.incarnation === converged.incarnation && n.topology.get('a')!.seq > converged.seq),
    );
    expect([a.counters().rejectedPackets, b.counters().rejectedPackets, c.counters().rejectedPackets]).toEqual([0, rejectedByB, 0]);
    expect((await c.send(['a'], 'x')).reached).toEqual(['a']);
    return { before, after: own(a), malformed: rejectedByB > rejectedBefore };
  }

  it('a forged seq of Number.MAX_SAFE_INTEGER does not make a unreachable', async () => {
    const r = await forge((a) => ({ incarnation: a.incarnation, seq: Number.MAX_SAFE_INTEGER, neighbours: [] }));
    expect(r.malformed).toBe(true);
  });

  it('a forged incarnation of Number.MAX_SAFE_INTEGER does not make a unreachable', async () => {
    const r = await forge(() => ({ incarnation: Number.MAX_SAFE_INTEGER, seq: 1, neighbours: [] }));
    expect(r.malformed).toBe(true);
    expect(r.after.incarnation).toBe(r.before.incarnation);
  });

  it('a forged seq at the bound is outnumbered by a new incarnation of a, not copied', async () => {
    const r = await forge((a) => ({ incarnation: a.incarnation, seq: MAX_MSA_NUMBER, neighbours: [] }));
    expect(r.malformed).toBe(false);
    expect(r.after.incarnation).toBeGreaterThan(r.before.incarnation);
    expect(r.after.seq).toBeLessThan(1000);
  });

  it('a forged huge incarnation below the bound is outnumbered', async () => {
    const r = await forge(() => ({ incarnation: MAX_MSA_NUMBER - 10, seq: MAX_MSA_NUMBER, neighbours: [] }));
    expect(r.after.incarnation).toBe(MAX_MSA_NUMBER - 9);
    expect(r.after.seq).toBeLessThan(1000);
  });

  it('a forged state at the very bound cannot be outnumbered, but ages out and a is believed again', async () => {
    const r = await forge(() => ({ incarnation: MAX_MSA_NUMBER, seq: MAX_MSA_NUMBER, neighbours: [] }));
    expect(r.after.incarnation).toBe(r.before.incarnation);
  });
});

describe('a start that fails half way', () => {
  // Joining a multicast group on an address no interface has fails (ENODEV / EADDRNOTAVAIL)
  // after the listener is up. 192.0.2.1 is TEST-NET-1: never a local address, nothing is sent.
  const broken = (port: number): DiscoveryConfig => ({ group: '239.1.2.3', port, interfaceAddress: '192.0.2.1' });

  it('MeshNode.start closes the listener, the UDP socket and the announcer before it rethrows', async () => {
    const port = await freePort();
    const udp = await freeUdpPort();
    const before = openHandles();
    const node = new MeshNode({ name: 'f1', secret: SECRET, transport: wsTransport, port, degree: 2, discovery: broken(udp) });
    cleanups.push(() => node.stop());
    await expect(node.start()).rejects.toThrow();
    await until('the listener and the UDP socket to close', () => {
      const now = openHandles();
      return now.udp <= before.udp && now.tcpServers <= before.tcpServers;
    });
    expect(node.address).toBeUndefined();
    expect(await udpPortFree(udp)).toBe(true);
    // The topology holds no announcement of a node that never ran, and nothing announces later.
    const again = new MeshNode({ name: 'f1', secret: SECRET, transport: wsTransport, port });
    cleanups.push(() => again.stop());
    expect(await again.start()).toBe(`127.0.0.1:${port}`);
  });

  it('a Component whose mesh fails to start frees the mesh port, so a retry works', async () => {
    const port = await freePort();
    const udp = await freeUdpPort();
    const before = openHandles();
    const start = (discovery?: DiscoveryConfig) =>
      Component.start({ server: NOTHING_LISTENS, secret: SECRET, name: 'f2', connectTimeoutMs: 300, mesh: { port, degree: 1, discovery }, onMessage: () => ({}) });
    await expect(start(broken(udp))).rejects.toThrow();
    await until('the mesh listener and the UDP socket to close', () => {
      const now = openHandles();
      return now.udp <= before.udp && now.tcpServers <= before.tcpServers;
    });
    expect(await udpPortFree(udp)).toBe(true);
    const c = await start();
    cleanups.push(() => c.stop());
    expect(c.mesh!.address).toBe(`127.0.0.1:${port}`);
  });
});

describe('silent links', () => {
  it('a link that completes the handshake but never sends its mesh state is closed after dialTimeoutMs', async () => {
    const sim = new Sim();
    cleanups.push(() => sim.stopAll());
    const node = await sim.add('quiet-target', { dialTimeoutMs: 200 });
    const silent = await evilPeer(sim, node.address!, 'silent');
    await until('the silent link is closed', () => silent.link.closed, 3_000);
    expect(node.status().links).toEqual([]);
  });
});

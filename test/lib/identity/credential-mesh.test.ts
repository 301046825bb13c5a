/**
 * Credential components on the mesh, on real sockets (PROTOCOL.md §12 Mesh, Credentials): mesh
 * links are credential links, and what a credential node carries over the mesh is sealed end to
 * end for its recipient. A node on the path forwards what it cannot read and cannot pass its own
 * frames off as another's; a credential for `a` cannot link as `b`; the grant's permissions hold
 * at the recipient; a revoked grant's mesh links are cut.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Component, ErrorCode, Issuer, ManualClock, loadCredential, type BotzError, type Credential, type Message, type Permissions } from '../../../src/index.js';
import { Channel } from '../../../src/lib/channel/channel.js';
import { NodeContext } from '../../../src/lib/channel/node-context.js';
import type { MeshNode } from '../../../src/lib/mesh/mesh-node.js';
import { MeshSealing } from '../../../src/lib/mesh/sealing.js';
import { wsTransport } from '../../../src/lib/transport/ws.js';
import type { CarriedFrame, SealedFrame } from '../../../src/lib/wire/mesh-frames.js';
import type { Frame } from '../../../src/lib/wire/frames.js';
import { Network } from '../../helpers/network.js';
import { NOTHING_LISTENS } from '../../helpers/ports.js';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { until } from '../../helpers/wait.js';

const NONE: Permissions = { register: false, send: [], broadcast: [], shutdown: [], tail: [], tailBodies: false, list: false };
const PEER: Permissions = { ...NONE, register: true, send: ['*'], broadcast: ['*'] };

let net: Network;
afterEach(() => net.stopAll());

interface Setup {
  issuer: Issuer;
  received: { to: string; from: string; path: string; body: unknown }[];
  node(name: string, dial?: string[], permissions?: Permissions): Promise<{ component: Component; credential: Credential }>;
}

async function setup(options: { clock?: ManualClock } = {}): Promise<Setup> {
  net = new Network();
  const clock = options.clock;
  const issuer = new Issuer(undefined, false, clock ? () => clock.now() : undefined);
  await net.serve({ identity: { authority: issuer }, ...(clock ? { clock, heartbeatIntervalMs: 3_600_000, credentialCheckMs: 1_000 } : {}) });
  const received: Setup['received'] = [];
  const node = async (name: string, dial: string[] = [], permissions: Permissions = PEER) => {
    const credential = loadCredential(issuer.issue(name, permissions).file);
    const component = await net.component({
      name,
      secret: undefined,
      identity: { credential },
      mesh: { dial, ...(clock ? { clock } : {}) },
      onMessage: (m: Message) => (received.push({ to: name, from: m.from, path: m.path, body: m.body }), { at: name, from: m.from }),
    });
    return { component, credential };
  };
  return { issuer, received, node };
}

/** a — b — c on the mesh, each with its own credential; a knows a route to c. */
async function line(s: Setup, permissions: Partial<Record<'a' | 'b' | 'c', Permissions>> = {}) {
  const a = await s.node('a', [], permissions.a);
  const b = await s.node('b', [a.component.mesh!.address], permissions.b);
  const c = await s.node('c', [b.component.mesh!.address], permissions.c);
  await until('a and c know routes to each other', () => a.component.mesh!.hasRoute('c') && c.component.mesh!.hasRoute('a'));
  return { a, b, c };
}

/** What a mesh node's internals offer a test that plays a dishonest hop. */
const forwarderOf = (node: MeshNode) => (node as unknown as { forwarder: { originate(r: string[], f: CarriedFrame[], b: boolean): Promise<{ reached: string[] }> } }).forwarder;
/** A sealed frame's box as bytes, whichever form it travelled in. */
const boxOf = (frame: SealedFrame): Buffer => (typeof frame.box === 'string' ? Buffer.from(frame.box, 'base64url') : Buffer.from(frame.box));
const sealingOf = (node: MeshNode) => (node as unknown as { sealing: MeshSealing }).sealing;

describe('credential components on the mesh', () => {
  it('a request from a reaches c through b, attributed to a, and the answer comes back sealed too', async () => {
    const s = await setup();
    const { a, c } = await line(s);
    const reply = await a.component.mesh!.request('c', { q: 1 });
    expect(reply.body).toEqual({ at: 'c', from: 'a' });
    expect(reply.hops).toEqual(['a', 'b', 'c']);
    expect(s.received).toEqual([{ to: 'c', from: 'a', path: 'mesh', body: { q: 1 } }]);
    // One-way messages and a mesh-wide broadcast: one sealed copy per recipient.
    expect(await c.component.mesh!.send(['a'], { one: 'way' })).toEqual({ reached: ['a'], unreachable: [] });
    expect(await a.component.mesh!.broadcast({ all: true })).toEqual({ reached: ['b', 'c'], unreachable: [] });
    await until('both copies delivered', () => s.received.filter((r) => (r.body as { all?: boolean }).all).length === 2);
    expect(s.received.filter((r) => r.path !== 'mesh')).toEqual([]);
  });

  it('the hop in the middle forwards boxes it cannot read: no body, header or frame of a and c appears in what b sees', async () => {
    const s = await setup();
    const { a, b } = await line(s);
    const seen: unknown[] = [];
    b.component.mesh!.node.on((e) => e.type === 'traffic' && e.action === 'forward' && seen.push(...e.frames));
    const secret = 'the-plaintext-b-must-never-see';
    expect((await a.component.mesh!.request('c', { secret }, { headers: { note: secret } })).body).toMatchObject({ at: 'c' });
    expect(seen.length).toBe(2); // the request, then the response
    for (const frame of seen as SealedFrame[]) {
      expect(frame.type).toBe('sealed');
      expect(boxOf(frame).includes(secret)).toBe(false);
      expect(JSON.stringify({ ...frame, box: undefined })).not.toContain(secret);
    }
    // b cannot open them either: they are sealed for a and c only.
    expect(() => sealingOf(b.component.mesh!.node).open(seen[0] as SealedFrame)).toThrow(/reached "b"/);
    expect(() => sealingOf(b.component.mesh!.node).open({ ...(seen[0] as SealedFrame), to: 'b' })).toThrow(expect.objectContaining({ code: ErrorCode.BAD_MAC }));
  });

  it('b cannot pass its own frames off as a: not unsealed, not sealed in its name, not with an altered box; nothing is delivered', async () => {
    const s = await setup();
    const { a, b, c } = await line(s);
    const bMesh = b.component.mesh!.node;
    const rejected = () => c.component.mesh!.node.ctx.rejected;
    const request = (from: string): CarriedFrame => ({ ...bMesh.ctx.stamp({ type: 'message', body: { forged: from } }), from }) as unknown as CarriedFrame;
    const cIdentity = c.component.mesh!.node.topology.get('c')!.identity;
    const sealing = sealingOf(bMesh);
    // 1. A plain frame claiming to be a's, carried to c.
    await forwarderOf(bMesh).originate(['c'], [request('a')], false);
    // 2. Sealed by b (its key) but stamped as a's sealed frame.
    const asA = { ...sealing.seal('c', cIdentity, [request('b')]), from: 'a' } as unknown as CarriedFrame;
    await forwarderOf(bMesh).originate(['c'], [asA], false);
    // 3. Sealed by b in its own name, holding a frame that claims a.
    await forwarderOf(bMesh).originate(['c'], [sealing.seal('c', cIdentity, [request('a')]) as unknown as CarriedFrame], false);
    // 4. a's own sealed message (captured by b on its way), one byte of the box changed; 5. replayed as it was.
    const captured: SealedFrame[] = [];
    bMesh.on((e) => e.type === 'traffic' && e.action === 'forward' && captured.push(...(e.frames as unknown as SealedFrame[])));
    await a.component.mesh!.send(['c'], { honest: true });
    const box = boxOf(captured[0]);
    box[3] ^= 1;
    await forwarderOf(bMesh).originate(['c'], [{ ...captured[0], box } as unknown as CarriedFrame], false);
    await forwarderOf(bMesh).originate(['c'], [captured[0] as unknown as CarriedFrame], false);
    await until('all five refused', () => Object.values(rejected()).reduce((x, y) => x + y, 0) === 5);
    expect(rejected()).toEqual({ FORBIDDEN: 2, CREDENTIAL_REJECTED: 1, BAD_MAC: 1, REPLAY: 1 });
    expect(s.received).toEqual([{ to: 'c', from: 'a', path: 'mesh', body: { honest: true } }]);
  });

  it("a sender's identity travels until the recipient has sealed something for its key, then is left out", async () => {
    const s = await setup();
    const { a, b } = await line(s);
    const seen: SealedFrame[] = [];
    b.component.mesh!.node.on((e) => e.type === 'traffic' && e.action === 'forward' && seen.push(...(e.frames as unknown as SealedFrame[])));
    for (let i = 0; i < 3; i++) expect((await a.component.mesh!.request('c', { i })).body).toMatchObject({ at: 'c' });
    // a → c (identity: c has not sealed for a yet), c → a (a sealed for c's key: c leaves its own out), then neither.
    expect(seen.map((f) => [f.from, f.identity !== undefined])).toEqual([['a', true], ['c', false], ['a', false], ['c', false], ['a', false], ['c', false]]);
    expect(seen.every((f) => typeof f.key === 'string' && f.key.length > 0)).toBe(true);
  });

  it('a sealed frame without an identity opens only under a key the recipient knows', async () => {
    const s = await setup();
    const { b, c } = await line(s);
    const bMesh = b.component.mesh!.node;
    const sealing = sealingOf(bMesh);
    const cIdentity = c.component.mesh!.node.topology.get('c')!.identity;
    const message = { ...bMesh.ctx.stamp({ type: 'message', body: { from: 'b' } }) } as unknown as CarriedFrame;
    // b's announced key, without its identity: c finds it in b's announcement and opens it.
    const { identity: _id, ...bare } = sealing.seal('c', cIdentity, [message]);
    await forwarderOf(bMesh).originate(['c'], [bare as unknown as CarriedFrame], false);
    await until('delivered', () => s.received.length === 1);
    expect(s.received[0]).toMatchObject({ to: 'c', from: 'b', body: { from: 'b' } });
    // A key b never announced, without an identity to prove it: refused.
    const { identity: _id2, ...unknown } = sealing.seal('c', cIdentity, [{ ...message, id: 'x.2' }]);
    const before = c.component.mesh!.node.ctx.rejected.CREDENTIAL_REJECTED ?? 0;
    await forwarderOf(bMesh).originate(['c'], [{ ...unknown, key: Buffer.alloc(32, 9).toString('base64url') } as unknown as CarriedFrame], false);
    await until('refused', () => (c.component.mesh!.node.ctx.rejected.CREDENTIAL_REJECTED ?? 0) === before + 1);
    expect(s.received.length).toBe(1);
  });

  it('a node that restarts has a new mesh key, and its peers seal for the new one', async () => {
    const s = await setup();
    const { a, b, c } = await line(s);
    expect((await a.component.mesh!.request('c', { run: 1 })).body).toMatchObject({ at: 'c' });
    const oldKey = a.component.mesh!.node.topology.get('c')!.identity!.key;
    await c.component.stop();
    // The same credential, a new run: a new mesh key, announced with a newer incarnation.
    const again = await net.component({
      name: 'c',
      secret: undefined,
      identity: { credential: c.credential },
      mesh: { dial: [b.component.mesh!.address] },
      onMessage: (m: Message) => (s.received.push({ to: 'c', from: m.from, path: m.path, body: m.body }), { at: 'c', run: 2 }),
    });
    await until('a learns the new key', () => a.component.mesh!.node.topology.get('c')?.identity?.key === again.mesh!.node.topology.get('c')!.identity!.key);
    expect(a.component.mesh!.node.topology.get('c')!.identity!.key).not.toBe(oldKey);
    await until('a routes to c again', () => a.component.mesh!.hasRoute('c') && again.mesh!.hasRoute('a'));
    expect((await a.component.mesh!.request('c', { run: 2 })).body).toEqual({ at: 'c', run: 2 });
  });

  it('large and binary bodies cross sealed: a small JSON box as text, a large or binary one as bytes', async () => {
    const s = await setup();
    const { a, b } = await line(s);
    const forms: string[] = [];
    b.component.mesh!.node.on((e) => e.type === 'traffic' && e.action === 'forward' && forms.push(...(e.frames as unknown as SealedFrame[]).map((f) => typeof f.box)));
    const bytes = Buffer.alloc(300_000, 7);
    const text = 'x'.repeat(200_000);
    expect((await a.component.mesh!.request('c', { bytes })).body).toMatchObject({ at: 'c' });
    expect((await a.component.mesh!.request('c', { text })).body).toMatchObject({ at: 'c' });
    expect((await a.component.mesh!.request('c', { small: 1 })).body).toMatchObject({ at: 'c' });
    const got = s.received.map((r) => r.body as { bytes?: Uint8Array; text?: string });
    expect(Buffer.from(got[0].bytes!).equals(bytes)).toBe(true);
    expect(got[1].text).toBe(text);
    // Each request, then its (small) response: the binary and the large body go as bytes, the small ones as text.
    expect(forms).toEqual(['object', 'string', 'object', 'string', 'string', 'string']);
  });

  it("a hop cannot speak for another node: announcements not signed by their origin are refused, and routes stay", async () => {
    const s = await setup();
    const { a, b, c } = await line(s);
    const aMesh = a.component.mesh!.node;
    const toA = (b.component.mesh!.node as unknown as { links: Map<string, Channel> }).links.get('a')!;
    const held = aMesh.topology.get('c')!;
    const newer = { origin: 'c', incarnation: held.incarnation, seq: held.seq + 100, neighbours: [] as string[] };
    const bIdentity = b.component.mesh!.node.topology.get('b')!.identity!;
    const bSig = sealingOf(b.component.mesh!.node).signAnnouncement({ ...newer, origin: 'b' });
    const forgeries = [
      newer, // no key, no signature
      { ...newer, identity: bIdentity, sig: bSig }, // b's key and signature, for c
      { ...newer, identity: held.identity, sig: bSig }, // c's key, b's signature
      { ...newer, identity: held.identity, sig: held.sig }, // c's key and its signature of another announcement
    ];
    for (const f of forgeries) toA.send({ type: 'msa', ...f });
    await until('all four refused', () => aMesh.counters().msaRefused === 4);
    expect(aMesh.topology.get('c')).toEqual(held);
    expect((await a.component.mesh!.request('c', { still: true })).body).toMatchObject({ at: 'c' });
    // c's own announcements keep coming through b, signed.
    expect(c.component.mesh!.node.counters().msaRefused).toBe(0);
  });

  it('the recipient applies the grant: a request a may not send is refused FORBIDDEN over the mesh', async () => {
    const s = await setup();
    const { a } = await line(s, { a: { ...PEER, send: ['b'] } });
    await expect(a.component.mesh!.request('c', {})).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
    expect((await a.component.mesh!.request('b', {})).body).toMatchObject({ at: 'b', from: 'a' });
    expect(s.received.map((r) => r.to)).toEqual(['b']);
  });

  it('a credential for a links to a mesh node only as a; a frame on its link in another name is dropped', async () => {
    const s = await setup();
    const { a, b } = await line(s);
    const dial = async (as: string, credential?: Credential, secret?: string) => {
      const ctx = new NodeContext({ name: as, secret, identity: credential ? { credential } : {} });
      const frames: Frame[] = [];
      const { channel } = await Channel.connect(ctx, wsTransport, b.component.mesh!.address, { expect: '*', role: 'peer', timeoutMs: 3000, handlers: { onFrame: (f) => frames.push(f) } });
      net.add(async () => channel.close());
      return { channel, ctx, frames };
    };
    await expect(dial('c', a.credential)).rejects.toMatchObject({ code: ErrorCode.CREDENTIAL_REJECTED });
    await expect(dial('x', undefined, 'a-shared-secret-of-enough-length')).rejects.toMatchObject({ code: ErrorCode.AUTH_FAILED });
    const link = await dial('a', a.credential);
    const before = b.component.mesh!.node.ctx.rejected.FORBIDDEN ?? 0;
    link.channel.sendFrame({ ...link.ctx.stamp({ type: 'msa', origin: 'z', incarnation: 1, seq: 1, neighbours: ['b'] }), from: 'z' } as Frame, '*');
    await until('the frame in another name is refused', () => (b.component.mesh!.node.ctx.rejected.FORBIDDEN ?? 0) === before + 1);
    expect(b.component.mesh!.node.topology.get('z')).toBeUndefined();
  });

  it('a credential with list may query a credential mesh node over a control link, and do nothing else there', async () => {
    const s = await setup();
    const { a, b } = await line(s);
    const { MeshControlClient } = await import('../../../src/lib/mesh/mesh-control-client.js');
    const auditor = loadCredential(s.issuer.issue('auditor', { ...NONE, list: true, tail: ['*'] }).file);
    const ctl = await MeshControlClient.connect({ address: b.component.mesh!.address, credential: auditor, timeoutMs: 3000 });
    net.add(() => ctl.close());
    expect((await ctl.routes()).map((r) => r.destination).sort()).toEqual(['a', 'c']);
    expect((await ctl.status()).name).toBe('b');
    // It may not make the node dial, hang up, tail, or send in its own name.
    await expect(ctl.dial(a.component.mesh!.address)).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
    await expect(ctl.hangup('a')).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
    await expect(ctl.send('c', { via: 'b' })).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
    await expect(ctl.watch(() => {})).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
    expect(b.component.mesh!.node.neighbours()).toEqual(['a', 'c']);
    expect(s.received).toEqual([]);
    // Without list, not even a query; the shared secret opens no control link at all.
    const sender = loadCredential(s.issuer.issue('sender', PEER).file);
    const other = await MeshControlClient.connect({ address: b.component.mesh!.address, credential: sender, timeoutMs: 3000 });
    net.add(() => other.close());
    await expect(other.routes()).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
    await expect(MeshControlClient.connect({ address: b.component.mesh!.address, secret: 'a-shared-secret-of-enough-length', timeoutMs: 3000 })).rejects.toMatchObject({ code: ErrorCode.AUTH_FAILED });
  });

  it('a credential node and a shared-secret mesh node do not link', async () => {
    const s = await setup();
    const a = await s.node('a');
    const shared = await net.component({ name: 'm', mesh: {}, onMessage: () => 'ok' });
    await expect(a.component.mesh!.node.dial(shared.mesh!.address)).rejects.toMatchObject({ code: ErrorCode.AUTH_FAILED });
    await expect(shared.mesh!.node.dial(a.component.mesh!.address)).rejects.toMatchObject({ code: ErrorCode.AUTH_FAILED });
  });

  it('a frame sealed for a recipient that announced no key is not sent: NO_ROUTE', () => {
    const ctx = new NodeContext({ name: 'a', identity: { credential: loadCredential(new Issuer().issue('a', PEER).file) } });
    const sealing = new MeshSealing(ctx);
    expect(() => sealing.seal('c', undefined, [])).toThrow(expect.objectContaining({ code: ErrorCode.NO_ROUTE }));
    // Nor for one whose announced key is not signed by the grant that comes with it.
    expect(() => sealing.seal('a', { ...sealing.identity, proof: Buffer.alloc(64).toString('base64url') }, [])).toThrow(expect.objectContaining({ code: ErrorCode.CREDENTIAL_REJECTED }));
  });
});

describe('a credential mesh with no server', () => {
  it('carries reliable messages and a stream, sealed, between credential nodes that only mesh', async () => {
    net = new Network();
    const issuer = new Issuer(undefined, false);
    const got: unknown[] = [];
    const node = async (name: string, dial: string[]) => {
      const component = await Component.start({
        server: NOTHING_LISTENS,
        connectTimeoutMs: 300,
        name,
        identity: { credential: loadCredential(issuer.issue(name, PEER).file) },
        mesh: { dial },
        onMessage: (m: Message) => void got.push({ at: name, from: m.from, path: m.path, body: m.body }),
      });
      net.add(() => component.stop());
      return component;
    };
    const a = await node('a', []);
    const b = await node('b', [a.mesh!.address]);
    const c = await node('c', [b.mesh!.address]);
    await until('a and c know routes to each other', () => a.mesh!.hasRoute('c') && c.mesh!.hasRoute('a'));
    c.accept('echo', (ch) => void pipeline(ch, ch).catch(() => {}));
    for (let i = 0; i < 5; i++) await a.deliver('c', { i });
    await until('five delivered', () => got.length === 5);
    expect(got).toEqual([0, 1, 2, 3, 4].map((i) => ({ at: 'c', from: 'a', path: 'mesh', body: { i } })));
    const ch = await a.connect('c', 'echo');
    const data = randomBytes(300_000);
    const parts: Buffer[] = [];
    ch.on('data', (d: Buffer) => parts.push(d));
    const ended = new Promise((resolve) => ch.once('end', resolve));
    ch.end(data);
    await ended;
    expect(Buffer.concat(parts).equals(data)).toBe(true);
    expect(b.mesh!.node.ctx.rejectedTotal + c.mesh!.node.ctx.rejectedTotal).toBe(0);
  });
});

describe('revocation on mesh links (server time injected)', () => {
  it("a revoked grant's mesh links are cut by its neighbours, and what it sealed is refused", async () => {
    const clock = new ManualClock(Date.now());
    const s = await setup({ clock });
    const a = await s.node('a');
    const issued = s.issuer.issue('b', PEER);
    const stolen = loadCredential(issued.file);
    // Someone holding b's key who never connects to the server (so is never told to stop) links into the mesh.
    const ctx = new NodeContext({ name: 'b', identity: { credential: stolen }, clock });
    const { MeshNode } = await import('../../../src/lib/mesh/mesh-node.js');
    const rogue = new MeshNode({ name: 'b', secret: ctx.keyring, transport: wsTransport, host: '127.0.0.1', port: 0, clock }, ctx);
    net.add(() => rogue.stop());
    await rogue.start();
    const downs: { peer: string; code: string }[] = [];
    a.component.mesh!.node.on((e) => e.type === 'linkDown' && downs.push(e));
    expect(await rogue.dial(a.component.mesh!.address)).toBe('a');
    // The rogue announces its link at the end of a turn of its (manual) clock.
    await until('a routes to b', async () => (await clock.advance(0), a.component.mesh!.hasRoute('b')));
    expect(await rogue.send(['a'], { before: true })).toEqual({ reached: ['a'], unreachable: [] });
    s.issuer.revoke(issued.grant.id);
    await clock.advance(1_000);
    await until('a cut the link to b', () => downs.length === 1);
    expect(downs[0]).toMatchObject({ peer: 'b', code: ErrorCode.CREDENTIAL_REJECTED });
    await expect(rogue.dial(a.component.mesh!.address)).rejects.toMatchObject({ code: ErrorCode.CREDENTIAL_REJECTED } satisfies Partial<BotzError>);
    expect(s.received.map((r) => r.body)).toEqual([{ before: true }]);
  });
});


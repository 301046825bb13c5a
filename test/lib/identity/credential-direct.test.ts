/**
 * Credentials on direct links, on real sockets (PROTOCOL.md §3b "Peer links", §12 Credentials):
 * two credential components talk directly, each proving its credential to the other; a
 * credential for `a` cannot pose as `b` there (not in the hello, not in a frame, not as the
 * listener), cannot do there what its grant does not allow, and a node without a credential of
 * this issuer cannot open such a link at all.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS, ErrorCode, Issuer, ManualClock, loadCredential, type BotzError, type Credential, type Permissions } from '../../../src/index.js';
import { Channel } from '../../../src/lib/channel/channel.js';
import { NodeContext } from '../../../src/lib/channel/node-context.js';
import { wsTransport } from '../../../src/lib/transport/ws.js';
import type { Frame } from '../../../src/lib/wire/frames.js';
import { Network, SECRET } from '../../helpers/network.js';
import { until } from '../../helpers/wait.js';

const NONE: Permissions = { register: false, send: [], broadcast: [], shutdown: [], tail: [], tailBodies: false, list: false };
const PEER: Permissions = { ...NONE, register: true, send: ['*'], list: true };

let net: Network;
afterEach(() => net.stopAll());

async function setup() {
  net = new Network();
  const issuer = new Issuer(undefined, false);
  const server = await net.serve({ identity: { authority: issuer } });
  const received: { to: string; from: string; path: string; body: unknown }[] = [];
  const credentialed = async (name: string, permissions: Permissions = PEER) => {
    const credential = loadCredential(issuer.issue(name, permissions).file);
    const component = await net.component({
      name,
      port: 0,
      secret: undefined,
      identity: { credential },
      onMessage: (m) => (received.push({ to: name, from: m.from, path: m.path, body: m.body }), { from: m.from }),
    });
    return { component, credential };
  };
  return { issuer, server, received, credentialed };
}

/** Dials `address` as wire name `name` holding `credential` (or the shared secret), expecting the listener `expect`. */
async function dial(address: string, name: string, expect: string, identity: { credential?: Credential }, secret?: string, role: 'component' | 'peer' = 'component') {
  const ctx = new NodeContext({ name, secret, identity });
  const frames: Frame[] = [];
  let closedWith: (error: BotzError) => void = () => {};
  const closed = new Promise<BotzError>((resolve) => (closedWith = resolve));
  const { channel } = await Channel.connect(ctx, wsTransport, address, {
    expect,
    role,
    timeoutMs: 3000,
    handlers: { onFrame: (f) => frames.push(f), onClose: (_, error) => closedWith(error) },
  });
  net.add(async () => channel.close());
  return { channel, frames, ctx, closed };
}

describe('credential components on direct links', () => {
  it('talk directly (the relay carries nothing), attributed to their credentials', async () => {
    const { credentialed, received, server } = await setup();
    const b = await credentialed('b');
    const a = await credentialed('a');
    expect(b.component.address).toMatch(/^127\.0\.0\.1:\d+$/);
    for (let i = 0; i < 3; i++) expect(await a.component.send('b', { i })).toEqual({ from: 'a' });
    expect(received.map((r) => r.path)).toEqual(['direct', 'direct', 'direct']);
    expect(received.every((r) => r.from === 'a' && r.to === 'b')).toBe(true);
    expect(server.stats.relayedPackets).toBe(0);
  });

  it("a credential for a cannot open a direct link to b's listener as b (or as a.x)", async () => {
    const { credentialed } = await setup();
    const b = await credentialed('b');
    const a = await credentialed('a');
    await expect(dial(b.component.address!, 'b', 'b', { credential: a.credential })).rejects.toMatchObject({ code: ErrorCode.CREDENTIAL_REJECTED });
    await expect(dial(b.component.address!, 'a.x', 'b', { credential: a.credential })).rejects.toMatchObject({ code: ErrorCode.CREDENTIAL_REJECTED });
  });

  it('a frame on a direct credential link that claims another sender is refused FORBIDDEN and never delivered', async () => {
    const { credentialed, received } = await setup();
    const b = await credentialed('b');
    const a = await credentialed('a');
    const link = await dial(b.component.address!, 'a', 'b', { credential: a.credential });
    const forged = { ...link.ctx.stamp({ type: 'request', body: { forged: true } }), from: 'c' } as Frame;
    link.channel.sendFrame(forged, 'b');
    await until('the forgery is answered', () => link.frames.some((f) => f.type === 'error' && f.re === forged.id));
    expect(link.frames.find((f) => f.type === 'error')).toMatchObject({ code: ErrorCode.FORBIDDEN });
    expect(received).toEqual([]);
    // The honest frame on the same link is delivered.
    const honest = await link.channel.request({ type: 'request', body: { honest: true } }, { timeoutMs: 3000 });
    expect(honest).toMatchObject({ type: 'response', body: { from: 'a' } });
    expect(received).toEqual([{ to: 'b', from: 'a', path: 'direct', body: { honest: true } }]);
  });

  it('a direct request the grant does not allow is refused FORBIDDEN', async () => {
    const { credentialed, received } = await setup();
    const b = await credentialed('b');
    const a = await credentialed('a', { ...PEER, send: ['c'] });
    const link = await dial(b.component.address!, 'a', 'b', { credential: a.credential });
    await expect(link.channel.request({ type: 'request', body: {} }, { timeoutMs: 3000 })).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
    await expect(a.component.send('b', {})).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
    expect(received).toEqual([]);
  });

  it('a dialer refuses a listener that proves another credential than the name it dialed', async () => {
    const { credentialed, issuer } = await setup();
    const a = await credentialed('a');
    // A listener that answers to "b" but holds the credential for c (b's address taken over, say).
    const c = loadCredential(issuer.issue('c', PEER).file);
    const ctx = new NodeContext({ name: 'b', identity: { credential: c } });
    const listener = await ctx.listen(wsTransport, { host: '127.0.0.1', port: 0 }, (link) => {
      Channel.accept(ctx, link, () => ({ session: 'direct' }), { onFrame: () => {} });
    });
    net.add(() => listener.close());
    await expect(dial(listener.address, 'a', 'b', { credential: a.credential })).rejects.toMatchObject({ code: ErrorCode.AUTH_FAILED });
  });

  it("a credential of another issuer, or the shared secret, opens no direct link to a credential component", async () => {
    const { credentialed } = await setup();
    const b = await credentialed('b');
    const foreign = loadCredential(new Issuer().issue('a', ALL_PERMISSIONS).file);
    await expect(dial(b.component.address!, 'a', 'b', { credential: foreign })).rejects.toMatchObject({ code: ErrorCode.CREDENTIAL_REJECTED });
    await expect(dial(b.component.address!, 'a', 'b', {}, SECRET)).rejects.toMatchObject({ code: ErrorCode.AUTH_FAILED });
  });

  it('a credential component and a shared-secret component still reach each other (through the relay)', async () => {
    const { credentialed, received } = await setup();
    await credentialed('b');
    const a = await credentialed('a');
    const paths: string[] = [];
    await net.component({ name: 'shared', port: 0, onMessage: (m) => (paths.push(m.path), 'ok') });
    expect(await a.component.send('shared', {})).toBe('ok');
    const shared = await net.client({ name: 'x' });
    expect(await shared.send('b', { s: 1 })).toEqual({ from: 'x' });
    expect(paths).toEqual(['relay']);
    expect(received.map((r) => r.path)).toEqual(['relay']);
  });
});

describe('revocation on peer links (server time injected)', () => {
  it("the server tells credential components what it revoked: a revoked key's live peer link is cut and it opens no new one", async () => {
    net = new Network();
    const clock = new ManualClock(Date.now());
    const issuer = new Issuer(undefined, false, () => clock.now());
    await net.serve({ identity: { authority: issuer }, clock, heartbeatIntervalMs: 3_600_000, credentialCheckMs: 1_000 });
    const b = await net.component({ name: 'b', port: 0, secret: undefined, identity: { credential: loadCredential(issuer.issue('b', PEER).file) }, onMessage: () => 'ok' });
    // A stolen key for a, used by someone who never connects to the server (and so never stops).
    const issued = issuer.issue('a', PEER);
    const stolen = loadCredential(issued.file);
    const link = await dial(b.address!, 'a', 'b', { credential: stolen });
    expect(await link.channel.request({ type: 'request', body: {} }, { timeoutMs: 3000 })).toMatchObject({ type: 'response', body: 'ok' });
    issuer.revoke(issued.grant.id);
    await clock.advance(1_000);
    expect(await link.closed).toMatchObject({ code: ErrorCode.CREDENTIAL_REJECTED });
    await expect(dial(b.address!, 'a', 'b', { credential: stolen })).rejects.toMatchObject({ code: ErrorCode.CREDENTIAL_REJECTED });
  });

  it('a revoked list from anyone but the server is not taken: not through the relay, not on a peer link', async () => {
    const { credentialed, server, received } = await setup();
    const b = await credentialed('b');
    const a = await credentialed('a');
    expect(await a.component.send('b', {})).toEqual({ from: 'a' });
    const aGrant = a.credential.grant.id;
    // A shared-secret node through the relay, and a credential peer on its own link, both claim a was revoked;
    // a request after each on the same link is answered only once b has handled what came before it.
    const x = await dial(server.address, 'x', '$server', {}, SECRET);
    x.channel.sendFrame({ ...x.ctx.stamp({ type: 'revoked', ids: [aGrant] }), from: 'x' } as Frame, 'b');
    expect(await x.channel.request({ type: 'request', body: {} }, { to: 'b', timeoutMs: 3000 })).toMatchObject({ body: { from: 'x' } });
    const c = await credentialed('c');
    const peer = await dial(b.component.address!, 'c', 'b', { credential: c.credential });
    peer.channel.send({ type: 'revoked', ids: [aGrant] }, 'b');
    expect(await peer.channel.request({ type: 'request', body: {} }, { timeoutMs: 3000 })).toMatchObject({ body: { from: 'c' } });
    // a's direct link to b is still up, and b still admits a.
    expect(await a.component.send('b', { after: true })).toEqual({ from: 'a' });
    expect(received.at(-1)).toEqual({ to: 'b', from: 'a', path: 'direct', body: { after: true } });
  });
});

/**
 * Credentials on real sockets (PROTOCOL.md §3b, §12 Credentials): a component proves its
 * credential to the server, may register only its own name, cannot send as anyone else or do
 * what its grant does not allow, and a revoked credential's live link is cut.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS, Client, Component, ErrorCode, Issuer, ManualClock, loadCredential, type Permissions } from '../../../src/index.js';
import { Channel } from '../../../src/lib/channel/channel.js';
import { NodeContext } from '../../../src/lib/channel/node-context.js';
import { wsTransport } from '../../../src/lib/transport/ws.js';
import type { Frame } from '../../../src/lib/wire/frames.js';
import { Network, SECRET } from '../../helpers/network.js';
import { until } from '../../helpers/wait.js';

const NONE: Permissions = { register: false, send: [], broadcast: [], shutdown: [], tail: [], tailBodies: false, list: false };

let net: Network;
afterEach(() => net.stopAll());

async function setup(options: { requireCredentials?: boolean } = {}) {
  net = new Network();
  const issuer = new Issuer(undefined, options.requireCredentials ?? false);
  const server = await net.serve({ identity: { authority: issuer } });
  const received: { to: string; from: string; body: unknown }[] = [];
  const credentialed = async (name: string, permissions: Permissions) => {
    const issued = issuer.issue(name, permissions);
    const component = await net.component({ name, secret: undefined, identity: { credential: loadCredential(issued.file) }, onMessage: (m) => (received.push({ to: name, from: m.from, body: m.body }), { from: m.from }) });
    return { component, grant: issued.grant, credential: loadCredential(issued.file) };
  };
  return { issuer, server, received, credentialed };
}

/** A raw link with `credential` under wire name `name`, whose frames from the server are collected. */
async function rawLink(address: string, name: string, identity: ConstructorParameters<typeof NodeContext>[0]['identity'], secret?: string) {
  const ctx = new NodeContext({ name, secret, identity });
  const frames: Frame[] = [];
  const { channel } = await Channel.connect(ctx, wsTransport, address, { expect: '$server', role: 'client', handlers: { onFrame: (f) => frames.push(f) } });
  net.add(async () => channel.close());
  return { channel, frames, ctx };
}

describe('credential links', () => {
  it('a credential component registers its own name and its requests reach their target attributed to it', async () => {
    const { credentialed, received } = await setup();
    await credentialed('b', { ...NONE, register: true });
    const a = await credentialed('a', { ...NONE, register: true, send: ['b'] });
    expect(await a.component.send('b', { hi: 1 })).toEqual({ from: 'a' });
    expect(received).toEqual([{ to: 'b', from: 'a', body: { hi: 1 } }]);
  });

  it("a credential for a cannot open a link as b, and a shared-secret node cannot take a's name", async () => {
    const { credentialed, server } = await setup();
    const a = await credentialed('a', ALL_PERMISSIONS);
    await a.component.stop();
    await expect(rawLink(server.address, 'b', { credential: a.credential })).rejects.toMatchObject({ code: ErrorCode.CREDENTIAL_REJECTED });
    await expect(Client.connect({ server: server.address, secret: SECRET, name: 'a', timeoutMs: 2000 })).rejects.toMatchObject({ code: ErrorCode.AUTH_FAILED });
    await expect(Client.connect({ server: server.address, secret: SECRET, name: 'a.x', timeoutMs: 2000 })).rejects.toMatchObject({ code: ErrorCode.AUTH_FAILED });
  });

  it("a credential for a cannot take the wire name a.b when a.b is another credential's name", async () => {
    const { issuer, server } = await setup();
    issuer.issue('a.b', ALL_PERMISSIONS);
    const a = loadCredential(issuer.issue('a', ALL_PERMISSIONS).file);
    await expect(rawLink(server.address, 'a.b', { credential: a })).rejects.toMatchObject({ code: ErrorCode.CREDENTIAL_REJECTED });
    (await rawLink(server.address, 'a.cli', { credential: a })).channel.close();
  });

  it('a credential without register may not register even its own name', async () => {
    const { issuer, server } = await setup();
    const credential = loadCredential(issuer.issue('a', { ...NONE, send: ['*'] }).file);
    await expect(Component.start({ server: server.address, name: 'a', identity: { credential }, timeoutMs: 2000 })).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
  });

  it('nobody can send as b through the relay: not a credential for a, not a shared-secret holder', async () => {
    const { credentialed, server, received } = await setup();
    await credentialed('c', { ...NONE, register: true });
    const a = await credentialed('a', ALL_PERMISSIONS);
    const forged = (ctx: NodeContext): Frame => ({ ...ctx.stamp({ type: 'request', body: { forged: true } }), from: 'b' }) as Frame;

    const asA = await rawLink(server.address, 'a.raw', { credential: a.credential });
    const fromA = forged(asA.ctx);
    asA.channel.sendFrame(fromA, 'c');
    await until('the forgery from a is answered', () => asA.frames.some((f) => f.type === 'error' && f.re === fromA.id));
    expect(asA.frames.find((f) => f.type === 'error')).toMatchObject({ code: ErrorCode.FORBIDDEN });

    const shared = await rawLink(server.address, 'x', undefined, SECRET);
    const fromX = forged(shared.ctx);
    shared.channel.sendFrame(fromX, 'c');
    await until('the forgery from x is answered', () => shared.frames.some((f) => f.type === 'error' && f.re === fromX.id));
    expect(shared.frames.find((f) => f.type === 'error')).toMatchObject({ code: ErrorCode.FORBIDDEN });

    // What c did receive afterwards is an honest request only.
    await a.component.send('c', { honest: true });
    expect(received).toEqual([{ to: 'c', from: 'a', body: { honest: true } }]);
  });

  it('what a grant does not allow is refused with FORBIDDEN: sending elsewhere, shutting down, tailing', async () => {
    const { credentialed, received } = await setup();
    await credentialed('b', { ...NONE, register: true });
    await credentialed('c', { ...NONE, register: true });
    const a = await credentialed('a', { ...NONE, register: true, send: ['b'] });
    await expect(a.component.send('c', {})).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
    await expect(a.component.shutdown('b')).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
    await expect(a.component.tail({ bodies: true }, () => {})).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
    expect(received).toEqual([]);
  });

  it('a read-only credential tails and lists, and may not tail bodies or send', async () => {
    const { issuer, server, credentialed } = await setup();
    await credentialed('b', { ...NONE, register: true });
    const credential = loadCredential(issuer.issue('auditor', { ...NONE, tail: ['*'], list: true }).file);
    const auditor = await Client.connect({ server: server.address, identity: { credential }, timeoutMs: 2000 });
    net.add(() => auditor.close());
    expect((await auditor.components()).map((c) => c.name)).toEqual(['b']);
    const stop = await auditor.tail({}, () => {});
    await stop();
    await expect(auditor.tail({ bodies: true }, () => {})).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
    await expect(auditor.send('b', {})).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
  });

  it('a server that requires credentials refuses the shared secret', async () => {
    const { server } = await setup({ requireCredentials: true });
    await expect(Client.connect({ server: server.address, secret: SECRET, timeoutMs: 2000 })).rejects.toMatchObject({ code: ErrorCode.AUTH_FAILED });
  });

  it('a client whose grant another issuer signed is refused at the handshake', async () => {
    const { server } = await setup();
    const foreign = loadCredential(new Issuer().issue('a', ALL_PERMISSIONS).file);
    await expect(Client.connect({ server: server.address, identity: { credential: foreign }, timeoutMs: 2000 })).rejects.toMatchObject({ code: ErrorCode.CREDENTIAL_REJECTED });
  });
});

describe('revocation and expiry (server time injected)', () => {
  /** A server on a manual clock (no heartbeats within the test), checking credentials every second. */
  async function onClock() {
    net = new Network();
    const clock = new ManualClock(Date.now());
    const issuer = new Issuer(undefined, false, () => clock.now());
    const server = await net.serve({ identity: { authority: issuer }, clock, heartbeatIntervalMs: 3_600_000, credentialCheckMs: 1_000 });
    const start = async (expiresAt: number | null = null) => {
      const issued = issuer.issue('b', { ...NONE, register: true }, expiresAt);
      const credential = loadCredential(issued.file);
      const component = await net.component({ name: 'b', secret: undefined, identity: { credential } });
      const down = new Promise<{ code: string }>((resolve) => component.once('disconnected', (error: { code: string }) => resolve(error)));
      return { component, credential, grant: issued.grant, down };
    };
    return { clock, issuer, server, start };
  }

  it("cuts a revoked component's live link within one check interval (1 s), and it cannot come back", async () => {
    const { clock, issuer, server, start } = await onClock();
    const b = await start();
    let cut = false;
    void b.down.then(() => (cut = true));
    issuer.revoke(b.grant.id);
    await clock.advance(999);
    expect(cut).toBe(false);
    await clock.advance(1);
    expect(await b.down).toMatchObject({ code: ErrorCode.CREDENTIAL_REJECTED });
    await expect(rawLink(server.address, 'b', { credential: b.credential })).rejects.toMatchObject({ code: ErrorCode.CREDENTIAL_REJECTED });
  });

  it('a revoked component stops for good with CREDENTIAL_REJECTED instead of reconnecting', async () => {
    const { clock, issuer, start } = await onClock();
    const b = await start();
    const refused = new Promise<{ code: string }>((resolve) => b.component.once('credentialRejected', resolve));
    const stopped = new Promise<void>((resolve) => b.component.once('stopped', resolve));
    let reconnected = false;
    b.component.on('reconnected', () => (reconnected = true));
    issuer.revoke(b.grant.id);
    await clock.advance(1_000);
    expect(await refused).toMatchObject({ code: ErrorCode.CREDENTIAL_REJECTED });
    await stopped;
    expect(b.component.serverConnected).toBe(false);
    expect(reconnected).toBe(false);
    await expect(b.component.send('b', {})).rejects.toMatchObject({ code: ErrorCode.CREDENTIAL_REJECTED });
  });

  it('cuts a live link when its credential expires', async () => {
    const { clock, start } = await onClock();
    const b = await start(clock.now() + 5_000);
    await clock.advance(5_000);
    expect(await b.down).toMatchObject({ code: ErrorCode.CREDENTIAL_REJECTED });
  });
});

/**
 * A Component started with `mesh`: mesh messages reach onMessage (path 'mesh'), it starts with
 * no server at all, and registers meta.mesh once a server comes up. Real loopback sockets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, Component, ErrorCode, Server, type Message } from '../../../src/index.js';
import { freePort, NOTHING_LISTENS } from '../../helpers/ports.js';
import type { MeshNode } from '../../../src/lib/mesh/mesh-node.js';
import type { Route } from '../../../src/lib/mesh/routing.js';

/** Resolves once `ok(routes)` holds: checked now and on every topology change of `node`. */
function untilRoutes(node: MeshNode, ok: (routes: Route[]) => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ok(node.routes())) return resolve();
    const off = node.on((e) => {
      if (e.type !== 'topology' || !ok(node.routes())) return;
      clearTimeout(timer);
      off();
      resolve();
    });
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${what} within ${timeoutMs} ms: ${JSON.stringify(node.routes())}`));
    }, timeoutMs);
  });
}

const SECRET = 'mesh-component-test-secret-0123456789';
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
});


async function meshComponent(name: string, server: string, dial: string[] = [], seen: Message[] = []): Promise<Component> {
  const c = await Component.start({
    server,
    secret: SECRET,
    name,
    connectTimeoutMs: 300,
    mesh: { dial },
    onMessage: (m) => {
      seen.push(m);
      return { from: name, got: m.body };
    },
  });
  stops.push(() => c.stop());
  return c;
}

describe('Component with mesh', () => {
  it('starts mesh-only without a server and answers requests over the mesh', async () => {
    const nowhere = NOTHING_LISTENS;
    const seen: Message[] = [];
    const a = await meshComponent('mc-a', nowhere);
    const b = await meshComponent('mc-b', nowhere, [a.mesh!.address]);
    const c = await meshComponent('mc-c', nowhere, [b.mesh!.address], seen);
    expect(a.serverConnected).toBe(false);
    await untilRoutes(a.mesh!.node, (routes) => routes.some((r) => r.destination === 'mc-c'), 'route a → c');
    const reply = await a.mesh!.request('mc-c', { q: 'hi' });
    expect(reply).toEqual({ body: { from: 'mc-c', got: { q: 'hi' } }, headers: {}, hops: ['mc-a', 'mc-b', 'mc-c'], replyHops: ['mc-c', 'mc-b', 'mc-a'] });
    expect(seen).toEqual([expect.objectContaining({ from: 'mc-a', kind: 'request', path: 'mesh', hops: ['mc-a', 'mc-b', 'mc-c'] })]);
    expect(await c.mesh!.broadcast({ all: true })).toEqual({ reached: ['mc-a', 'mc-b'], unreachable: [] });
    // Plain send() uses the mesh too when no server can reach the target, and answers fast.
    const t0 = Date.now();
    expect(await a.send('mc-c', { plain: 'send' }, { timeout: 3000 })).toEqual({ from: 'mc-c', got: { plain: 'send' } });
    expect(Date.now() - t0).toBeLessThan(1000);
    await expect(a.send('mc-nobody', {}, { timeout: 200 })).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
    // The server link waits in the background; a call through it times out rather than crashing.
    await expect(a.components({ timeout: 100 })).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
  });

  it('registers with meta.mesh once a server comes up later', async () => {
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const a = await meshComponent('mc-late', address);
    const registered = new Promise((resolve) => a.once('registered', resolve));
    const server = await Server.start({ host: '127.0.0.1', port, secret: SECRET });
    stops.push(() => server.stop());
    await registered;
    expect(a.serverConnected).toBe(true);
    const client = await Client.connect({ server: address, secret: SECRET });
    stops.push(() => client.close());
    const info = (await client.components()).find((c) => c.name === 'mc-late');
    expect(info?.meta.mesh).toBe(a.mesh!.address);
  });

  it('without mesh, a missing server still fails the start with SERVER_UNREACHABLE', async () => {
    const nowhere = NOTHING_LISTENS;
    await expect(Component.start({ server: nowhere, secret: SECRET, name: 'mc-plain', connectTimeoutMs: 300 })).rejects.toMatchObject({
      code: ErrorCode.SERVER_UNREACHABLE,
    });
  });
});

describe('reliable delivery across the mesh', () => {
  /** Resolves once `c` has a mesh route to `name` (through `via`, if given). */
  const routeTo = (c: Component, name: string, via?: string) =>
    untilRoutes(c.mesh!.node, (routes) => routes.some((r) => r.destination === name && (via === undefined || r.nextHop === via)), `route ${c.name} → ${name}`);

  it('delivers exactly once and in order with no server, across a link that drops mid-stream', async () => {
    const nowhere = NOTHING_LISTENS;
    const start = async (name: string, dial: string[] = []) => {
      const c = await Component.start({ server: nowhere, secret: SECRET, name, connectTimeoutMs: 300, mesh: { dial } });
      stops.push(() => c.stop());
      return c;
    };
    const c = await start('rm-c');
    const b = await start('rm-b', [c.mesh!.address]);
    const a = await start('rm-a', [b.mesh!.address, c.mesh!.address]);
    await routeTo(a, 'rm-c', 'rm-c');
    // 200 deliveries outstanding at once; the direct link goes after the first 20 are
    // confirmed, with the rest in flight: they must be resent the long way, through rm-b.
    let confirmed = 0;
    let hungUp!: () => void;
    const afterHangup = new Promise<void>((r) => (hungUp = r));
    const all = Array.from({ length: 200 }, (_, i) =>
      a.deliver('rm-c', { n: i }, { timeout: 15_000 }).then(() => {
        if (++confirmed === 20) {
          a.mesh!.node.hangup('rm-c');
          hungUp();
        }
      }),
    );
    // rm-c's application takes them as they come: that is what confirms them.
    const got: Message[] = [];
    const reading = (async () => {
      for await (const m of c.messages()) if (got.push(m) === 200) return;
    })();
    await afterHangup;
    await Promise.all(all);
    await reading;
    expect(a.mesh!.node.routes().find((r) => r.destination === 'rm-c')?.nextHop).toBe('rm-b');
    expect(got.map((m) => (m.body as { n: number }).n)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(new Set(got.map((m) => m.path))).toEqual(new Set(['mesh']));
    expect(a.serverConnected).toBe(false);
  });
});

describe('a mesh component with a server', () => {
  it('sends through the server to what it knows, and across the mesh to what only the mesh knows', async () => {
    const server = await Server.start({ host: '127.0.0.1', port: 0, secret: SECRET });
    stops.push(() => server.stop());
    const seen: Message[] = [];
    // Registered on the server and also a mesh node: the server path must win for it.
    const both = await meshComponent('sm-both', server.address, [], seen);
    const a = await meshComponent('sm-a', server.address, [both.mesh!.address]);
    // A mesh node the server has never heard of (its own server address leads nowhere).
    const hidden: Message[] = [];
    await meshComponent('sm-hidden', NOTHING_LISTENS, [a.mesh!.address], hidden);
    await untilRoutes(a.mesh!.node, (routes) => ['sm-both', 'sm-hidden'].every((n) => routes.some((r) => r.destination === n)), 'routes from sm-a');

    expect(await a.send('sm-both', { via: 'server' })).toEqual({ from: 'sm-both', got: { via: 'server' } });
    expect(seen.map((m) => m.path)).toEqual(['relay']);
    expect(await a.send('sm-hidden', { via: 'mesh' })).toEqual({ from: 'sm-hidden', got: { via: 'mesh' } });
    expect(hidden.map((m) => m.path)).toEqual(['mesh']);
    await expect(a.send('sm-nobody', {}, { timeout: 500 })).rejects.toMatchObject({ code: ErrorCode.NO_SUCH_COMPONENT });
  });
});

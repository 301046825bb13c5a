/**
 * Calls over the mesh: mesh-only components (no server) on an in-memory network, in a line.
 * The mesh carries the same request, response and message frames as the other paths; what a
 * handler sees and what a caller gets back says which way they went.
 */
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { Component, type Message } from '../../../src/index.js';
import { ErrorCode } from '../../../src/lib/errors.js';
import { MeshControlClient, type MeshWatchEvent } from '../../../src/lib/mesh/mesh-control-client.js';
import { MemoryNetwork } from '../../../src/lib/transport/memory.js';
import { SECRET, Sim, waitFor } from './sim.js';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
});

/** a - b - c - d in a line; every node answers requests with {at: its name, ...body}. */
async function line(options: { handlerLimits?: { perPeer?: number } } = {}) {
  const network = new MemoryNetwork();
  const seen: Message[] = [];
  const nodes = new Map<string, Component>();
  for (const name of ['a', 'b', 'c', 'd']) {
    const c = await Component.start({
      name,
      secret: SECRET,
      server: null,
      transport: network.transport(name),
      mesh: {},
      ...options,
      onMessage: (m) => {
        seen.push(m);
        if ((m.body as { fail?: boolean } | null)?.fail) throw new Error('handler failed on purpose');
        if ((m.body as { hang?: boolean } | null)?.hang) return new Promise<never>(() => {});
        return { at: name, ...(m.body as object) };
      },
    });
    stops.push(() => c.stop());
    nodes.set(name, c);
  }
  const node = (name: string) => nodes.get(name)!;
  await Promise.all([
    node('a').mesh!.node.dial(node('b').mesh!.address),
    node('b').mesh!.node.dial(node('c').mesh!.address),
    node('c').mesh!.node.dial(node('d').mesh!.address),
  ]);
  await waitFor(() => [...nodes.values()].every((c) => c.mesh!.node.routes().length === 3), 5_000, 'convergence');
  return { network, node, seen };
}

describe('request/response across the mesh', () => {
  it('carries a request three hops and its reply back, with both paths', async () => {
    const { node, seen } = await line();
    const reply = await node('a').mesh!.request('d', { q: 1 });
    expect(reply).toEqual({ body: { at: 'd', q: 1 }, headers: {}, hops: ['a', 'b', 'c', 'd'], replyHops: ['d', 'c', 'b', 'a'] });
    expect(seen).toEqual([expect.objectContaining({ from: 'a', kind: 'request', path: 'mesh', body: { q: 1 }, hops: ['a', 'b', 'c', 'd'] })]);
  });

  it('goes over the mesh for a plain send too, when there is no server', async () => {
    const { node, seen } = await line();
    expect(await node('a').send('c', { q: 2 })).toEqual({ at: 'c', q: 2 });
    expect(seen).toEqual([expect.objectContaining({ from: 'a', path: 'mesh', hops: ['a', 'b', 'c'] })]);
  });

  it('ends a request with CANCELLED when its signal fires, and sends nothing for a signal that already fired', async () => {
    const { node, seen } = await line();
    const controller = new AbortController();
    const call = node('a').mesh!.request('d', { hang: true }, { timeoutMs: 10_000, signal: controller.signal }).catch((e: unknown) => e);
    await waitFor(() => seen.length === 1, 5_000, 'the request at d');
    controller.abort();
    expect(await call).toMatchObject({ code: ErrorCode.CANCELLED, message: 'the request to "d" was cancelled' });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await expect(node('a').mesh!.request('d', {}, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: ErrorCode.CANCELLED });
    expect(seen).toHaveLength(1);
  });

  it('rejects NO_ROUTE for a name the mesh does not know, and REMOTE_ERROR when the handler throws', async () => {
    const { node } = await line();
    await expect(node('a').mesh!.request('nobody', {})).rejects.toMatchObject({ code: ErrorCode.NO_ROUTE });
    await expect(node('a').mesh!.request('c', { fail: true })).rejects.toMatchObject({ code: ErrorCode.REMOTE_ERROR });
  });

  it('rejects TIMEOUT when the reply does not come back in time', async () => {
    const { node } = await line();
    await expect(node('a').mesh!.request('d', { hang: true }, { timeoutMs: 200 })).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
  });

  it('refuses requests past its handler limit with TOO_MANY_PENDING, without running them', async () => {
    const { node, seen } = await line({ handlerLimits: { perPeer: 2 } });
    const calls = [1, 2, 3].map(() => node('a').mesh!.request('d', { hang: true }, { timeoutMs: 3_000 }).catch((e: { code?: string }) => e.code));
    expect(await calls[2]).toBe(ErrorCode.TOO_MANY_PENDING);
    expect(seen.filter((m) => m.from === 'a')).toHaveLength(2);
  });

  it('names every recipient of a set send and a broadcast as reached or unreachable', async () => {
    const { node, seen } = await line();
    expect(await node('b').mesh!.send(['a', 'd', 'ghost'], { hi: 1 })).toEqual({ reached: ['a', 'd'], unreachable: [{ name: 'ghost', code: ErrorCode.NO_ROUTE }] });
    expect(await node('a').mesh!.broadcast({ all: 1 })).toEqual({ reached: ['b', 'c', 'd'], unreachable: [] });
    expect(seen.filter((m) => m.kind === 'message').map((m) => m.body)).toEqual([{ hi: 1 }, { hi: 1 }]);
    expect(seen.filter((m) => m.kind === 'broadcast').map((m) => m.body)).toEqual([{ all: 1 }, { all: 1 }, { all: 1 }]);
  });

  it('carries headers both ways', async () => {
    const network = new MemoryNetwork();
    const start = (name: string, onMessage?: (m: Message) => unknown) =>
      Component.start({ name, secret: SECRET, server: null, transport: network.transport(name), mesh: {}, onMessage });
    const { reply } = await import('../../../src/index.js');
    const x = await start('x');
    const y = await start('y', (m) => reply({ echo: m.headers }, { headers: { 'x-answer': '42' } }));
    stops.push(() => x.stop(), () => y.stop());
    await x.mesh!.node.dial(y.mesh!.address);
    await waitFor(() => x.mesh!.hasRoute('y'), 5_000, 'a route to y');
    const answer = await x.mesh!.request('y', null, { headers: { 'trace-id': 'abc' } });
    expect(answer).toMatchObject({ body: { echo: { 'trace-id': 'abc' } }, headers: { 'x-answer': '42' } });
  });
});

describe('control protocol over a client link', () => {
  it('answers routes, dot, status, dial, hangup and send; pushes traffic to a subscriber', async () => {
    const { node, network } = await line();
    const ctl = await MeshControlClient.connect({ address: node('a').mesh!.address, secret: SECRET, transport: network.transport('cli') });
    stops.push(() => ctl.close());
    const routes = await ctl.routes();
    expect(routes.find((r) => r.destination === 'd')).toEqual({ destination: 'd', nextHop: 'b', hops: 3, path: ['a', 'b', 'c', 'd'] });
    expect(await ctl.dot()).toContain('"a" -- "b";');
    expect((await ctl.status()).links.map((l) => l.peer)).toEqual(['b']);
    // A control link is not a mesh link: the node's neighbours did not change.
    expect(node('a').mesh!.node.neighbours()).toEqual(['b']);

    const events: MeshWatchEvent[] = [];
    const unwatch = await ctl.watch((e) => events.push(e), { bodies: true });
    const reply = await ctl.send('d', { x: 'y' });
    expect(reply).toMatchObject({ body: { at: 'd', x: 'y' }, hops: ['a', 'b', 'c', 'd'], replyHops: ['d', 'c', 'b', 'a'] });
    await waitFor(() => events.some((e) => e.kind === 'response' && e.action === 'deliver'), 2_000, 'traffic');
    expect(events.find((e) => e.kind !== 'link' && e.action === 'originate')).toMatchObject({
      kind: 'request',
      from: 'a',
      to: 'd',
      hops: ['a'],
      route: ['a', 'b', 'c', 'd'],
      body: { x: 'y' },
    });
    expect(events.find((e) => e.kind === 'response' && e.action === 'deliver')).toMatchObject({ from: 'd', to: 'a', hops: ['d', 'c', 'b', 'a'] });
    await unwatch();

    expect(await ctl.dial(node('d').mesh!.address)).toBe('d');
    await waitFor(() => node('a').mesh!.node.routes().find((r) => r.destination === 'd')?.hops === 1, 2_000, 'direct route');
    await ctl.hangup('d');
    await waitFor(() => node('a').mesh!.node.routes().find((r) => r.destination === 'd')?.hops === 3, 2_000, 'route after hangup');
    await expect(ctl.hangup('nobody')).rejects.toMatchObject({ code: ErrorCode.NO_ROUTE });
    await expect(ctl.send('nobody', {})).rejects.toMatchObject({ code: ErrorCode.NO_ROUTE });
  });

  it('a mesh node standing alone (no node serving its clients) refuses client links', async () => {
    const sim = new Sim();
    stops.push(() => sim.stopAll());
    const lone = await sim.add('lone');
    await expect(
      MeshControlClient.connect({ address: lone.address!, secret: SECRET, transport: sim.network.transport('cli'), timeoutMs: 500 }),
    ).rejects.toBeDefined();
    expect(lone.neighbours()).toEqual([]);
  });

  it('says SERVER_UNREACHABLE when nothing listens there', async () => {
    const network = new MemoryNetwork();
    await expect(MeshControlClient.connect({ address: 'nowhere:1', secret: SECRET, transport: network.transport('cli'), timeoutMs: 500 })).rejects.toMatchObject({
      code: ErrorCode.SERVER_UNREACHABLE,
    });
  });
});

describe('the path a mesh request really took', () => {
  it('is the one its target saw, not the one its caller planned, when a hop goes round a link that broke', async () => {
    // a - b, then b - c - e and b - d - e: two ways from b to e. b hangs up on the middle node
    // a planned through; a has not heard yet, so it plans the old way while b forwards the new.
    const network = new MemoryNetwork();
    const seen: Message[] = [];
    const nodes = new Map<string, Component>();
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      const c = await Component.start({ name, secret: SECRET, server: null, transport: network.transport(name), mesh: {}, onMessage: (m) => (seen.push(m), { at: name }) });
      stops.push(() => c.stop());
      nodes.set(name, c);
    }
    const node = (name: string) => nodes.get(name)!.mesh!;
    await Promise.all([['a', 'b'], ['b', 'c'], ['b', 'd'], ['c', 'e'], ['d', 'e']].map(([from, to]) => node(from).node.dial(node(to).address)));
    await waitFor(() => [...nodes.values()].every((c) => c.mesh!.node.routes().length === 4), 5_000, 'convergence');
    const planned = node('a').node.route('e')!.path;
    const middle = planned[2];
    const other = middle === 'c' ? 'd' : 'c';
    node('b').node.hangup(middle);
    expect(node('a').node.route('e')!.path).toEqual(planned); // a still plans through the hung-up node
    const reply = await node('a').request('e', { q: 1 });
    expect(seen.at(-1)).toMatchObject({ path: 'mesh', hops: ['a', 'b', other, 'e'], headers: {} });
    expect(reply).toMatchObject({ body: { at: 'e' }, headers: {}, hops: ['a', 'b', other, 'e'] });
  });
});

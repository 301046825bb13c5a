import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/lib/errors.js';
import { HandlerLimit } from '../../../src/lib/handler-limit.js';
import { MeshRpc, envelopeOf, messageKind, type MeshMessage } from '../../../src/lib/mesh/mesh-rpc.js';
import { MeshControl, type MeshWatchEvent } from '../../../src/lib/mesh/mesh-control.js';
import { MeshControlClient } from '../../../src/lib/mesh/mesh-control-client.js';
import { SECRET, Sim, waitFor } from './sim.js';

let sim: Sim;
afterEach(async () => {
  await sim?.stopAll();
});

/** a - b - c - d in a line; every node answers requests with {at: its name, ...body}. */
async function line(): Promise<{ rpc: Map<string, MeshRpc>; seen: MeshMessage[] }> {
  sim = new Sim();
  const rpc = new Map<string, MeshRpc>();
  const seen: MeshMessage[] = [];
  for (const name of ['a', 'b', 'c', 'd']) {
    const node = await sim.add(name);
    const r = new MeshRpc(node, (m) => {
      seen.push(m);
      if ((m.body as { fail?: boolean } | null)?.fail) throw new Error('handler failed on purpose');
      if ((m.body as { hang?: boolean } | null)?.hang) return new Promise<never>(() => {});
      return { at: name, ...(m.body as object) };
    });
    rpc.set(name, r);
    node.serveClients(new MeshControl(node, r));
  }
  await Promise.all([sim.link('a', 'b'), sim.link('b', 'c'), sim.link('c', 'd')]);
  await waitFor(() => sim.converged(), 5_000, 'convergence');
  return { rpc, seen };
}

describe('envelopes', () => {
  it.each([
    [{ $mesh: 'request', id: '1', body: null }, 'request'],
    [{ $mesh: 'response', re: '1', body: 1, hops: [] }, 'response'],
    [{ $mesh: 'broadcast', id: '1', body: {} }, 'broadcast'],
    [{ $mesh: 'other', body: 1 }, 'message'],
    [{ k: 'v' }, 'message'],
    [[1, 2], 'message'],
    [null, 'message'],
  ])('%j is a %s', (body, kind) => {
    expect(messageKind(body)).toBe(kind);
    expect(envelopeOf(body) === undefined).toBe(kind === 'message');
  });
});

describe('MeshRpc: request/response across the mesh', () => {
  it('carries a request three hops and its reply back, with both paths', async () => {
    const { rpc, seen } = await line();
    const reply = await rpc.get('a')!.request('d', { q: 1 });
    expect(reply).toEqual({ body: { at: 'd', q: 1 }, hops: ['a', 'b', 'c', 'd'], replyHops: ['d', 'c', 'b', 'a'] });
    expect(seen).toEqual([expect.objectContaining({ from: 'a', kind: 'request', body: { q: 1 }, hops: ['a', 'b', 'c', 'd'] })]);
  });

  it('ends a request with CANCELLED when its signal fires, and sends nothing for a signal that already fired', async () => {
    const { rpc, seen } = await line();
    const controller = new AbortController();
    const call = rpc.get('a')!.request('d', { hang: true }, { timeoutMs: 10_000, signal: controller.signal }).catch((e: unknown) => e);
    await waitFor(() => seen.length === 1, 5_000, 'the request at d');
    controller.abort();
    expect(await call).toMatchObject({ code: ErrorCode.CANCELLED, message: 'the request to "d" over the mesh was cancelled' });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await expect(rpc.get('a')!.request('d', {}, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: ErrorCode.CANCELLED });
    expect(seen).toHaveLength(1);
  });

  it('rejects NO_ROUTE for a name the mesh does not know, and REMOTE_ERROR when the handler throws', async () => {
    const { rpc } = await line();
    await expect(rpc.get('a')!.request('nobody', {})).rejects.toMatchObject({ code: ErrorCode.NO_ROUTE });
    await expect(rpc.get('a')!.request('c', { fail: true })).rejects.toMatchObject({ code: ErrorCode.REMOTE_ERROR });
  });

  it('rejects TIMEOUT when the reply cannot come back in time', async () => {
    const { rpc } = await line();
    const slow = new MeshRpc(sim.node('d'), () => new Promise(() => {}));
    rpc.get('d')!.close();
    await expect(rpc.get('a')!.request('d', {}, { timeoutMs: 200 })).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
    slow.close();
  });

  it('refuses requests past its handler limit with TOO_MANY_PENDING, without running them', async () => {
    const { rpc } = await line();
    rpc.get('d')!.close();
    const running: string[] = [];
    const limited = new MeshRpc(sim.node('d'), (m) => (running.push(m.id), new Promise<never>(() => {})), undefined, new HandlerLimit('d', { perPeer: 2 }));
    const calls = [1, 2, 3].map(() => rpc.get('a')!.request('d', {}, { timeoutMs: 3_000 }).catch((e: { code?: string }) => e.code));
    expect(await calls[2]).toBe(ErrorCode.TOO_MANY_PENDING);
    expect(running).toHaveLength(2);
    limited.close();
  });

  it('names every recipient of a set send and a broadcast as reached or unreachable', async () => {
    const { rpc, seen } = await line();
    expect(await rpc.get('b')!.send(['a', 'd', 'ghost'], { hi: 1 })).toEqual({ reached: ['a', 'd'], unreachable: [{ name: 'ghost', code: ErrorCode.NO_ROUTE }] });
    expect(await rpc.get('a')!.broadcast({ all: 1 })).toEqual({ reached: ['b', 'c', 'd'], unreachable: [] });
    expect(seen.filter((m) => m.kind === 'broadcast').length).toBe(5);
  });
});

describe('control protocol over a client link', () => {
  it('answers routes, dot, status, dial, hangup and send; pushes traffic to a subscriber', async () => {
    await line();
    const ctl = await MeshControlClient.connect({ address: sim.node('a').address!, secret: SECRET, transport: sim.network.transport('cli') });
    try {
      const routes = await ctl.routes();
      expect(routes.find((r) => r.destination === 'd')).toEqual({ destination: 'd', nextHop: 'b', hops: 3, path: ['a', 'b', 'c', 'd'] });
      expect(await ctl.dot()).toContain('"a" -- "b";');
      expect((await ctl.status()).links.map((l) => l.peer)).toEqual(['b']);
      // A control link is not a mesh link: the node's neighbours did not change.
      expect(sim.node('a').neighbours()).toEqual(['b']);

      const events: MeshWatchEvent[] = [];
      const unwatch = await ctl.watch((e) => events.push(e), { bodies: true });
      const reply = await ctl.send('d', { x: 'y' });
      expect(reply.hops).toEqual(['a', 'b', 'c', 'd']);
      await waitFor(() => events.some((e) => e.type === 'traffic' && e.kind === 'response' && e.action === 'deliver'), 2_000, 'traffic');
      expect(events.find((e) => e.type === 'traffic' && e.action === 'originate')).toMatchObject({ kind: 'request', origin: 'a', recipients: ['d'], body: { x: 'y' } });
      await unwatch();

      expect(await ctl.dial(sim.node('d').address!)).toBe('d');
      await waitFor(() => sim.node('a').routes().find((r) => r.destination === 'd')?.hops === 1, 2_000, 'direct route');
      await ctl.hangup('d');
      await waitFor(() => sim.node('a').routes().find((r) => r.destination === 'd')?.hops === 3, 2_000, 'route after hangup');
      await expect(ctl.hangup('nobody')).rejects.toMatchObject({ code: ErrorCode.NO_ROUTE });
      await expect(ctl.send('nobody', {})).rejects.toMatchObject({ code: ErrorCode.NO_ROUTE });
    } finally {
      await ctl.close();
    }
  });

  it('a node without a control handler refuses client links', async () => {
    sim = new Sim();
    const lone = await sim.add('lone');
    await expect(
      MeshControlClient.connect({ address: lone.address!, secret: SECRET, transport: sim.network.transport('cli'), timeoutMs: 500 }),
    ).rejects.toBeDefined();
    expect(lone.neighbours()).toEqual([]);
  });

  it('says SERVER_UNREACHABLE when nothing listens there', async () => {
    sim = new Sim();
    await expect(
      MeshControlClient.connect({ address: 'nowhere:1', secret: SECRET, transport: sim.network.transport('cli'), timeoutMs: 500 }),
    ).rejects.toMatchObject({ code: ErrorCode.SERVER_UNREACHABLE });
  });
});

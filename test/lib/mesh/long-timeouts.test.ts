/**
 * Timeouts of 2^31 ms or more (`--timeout 1000h`): Node's timers overflow them to 1 ms, so a
 * mesh request or a control call would fail at once. They must wait, and succeed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MeshRpc } from '../../../src/lib/mesh/mesh-rpc.js';
import { MeshControl } from '../../../src/lib/mesh/mesh-control.js';
import { MeshControlClient } from '../../../src/lib/mesh/mesh-control-client.js';
import { MeshNode } from '../../../src/lib/mesh/mesh-node.js';
import { wsTransport } from '../../../src/lib/transport/ws.js';
import { SECRET, Sim, waitFor } from './sim.js';

const HUGE = [2 ** 31, 1000 * 3_600_000];

let warnings: string[];
const onWarning = (w: Error) => warnings.push(w.name);
beforeEach(() => {
  warnings = [];
  process.on('warning', onWarning);
});
afterEach(() => {
  process.off('warning', onWarning);
});

/** Resolves after every timer due within `ms` from now has fired (a 1 ms overflow among them). */
const afterTimersDueWithin = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mesh requests with timeouts beyond what a timer holds', () => {
  let sim: Sim | undefined;
  afterEach(async () => {
    await sim?.stopAll();
    sim = undefined;
  });

  async function pair(): Promise<Map<string, MeshRpc>> {
    sim = new Sim();
    const rpc = new Map<string, MeshRpc>();
    for (const name of ['a', 'b', 'c']) {
      const node = await sim.add(name);
      const r = new MeshRpc(node, (m) => ((m.body as { hang?: boolean } | null)?.hang ? new Promise<never>(() => {}) : { at: name }));
      rpc.set(name, r);
      node.serveClients(new MeshControl(node, r));
    }
    await Promise.all([sim.link('a', 'b'), sim.link('b', 'c')]);
    await waitFor(() => sim!.converged(), 5_000, 'convergence');
    return rpc;
  }

  it.each(HUGE)('MeshRpc.request with timeoutMs %d succeeds and, unanswered, keeps waiting', async (timeoutMs) => {
    const rpc = await pair();
    const outcome: string[] = [];
    const waiting = rpc.get('a')!.request('c', { hang: true }, { timeoutMs });
    waiting.then(
      () => outcome.push('answered'),
      (e: { code: string }) => outcome.push(e.code),
    );
    expect(await rpc.get('a')!.request('c', { q: 1 }, { timeoutMs })).toMatchObject({ body: { at: 'c' }, hops: ['a', 'b', 'c'] });
    await afterTimersDueWithin(5);
    expect(outcome).toEqual([]);
    expect(warnings).not.toContain('TimeoutOverflowWarning');
    rpc.get('a')!.close();
    await waiting.catch(() => {});
    expect(outcome).toEqual(['CLOSED']);
  });

  it.each(HUGE)('a control client send with timeoutMs %d is carried by the node and answered', async (timeoutMs) => {
    await pair();
    const ctl = await MeshControlClient.connect({ address: sim!.node('a').address!, secret: SECRET, transport: sim!.network.transport('ctl'), timeoutMs });
    try {
      expect(await ctl.send('c', { q: 1 }, { timeoutMs })).toMatchObject({ body: { at: 'c' }, hops: ['a', 'b', 'c'] });
      expect((await ctl.routes()).map((r) => r.destination)).toEqual(['b', 'c']);
    } finally {
      await ctl.close();
    }
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });
});

describe('the control client over WebSockets with a timeout beyond what a timer holds', () => {
  let node: MeshNode | undefined;
  afterEach(async () => {
    await node?.stop();
    node = undefined;
  });

  it.each(HUGE)('connects with timeoutMs %d and answers routes and status', async (timeoutMs) => {
    node = new MeshNode({ name: 'solo', secret: SECRET, transport: wsTransport, host: '127.0.0.1', port: 0 });
    await node.start();
    node.serveClients(new MeshControl(node, new MeshRpc(node)));
    const ctl = await MeshControlClient.connect({ address: node.address!, secret: SECRET, timeoutMs });
    try {
      expect(await ctl.routes()).toEqual([]);
      expect(await ctl.status()).toMatchObject({ name: 'solo' });
    } finally {
      await ctl.close();
    }
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });
});

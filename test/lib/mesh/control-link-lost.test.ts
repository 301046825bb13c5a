/**
 * MeshControlClient.lost: a control link that goes away other than by close() says so, as a
 * SERVER_UNREACHABLE error naming the mesh node (what `botz tail --via` turns into exit 7), and a
 * call cut short by it fails the same way rather than as UNREACHABLE (which means the target).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/lib/errors.js';
import { MeshRpc } from '../../../src/lib/mesh/mesh-rpc.js';
import { MeshControl } from '../../../src/lib/mesh/mesh-control.js';
import { MeshControlClient } from '../../../src/lib/mesh/mesh-control-client.js';
import { SECRET, Sim, waitFor } from './sim.js';

let sim: Sim;
afterEach(async () => {
  await sim?.stopAll();
});

/** a - b; b's handler never answers `{hang: true}`. Returns a control client on a. */
async function setup(): Promise<MeshControlClient> {
  sim = new Sim();
  for (const name of ['a', 'b']) {
    const node = await sim.add(name);
    const rpc = new MeshRpc(node, (m) => ((m.body as { hang?: boolean } | null)?.hang ? new Promise<never>(() => {}) : { at: name }));
    node.serveClients(new MeshControl(node, rpc));
  }
  await sim.link('a', 'b');
  await waitFor(() => sim.converged(), 5_000, 'convergence');
  return MeshControlClient.connect({ address: sim.node('a').address!, secret: SECRET, transport: sim.network.transport('ctl') });
}

describe('MeshControlClient when its mesh node goes away', () => {
  it('resolves lost with SERVER_UNREACHABLE naming the node once the node stops', async () => {
    const ctl = await setup();
    const address = sim.node('a').address!;
    const events: unknown[] = [];
    await ctl.watch((e) => events.push(e));
    await sim.kill('a');
    const error = await ctl.lost;
    expect(error).toMatchObject({ code: ErrorCode.SERVER_UNREACHABLE, details: { server: address } });
    expect(error.message).toContain(`mesh node at ${address}`);
    await ctl.close();
  });

  it('fails a call in flight with SERVER_UNREACHABLE, not UNREACHABLE', async () => {
    const ctl = await setup();
    const waiting = ctl.send('b', { hang: true }, { timeoutMs: 10_000 });
    const outcome = waiting.catch((e: unknown) => e);
    await sim.kill('a');
    expect(await outcome).toMatchObject({ code: ErrorCode.SERVER_UNREACHABLE, details: { server: ctl.address } });
    await ctl.close();
  });

  it('a remote UNREACHABLE on a live link stays UNREACHABLE/NO_ROUTE (about the target)', async () => {
    const ctl = await setup();
    try {
      const error = await ctl.send('nobody', null, { timeoutMs: 2_000 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: expect.stringMatching(/^(NO_ROUTE|UNREACHABLE)$/) });
      expect(await ctl.routes()).toHaveLength(1);
    } finally {
      await ctl.close();
    }
  });

  it('never resolves lost after close(): closing our own link is not losing it', async () => {
    const ctl = await setup();
    let lost = false;
    void ctl.lost.then(() => (lost = true));
    await ctl.close();
    // Our end of the link finishes within close(); the node then sees it go, and stopping it is harmless.
    await sim.kill('a');
    await new Promise((r) => setImmediate(r));
    expect(lost).toBe(false);
  });
});

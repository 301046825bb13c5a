/**
 * MeshControlClient.lost: a control link that goes away other than by close() says so, as a
 * SERVER_UNREACHABLE error naming the mesh node (what `botz tail --via` turns into exit 7), and a
 * call cut short by it fails the same way rather than as UNREACHABLE (which means the target).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/lib/errors.js';
import { MeshControlClient } from '../../../src/lib/mesh/mesh-control-client.js';
import { MESH_SECRET, meshOfComponents, type MeshOfComponents } from '../../helpers/mesh.js';

let mesh: MeshOfComponents | undefined;
afterEach(async () => {
  await mesh?.stopAll();
  mesh = undefined;
});

/** a - b; b's handler never answers `{hang: true}`. Returns a control client on a. */
async function setup(): Promise<MeshControlClient> {
  mesh = await meshOfComponents(['a', 'b']);
  return MeshControlClient.connect({ address: mesh.node('a').mesh!.address, secret: MESH_SECRET, transport: mesh.network.transport('ctl') });
}

describe('MeshControlClient when its mesh node goes away', () => {
  it('resolves lost with SERVER_UNREACHABLE naming the node once the node stops', async () => {
    const ctl = await setup();
    const address = mesh!.node('a').mesh!.address;
    const events: unknown[] = [];
    await ctl.watch((e) => events.push(e));
    await mesh!.kill('a');
    const error = await ctl.lost;
    expect(error).toMatchObject({ code: ErrorCode.SERVER_UNREACHABLE, details: { server: address } });
    expect(error.message).toContain(`mesh node at ${address}`);
    await ctl.close();
  });

  it('fails a call in flight with SERVER_UNREACHABLE, not UNREACHABLE', async () => {
    const ctl = await setup();
    const waiting = ctl.send('b', { hang: true }, { timeoutMs: 10_000 });
    const outcome = waiting.catch((e: unknown) => e);
    await mesh!.kill('a');
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
    await mesh!.kill('a');
    await new Promise((r) => setImmediate(r));
    expect(lost).toBe(false);
  });
});

/**
 * The mesh benchmark's two halves, over real WebSockets: a line of relay nodes ending in an
 * echo (one peer process), and a driver node that links to the head of the line and sends
 * requests across it. `hops` is the number of links a request crosses to reach the echo.
 *
 *   driver ── r1 ── r2 ── … ── mesh-echo        (hops = relays + 1)
 */
import { MeshNode } from '../mesh/mesh-node.js';
import { MeshRpc } from '../mesh/mesh-rpc.js';
import { wsTransport } from '../transport/ws.js';
import type { Body } from '../wire/frames.js';

export const MESH_ECHO = 'mesh-echo';

export interface MeshLine {
  /** Where the driver dials: the head of the line. */
  address: string;
  stop(): Promise<void>;
}

/** Starts `hops - 1` relays and the echo, linked in a line; the driver supplies the last link. */
export async function startMeshLine(secret: string, hops: number): Promise<MeshLine> {
  const nodes: MeshNode[] = [];
  const rpcs: MeshRpc[] = [];
  const stop = async (): Promise<void> => {
    for (const r of rpcs) r.close();
    await Promise.all(nodes.map((n) => n.stop()));
  };
  try {
    const names = [...Array.from({ length: hops - 1 }, (_, i) => `mesh-relay-${i + 1}`), MESH_ECHO];
    for (const name of names) {
      const node = new MeshNode({ name, secret, transport: wsTransport });
      await node.start();
      nodes.push(node);
    }
    rpcs.push(new MeshRpc(nodes[nodes.length - 1], (m) => m.body));
    for (let i = 0; i + 1 < nodes.length; i++) await nodes[i].dial(nodes[i + 1].address!);
    return { address: nodes[0].address!, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface MeshDriver {
  request(body: Body, timeoutMs: number): Promise<Body>;
  close(): Promise<void>;
}

/** Joins the line at `address` and resolves once a route to the echo exists. */
export async function meshDriver(secret: string, address: string, timeoutMs = 10_000): Promise<MeshDriver> {
  const node = new MeshNode({ name: `mesh-driver-${process.pid}`, secret, transport: wsTransport });
  await node.start();
  const rpc = new MeshRpc(node);
  const close = async (): Promise<void> => {
    rpc.close();
    await node.stop();
  };
  try {
    await node.dial(address);
    const deadline = Date.now() + timeoutMs;
    // Routes appear as the line's announcements flood in after the link came up.
    while (!node.routes().some((r) => r.destination === MESH_ECHO)) {
      if (Date.now() > deadline) throw new Error(`no mesh route to ${MESH_ECHO} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 2));
    }
    return { request: async (body, t) => (await rpc.request(MESH_ECHO, body, { timeoutMs: t })).body, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The mesh benchmark's two halves, over real WebSockets: a line of relay nodes ending in an
 * echo (one peer process), and a driver node that links to the head of the line and sends
 * requests across it. `hops` is the number of links a request crosses to reach the echo.
 * Every node is a mesh-only Component (no server), as `botz register --mesh` runs without one.
 * With credentials (issue 18) every node proves its own: a credential mesh, each request and
 * reply sealed end to end.
 *
 *   driver ── r1 ── r2 ── … ── mesh-echo        (hops = relays + 1)
 */
import { Component } from '../component/component.js';
import { loadCredential, type CredentialFile } from '../identity/credential.js';
import { wsTransport } from '../transport/ws.js';
import type { Body } from '../wire/frames.js';

export const MESH_ECHO = 'mesh-echo';

export interface MeshLine {
  /** Where the driver dials: the head of the line. */
  address: string;
  stop(): Promise<void>;
}

function meshOnly(name: string, secret: string, onMessage?: (m: { body: Body }) => Body, credential?: CredentialFile): Promise<Component> {
  const identity = credential ? { identity: { credential: loadCredential(credential) } } : { secret };
  return Component.start({ name, ...identity, server: null, transport: wsTransport, mesh: {}, onMessage });
}

/** The names of a line of `hops` links: its relays, then the echo. */
export function meshLineNames(hops: number): string[] {
  return [...Array.from({ length: hops - 1 }, (_, i) => `mesh-relay-${i + 1}`), MESH_ECHO];
}

/**
 * Starts `hops - 1` relays and the echo, linked in a line; the driver supplies the last link.
 * `credentials`: one per name of meshLineNames(hops), in that order.
 */
export async function startMeshLine(secret: string, hops: number, credentials?: CredentialFile[]): Promise<MeshLine> {
  const nodes: Component[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.stop()));
  };
  try {
    const names = meshLineNames(hops);
    for (const [i, name] of names.entries()) nodes.push(await meshOnly(name, secret, name === MESH_ECHO ? (m) => m.body : undefined, credentials?.[i]));
    for (let i = 0; i + 1 < nodes.length; i++) await nodes[i].mesh!.node.dial(nodes[i + 1].mesh!.address);
    return { address: nodes[0].mesh!.address, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface MeshDriver {
  request(body: Body, timeoutMs: number): Promise<Body>;
  close(): Promise<void>;
}

/** The name a driver joins the line under (a credential for it must name it). */
export const meshDriverName = (): string => `mesh-driver-${process.pid}`;

/** Joins the line at `address` and resolves once a route to the echo exists. */
export async function meshDriver(secret: string, address: string, timeoutMs = 10_000, credential?: CredentialFile): Promise<MeshDriver> {
  const driver = await meshOnly(meshDriverName(), secret, undefined, credential);
  const close = (): Promise<void> => driver.stop();
  try {
    const mesh = driver.mesh!;
    await mesh.node.dial(address);
    const deadline = Date.now() + timeoutMs;
    // Routes appear as the line's announcements flood in after the link came up.
    while (!mesh.hasRoute(MESH_ECHO)) {
      if (Date.now() > deadline) throw new Error(`no mesh route to ${MESH_ECHO} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 2));
    }
    return { request: async (body, t) => (await mesh.request(MESH_ECHO, body, { timeoutMs: t })).body, close };
  } catch (error) {
    await close();
    throw error;
  }
}

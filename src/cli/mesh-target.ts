/**
 * What NODE means in `botz mesh ... NODE`: a `host:port` of a mesh node as it is, or the name of
 * a component the server knows, found through the mesh address it registered (`meta.mesh`).
 * Component names cannot hold a `:`, so the two never collide.
 */
import { BotzError, ErrorCode, NoSuchComponent } from '../lib/errors.js';
import type { ComponentInfo } from '../lib/wire/frames.js';

/** True when NODE is an address rather than a name. */
export function isMeshAddress(node: string): boolean {
  return node.includes(':');
}

/**
 * The mesh address of NODE. `list` is asked only for a name. Throws NO_SUCH_COMPONENT for an
 * unknown name, NO_ROUTE for a component that runs no mesh node.
 */
export async function meshAddressOf(node: string, list: () => Promise<ComponentInfo[]>): Promise<string> {
  if (isMeshAddress(node)) return node;
  const info = (await list()).find((c) => c.name === node);
  if (!info) throw new NoSuchComponent(node);
  const address = info.meta.mesh;
  if (!address) {
    throw new BotzError(ErrorCode.NO_ROUTE, `"${node}" runs no mesh node (start it with \`botz register ${node} --mesh\`)`, {
      details: { name: node },
    });
  }
  return address;
}

/**
 * A route: how frames reach one target from this node, by one of the three paths. Every path
 * carries the same frames, stamped once by this node: a direct link to the target, the link to
 * the server (which relays packets addressed to the target), or the mesh (which carries them
 * hop by hop inside meshSend). What answers a request settles in the node's one pending map
 * whichever path either of them took.
 */
import { asBotzError, BotzError, ErrorCode, isErrorCode } from '../errors.js';
import type { Channel } from '../channel/channel.js';
import type { MeshNode } from '../mesh/mesh-node.js';
import type { MeshMiss, CarriedFrame } from '../wire/mesh-frames.js';
import type { Frame } from '../wire/frames.js';

export type Route =
  /** direct: our own link to the target; relay: our link to the server, packets addressed to the target. */
  | { path: 'direct' | 'relay'; target: string; channel: Channel }
  /** The mesh, along `hops` (this node first, the target last) as the routing table says now. */
  | { path: 'mesh'; target: string; mesh: MeshNode; hops: string[] };

/**
 * Sends one stamped frame along `route`. Throws what a channel throws at once (FRAME_TOO_LARGE...).
 * Over the mesh it returns the carrying, which rejects with why the frame did not reach its
 * target (NO_ROUTE, TIMEOUT, UNREACHABLE...); the other paths have nothing more to wait for.
 */
export function sendOn(route: Route, frame: Frame): Promise<void> | undefined {
  if (route.path !== 'mesh') {
    route.channel.sendFrame(frame, route.target);
    return undefined;
  }
  return route.mesh.carry([route.target], [frame as unknown as CarriedFrame]).then(
    ({ unreachable }) => {
      if (unreachable[0]) throw missError(unreachable[0]);
    },
    (error: unknown) => {
      throw asBotzError(error, ErrorCode.UNREACHABLE);
    },
  );
}

/** The error a frame gets when the mesh did not reach its target: NO_ROUTE, TIMEOUT, UNREACHABLE... */
export function missError(miss: MeshMiss): BotzError {
  const code = isErrorCode(miss.code) ? miss.code : ErrorCode.UNREACHABLE;
  return new BotzError(code, `the mesh could not reach "${miss.name}" (${miss.code})`, { details: { name: miss.name } });
}

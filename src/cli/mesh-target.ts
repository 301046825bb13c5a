/**
 * What NODE means in `botz mesh ... NODE` (and `--via NODE`): a `host:port` of a mesh node as it
 * is, or the name of a component the server knows, found through the mesh address it registered
 * (`meta.mesh`). Component names cannot hold a `:`, so the two never collide. And how a control
 * link to it is opened, the same for the commands and the REPL.
 */
import { secretsOf } from './keyring-file.js';
import { BotzError, ErrorCode, NoSuchComponent } from '../lib/errors.js';
import type { MeshControlClient } from '../lib/mesh/mesh-control-client.js';
import type { ComponentInfo } from '../lib/wire/frames.js';
import type { FailureContext } from './exit-codes.js';
import type { Credential } from '../lib/identity/credential.js';

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

/** What reaching a mesh node needs, wherever the caller got it. */
export interface MeshControlOptions {
  /** The shared secret, or undefined with a credential. */
  secret: string | undefined;
  credential?: Credential;
  /** Bounds connecting to the node, and each control call. */
  timeoutMs: number;
  /** The server's listing, asked only when NODE is a name. */
  list: () => Promise<ComponentInfo[]>;
  /** The error context: from here on, failures are about the mesh node, not the server. */
  failure: FailureContext;
}

/**
 * Runs `fn` with a control link to NODE and closes it whatever happens. Throws
 * NO_SUCH_COMPONENT, NO_ROUTE (not a mesh node), SERVER_UNREACHABLE (nobody at the address) or
 * AUTH_FAILED.
 */
export async function withMeshControl<T>(node: string, o: MeshControlOptions, fn: (ctl: MeshControlClient) => Promise<T>): Promise<T> {
  const address = await meshAddressOf(node, o.list);
  o.failure.server = address;
  o.failure.peer = 'mesh node';
  // Loaded only for a mesh verb: the rest of the CLI never needs it.
  const { MeshControlClient } = await import('../lib/mesh/mesh-control-client.js');
  const ctl = await MeshControlClient.connect({ address, ...(o.credential ? { credential: o.credential } : { secret: secretsOf(o.secret!) }), timeoutMs: o.timeoutMs });
  try {
    return await fn(ctl);
  } finally {
    await ctl.close();
  }
}

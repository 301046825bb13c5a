/**
 * The one place a node decides how to reach a target: a direct link, the server's relay, or
 * the mesh. Every call (request, broadcast, shutdown, reliable frames, stream frames) asks the
 * router for its route and then sends the same stamped frames along it.
 *
 *   open direct link to target? ──yes──▶ direct
 *   mesh node, no server, mesh has a route? ──yes──▶ mesh
 *   one-shot client, name not resolved? ──yes──▶ relay (no lookup: the server forwards it)
 *   resolve (directory, else a lookup; @group: one ready member)
 *     ├─ NO_SUCH_COMPONENT, and the mesh has a route ──▶ mesh
 *     ├─ registered address we can dial ──▶ direct (our own dial: an inbound link never is a route)
 *     └─ otherwise, or the dial fails ──▶ relay
 */
import { BotzError, isBotzError, ErrorCode, NoSuchComponent } from '../errors.js';
import type { NodeContext } from '../channel/node-context.js';
import type { MeshNode } from '../mesh/mesh-node.js';
import type { ServerLink } from '../registry/server-link.js';
import type { ComponentInfo } from '../wire/frames.js';
import { remaining } from '../clock.js';
import type { Locator } from './locator.js';
import type { PeerPool } from './peer-pool.js';
import type { Route } from './route.js';

export interface RouterDeps {
  ctx: NodeContext;
  peers: PeerPool;
  locator: Locator;
  /** The link to the server (absent until the node connected). */
  server(): ServerLink | undefined;
  /** The node's mesh node, when it runs one. */
  mesh(): MeshNode | undefined;
  /** How long a dial to a component may take (within the call's deadline). */
  connectTimeoutMs: number;
  /**
   * A one-shot client (a CLI call) sends to a name it never resolved through the relay at once:
   * no lookup, no dial. Two round trips in all, where a lookup and a dial would cost three more.
   */
  oneShot: boolean;
}

export class Router {
  constructor(private readonly deps: RouterDeps) {}

  /**
   * A node with a credential dials peers only under its credential's own name (a peer admits
   * no `NAME.suffix`) and when its grant may look names up (§12 Credentials, Paths); otherwise
   * all it sends goes through the relay.
   */
  private get mayDial(): boolean {
    const credential = this.deps.ctx.identity.credential;
    return credential === undefined || (credential.name === this.deps.ctx.name && credential.grant.permissions.list);
  }

  /**
   * The route that needs no waiting, if there is one: the hot path. An open direct link; or the
   * relay, for a name the directory knows to have no address we can dial, while the server link
   * is up (what route() would decide, without its awaits).
   */
  ready(target: string): Route | undefined {
    const { peers, locator } = this.deps;
    const channel = peers.open(target);
    if (channel) return { path: 'direct', target, channel };
    const known = locator.directory.get(target);
    if (!known || known.state === 'registered' || (known.address && this.mayDial && !peers.recentlyFailed(target))) return undefined;
    const server = this.deps.server()?.current();
    return server ? { path: 'relay', target, channel: server } : undefined;
  }

  /**
   * How `target` (a name, or `@group` for one ready member) is reached now. Throws
   * NO_SUCH_COMPONENT, NO_ROUTE, or what waiting for the server throws (TIMEOUT, CLOSED).
   */
  async route(target: string, deadline: number): Promise<Route> {
    const open = this.ready(target);
    if (open) return open;
    const mesh = this.deps.mesh();
    const server = this.deps.server();
    if (mesh && !server?.connected && mesh.hasRoute(target)) return this.meshRoute(mesh, target);
    // A credential node that may not dial has nothing to resolve a name for (nor may it list).
    if ((this.deps.oneShot || !this.mayDial) && !target.startsWith('@') && !this.deps.locator.knows(target)) return this.relay(target, deadline);
    let info: ComponentInfo;
    try {
      info = await this.deps.locator.resolve(target, deadline);
    } catch (error) {
      if (mesh && isBotzError(error) && error.code === ErrorCode.NO_SUCH_COMPONENT && mesh.hasRoute(target)) return this.meshRoute(mesh, target);
      throw error;
    }
    return this.toEntry(info, deadline);
  }

  /** The route to a registered component: a direct link if it has an address we can dial, else the relay. */
  async toEntry(info: ComponentInfo, deadline: number): Promise<Route> {
    const { peers, ctx, connectTimeoutMs } = this.deps;
    if (info.address && this.mayDial && !peers.recentlyFailed(info.name)) {
      try {
        const channel = await peers.get(info.name, info.address, Math.min(remaining(ctx.clock, deadline), connectTimeoutMs));
        return { path: 'direct', target: info.name, channel };
      } catch (error) {
        // Cannot dial it (NAT, firewall, stale address): the server can still reach it.
        if (ctx.clock.now() >= deadline) throw error;
      }
    }
    return this.relay(info.name, deadline);
  }

  /** Over the mesh only (a mesh request, a mesh node's client asking it to reach a target). */
  overMesh(target: string): Route {
    const mesh = this.deps.mesh();
    if (!mesh || !mesh.hasRoute(target)) {
      throw new BotzError(ErrorCode.NO_ROUTE, mesh ? `the mesh has no route to "${target}"` : `"${this.deps.ctx.name}" runs no mesh node`, { details: { name: target } });
    }
    return this.meshRoute(mesh, target);
  }

  /** After a call failed: an entry that says where `target` lives may be wrong. */
  failed(target: string, error: unknown): void {
    this.deps.locator.forgetOnFailure(target, error);
  }

  private async relay(target: string, deadline: number): Promise<Route> {
    const server = this.deps.server();
    if (!server) throw new NoSuchComponent(target);
    return { path: 'relay', target, channel: await server.ready(deadline) };
  }

  private meshRoute(mesh: MeshNode, target: string): Route {
    return { path: 'mesh', target, mesh, hops: mesh.route(target)?.path ?? [mesh.name, target] };
  }
}

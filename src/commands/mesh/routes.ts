import { connectionFlags, timeoutFlag } from '../../cli/base-command.js';
import { MeshCommand, nodeArg } from '../../cli/mesh-command.js';
import { renderRoutes } from '../../cli/mesh-lines.js';
import type { Route } from '../../lib/mesh/routing.js';

export default class MeshRoutes extends MeshCommand {
  static override summary = "Show a mesh node's routing table";
  static override description = 'One row per reachable destination: the next hop, the number of hops and the whole path.';
  static override examples = ['<%= config.bin %> mesh routes n1', '<%= config.bin %> mesh routes 127.0.0.1:7411 --json'];
  static override args = { node: nodeArg };
  static override flags = { ...connectionFlags, timeout: timeoutFlag };

  async run(): Promise<Route[]> {
    const { args, flags } = await this.parse(MeshRoutes);
    this.failureContext.target = args.node;
    const routes = await this.withControl(args.node, flags, (ctl) => ctl.routes());
    this.line(renderRoutes(routes));
    return routes;
  }
}

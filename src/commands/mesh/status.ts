import { connectionFlags, timeoutFlag } from '../../cli/base-command.js';
import { MeshCommand, nodeArg } from '../../cli/mesh-command.js';
import { renderStatus } from '../../cli/mesh-lines.js';
import type { MeshStatus } from '../../lib/mesh/mesh-status.js';

export default class MeshStatusCommand extends MeshCommand {
  static override summary = "Show a mesh node's links, degree, announcement period and counters";
  static override examples = ['<%= config.bin %> mesh status n1', '<%= config.bin %> mesh status 127.0.0.1:7411 --json'];
  static override args = { node: nodeArg };
  static override flags = { ...connectionFlags, timeout: timeoutFlag };

  async run(): Promise<MeshStatus> {
    const { args, flags } = await this.parse(MeshStatusCommand);
    this.failureContext.target = args.node;
    const status = await this.withControl(args.node, flags, (ctl) => ctl.status());
    this.line(renderStatus(status, Date.now()));
    return status;
  }
}

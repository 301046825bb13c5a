import { Args } from '@oclif/core';
import { connectionFlags, timeoutFlag } from '../../cli/base-command.js';
import { MeshCommand, nodeArg } from '../../cli/mesh-command.js';

export default class MeshHangup extends MeshCommand {
  static override summary = 'Make a mesh node drop its link to a peer, for good (no redial)';
  static override examples = ['<%= config.bin %> mesh hangup n1 n3', '<%= config.bin %> mesh hangup n1 127.0.0.1:7413'];
  static override args = {
    node: nodeArg,
    peer: Args.string({ required: true, ignoreStdin: true, description: 'the peer: its name or host:port' }),
  };
  static override flags = { ...connectionFlags, timeout: timeoutFlag };

  async run(): Promise<{ node: string; hungUp: string }> {
    const { args, flags } = await this.parse(MeshHangup);
    this.failureContext.target = args.node;
    await this.withControl(args.node, flags, (ctl) => ctl.hangup(args.peer));
    this.line(`${args.node} hung up on ${args.peer}`);
    return { node: args.node, hungUp: args.peer };
  }
}

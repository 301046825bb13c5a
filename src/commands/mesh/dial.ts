import { Args } from '@oclif/core';
import { connectionFlags, timeoutFlag } from '../../cli/base-command.js';
import { MeshCommand, nodeArg } from '../../cli/mesh-command.js';

export default class MeshDial extends MeshCommand {
  static override summary = 'Make a mesh node link to another mesh node (and keep the link up)';
  static override description = 'Dialing ignores the namespace. Prints the name of the node reached.';
  static override examples = ['<%= config.bin %> mesh dial n1 127.0.0.1:7413'];
  static override args = {
    node: nodeArg,
    address: Args.string({ required: true, ignoreStdin: true, description: 'host:port of the mesh node to dial' }),
  };
  static override flags = { ...connectionFlags, timeout: timeoutFlag };

  async run(): Promise<{ node: string; peer: string; address: string }> {
    const { args, flags } = await this.parse(MeshDial);
    this.failureContext.target = args.node;
    const peer = await this.withControl(args.node, flags, (ctl) => ctl.dial(args.address));
    this.line(`${args.node} linked to ${peer} at ${args.address}`);
    return { node: args.node, peer, address: args.address };
  }
}

import { Args } from '@oclif/core';
import { BotzCommand } from '../../cli/base-command.js';
import { removeContext } from '../../cli/contexts.js';

export default class ContextRm extends BotzCommand {
  static override summary = 'Delete a saved context';
  static override examples = ['<%= config.bin %> context rm lab'];
  static override args = { name: Args.string({ required: true, ignoreStdin: true, description: 'context name' }) };

  async run(): Promise<void> {
    const { args } = await this.parse(ContextRm);
    removeContext(this.configDirectory, args.name);
    this.line(`removed context ${args.name}`);
  }
}

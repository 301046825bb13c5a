import { Args } from '@oclif/core';
import { BotzCommand } from '../../cli/base-command.js';
import { selectContext } from '../../cli/contexts.js';

export default class ContextUse extends BotzCommand {
  static override summary = 'Make a saved context the default for every command';
  static override examples = ['<%= config.bin %> context use lab'];
  static override args = { name: Args.string({ required: true, ignoreStdin: true, description: 'context name' }) };

  async run(): Promise<void> {
    const { args } = await this.parse(ContextUse);
    selectContext(this.configDirectory, args.name);
    this.line(`using context ${args.name}`);
  }
}

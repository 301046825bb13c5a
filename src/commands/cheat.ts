import { Args, Command } from '@oclif/core';
import { cheatSheet } from '../cli/cheat-sheet.js';
import { commandDocs } from '../cli/command-docs.js';
import { failureReport } from '../cli/exit-codes.js';

export default class Cheat extends Command {
  static override summary = 'Print examples of every command (or of one), ready to copy';
  static override examples = ['<%= config.bin %> cheat', '<%= config.bin %> cheat send', '<%= config.bin %> cheat mesh'];
  static override args = { command: Args.string({ description: 'a command (or topic) to show alone', ignoreStdin: true }) };

  async run(): Promise<void> {
    const { args } = await this.parse(Cheat);
    try {
      process.stdout.write(cheatSheet(commandDocs(this.config.commands, this.config.bin), args.command) + '\n');
    } catch (error) {
      const report = failureReport(error, { command: 'cheat' }, undefined);
      process.stderr.write(report.line + '\n');
      this.exit(report.exit);
    }
  }
}

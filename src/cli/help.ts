/**
 * oclif's help, except for a subject it does not know: `botz help sned` is the usage error
 * `botz sned` is (exit 2, one line, the nearest command), not oclif's "Command sned not found".
 * Named in package.json (oclif.helpClass).
 */
import { Help } from '@oclif/core';
import { didYouMean } from './did-you-mean.js';
import { ExitCode } from './exit-codes.js';

export default class BotzHelp extends Help {
  override async showHelp(argv: string[]): Promise<void> {
    try {
      await super.showHelp(argv);
    } catch (error) {
      const unknown = /^Command (.+) not found\.$/.exec((error as Error).message)?.[1];
      if (unknown === undefined) throw error;
      const typed = unknown.replaceAll(':', ' ');
      const commands = this.config.commands.filter((c) => !c.hidden).map((c) => c.id.replaceAll(':', ' '));
      const near = didYouMean(typed, commands);
      const advice = near ? `did you mean \`botz help ${near}\`?` : 'run `botz --help` for the list of commands';
      process.stderr.write(`botz: no help for "${typed}": there is no such command; ${advice}\n`);
      process.exitCode = ExitCode.USAGE;
    }
  }
}

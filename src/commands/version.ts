import { Command } from '@oclif/core';

/** `botz version`, as `botz --version` and `-v`: the reflex of people coming from other CLIs. */
export default class Version extends Command {
  static override summary = 'Print the version of botz, its platform and Node.js';
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> --version'];

  async run(): Promise<void> {
    process.stdout.write(`${this.config.userAgent}\n`);
  }
}

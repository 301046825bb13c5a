import { Args, Command } from '@oclif/core';
import { commandDocs } from '../cli/command-docs.js';
import { bashCompletion, componentTakingVerbs, zshCompletion } from '../cli/completion-script.js';

export default class Completion extends Command {
  static override summary = 'Print a shell completion script for commands and flags';
  static override description = 'Load it in your shell: eval "$(botz completion bash)" in ~/.bashrc, or eval "$(botz completion zsh)" in ~/.zshrc.';
  static override examples = ['eval "$(<%= config.bin %> completion bash)"', '<%= config.bin %> completion zsh > ~/.botz-completion.zsh'];
  static override args = { shell: Args.string({ options: ['bash', 'zsh'], required: true, description: 'the shell', ignoreStdin: true }) };

  async run(): Promise<void> {
    const { args } = await this.parse(Completion);
    const docs = commandDocs(this.config.commands, this.config.bin);
    const takeComponents = componentTakingVerbs();
    process.stdout.write(args.shell === 'zsh' ? zshCompletion(docs, this.config.bin, takeComponents) : bashCompletion(docs, this.config.bin, takeComponents));
  }
}

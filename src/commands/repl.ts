import { Flags } from '@oclif/core';
import { BotzCommand, connectionFlags } from '../cli/base-command.js';
import { describeFailure } from '../cli/exit-codes.js';
import { checkServerAddress } from '../cli/server-address.js';

export default class Repl extends BotzCommand {
  static override summary = 'An interactive session on the network: send, broadcast, components, tail, shutdown';
  static override description =
    'Joins the network as a component (messages sent to it print above the prompt) and reads verbs with the same ' +
    'arguments as the commands: `send echo a=1 b:=2 --timeout 2s`. Tab completes verbs, flags and live component ' +
    'names; history is kept in the config directory. With stdin piped, each line runs as a script (no prompt) and ' +
    'the exit code is that of the first failing line. Type `help` inside for the verbs.';
  static override examples = [
    '<%= config.bin %> repl',
    '<%= config.bin %> repl --name ops-console',
    "printf 'send echo a=1\\nbroadcast reload=now\\n' | <%= config.bin %> repl",
  ];
  // Results print as text; each verb takes --json itself.
  static override enableJsonFlag = false;
  static override flags = {
    ...connectionFlags,
    name: Flags.string({ char: 'n', description: 'component name to join as (default: repl-<user>-<pid>)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Repl);
    this.failureContext.server = checkServerAddress(flags.server);
    // The REPL and its dependencies load only for this command.
    const { runRepl } = await import('../repl/run-repl.js');
    const { defaultReplName } = await import('../repl/join.js');
    let exit: number;
    try {
      exit = await runRepl({
        server: flags.server,
        name: flags.name ?? defaultReplName(),
        secretFile: flags['secret-file'],
        encrypt: flags.encrypt,
        configDir: this.configDirectory,
        interactive: process.stdin.isTTY === true,
      });
    } catch (e) {
      // The user already saw why and said no to a local server: just leave with its code.
      if ((e as { declined?: boolean }).declined) return this.exit(describeFailure(e).exit);
      throw e;
    }
    // Not this.exit(): its process.exit() could cut the leave our component just sent, and the
    // server would see the REPL vanish (suspect) rather than leave.
    if (exit !== 0) process.exitCode = exit;
  }
}

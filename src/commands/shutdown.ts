import { Args, Flags } from '@oclif/core';
import { BotzCommand, connectionFlags, timeoutFlag } from '../cli/base-command.js';
import { shutdownLine } from '../cli/result-lines.js';

/** The shape of `botz shutdown --json`: the component's Botica shutdownResponse. */
export interface ShutdownResult {
  name: string;
  forced: boolean;
  ready: boolean;
}

export default class Shutdown extends BotzCommand {
  static override summary = "Ask a component to shut down and print its answer";
  static override description = 'Sends the Botica shutdownRequest. Without --force the component may refuse (ready: false).';
  static override examples = ['<%= config.bin %> shutdown echo', '<%= config.bin %> shutdown worker-3 --force --json'];
  static override args = { name: Args.string({ required: true, ignoreStdin: true, description: 'component name' }) };
  static override flags = {
    ...connectionFlags,
    force: Flags.boolean({ char: 'f', description: 'forced shutdown: the component must not refuse' }),
    timeout: timeoutFlag,
  };

  async run(): Promise<ShutdownResult> {
    const { args, flags } = await this.parse(Shutdown);
    const forced = flags.force ?? false;
    this.failureContext.target = args.name;
    this.failureContext.timeoutMs = flags.timeout;
    const client = await this.connect(flags, flags.timeout);
    let ready: boolean;
    try {
      ({ ready } = await client.shutdown(args.name, { forced, timeout: this.timeLeft() }));
    } finally {
      await client.close();
    }
    this.line(shutdownLine(args.name, ready));
    return { name: args.name, forced, ready };
  }
}

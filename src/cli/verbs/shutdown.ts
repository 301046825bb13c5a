/** `shutdown NAME`: the Botica shutdownRequest, and the component's answer. */
import { defineVerb } from '../verb.js';
import { timeoutFlag } from './flags.js';

/** The shape of `botz shutdown --json`: the component's Botica shutdownResponse. */
export interface ShutdownResult {
  name: string;
  forced: boolean;
  ready: boolean;
}

export const shutdownVerb = defineVerb({
  name: 'shutdown',
  summary: 'Ask a component to shut down and print its answer',
  description: 'Sends the Botica shutdownRequest. Without --force the component may refuse (ready: false).',
  examples: ['<%= config.bin %> shutdown echo', '<%= config.bin %> shutdown worker-3 --force --json'],
  args: { name: { required: true, names: 'component', description: 'component name' } },
  flags: {
    force: { type: 'boolean', char: 'f', description: 'forced shutdown: the component must not refuse' },
    timeout: timeoutFlag,
  },
  failure: ({ args, flags }) => ({ target: args.name, timeoutMs: flags.timeout }),

  async run(ctx, { args, flags }): Promise<ShutdownResult> {
    const forced = flags.force;
    const { ready } = await ctx.withClient(flags.timeout, (client, timeLeft) => client.shutdown(args.name, { forced, timeout: timeLeft(), signal: ctx.signal }));
    return { name: args.name, forced, ready };
  },

  render: ({ name, ready }) => shutdownLine(name, ready),
  repl: { usage: 'shutdown NAME [--force] [--timeout 5s] [--json]' },
});

/** The component's answer to a shutdown request. */
export function shutdownLine(name: string, ready: boolean): string {
  return ready ? `${name}: ready, shutting down` : `${name}: not ready, refused to shut down`;
}

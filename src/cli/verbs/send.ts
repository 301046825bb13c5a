/** `send NAME key=value...`: one request, its reply printed. The verb the fast path runs. */
import type { Json } from '../../lib/wire/frames.js';
import { renderBody } from '../output.js';
import { buildBody } from '../payload.js';
import { defineVerb } from '../verb.js';
import { dataFlag, payloadArg, timeoutFlag } from './flags.js';

export const sendVerb = defineVerb({
  name: 'send',
  summary: 'Send a request to a component and print its reply',
  description: 'NAME is a component, or @GROUP for one ready member of a group (round robin).',
  examples: [
    '<%= config.bin %> send echo greeting=hello count:=3',
    'echo \'{"greeting":"hello"}\' | <%= config.bin %> send echo --data -',
    '<%= config.bin %> send @workers --data @job.json --timeout 30s --json',
    '<%= config.bin %> send n4 k=v --via 127.0.0.1:7411',
  ],
  usage: 'send NAME [KEY=VALUE | KEY:=JSON]... [--data @FILE | --data - | --data JSON] [--timeout 5s] [--json]',
  args: {
    name: { required: true, replOptional: true, names: 'component', description: 'component name, or @group' },
    payload: payloadArg,
  },
  flags: {
    data: dataFlag,
    timeout: timeoutFlag,
    via: {
      type: 'string',
      helpValue: '<host:port>',
      description: 'send across the mesh from this mesh node (no server needed); prints the path taken on stderr',
      // The REPL sends as its own component, not through a mesh node's control link.
      commandOnly: true,
    },
  },
  failure: ({ args, flags }) => ({ target: args.name, timeoutMs: flags.timeout }),

  async run(ctx, { args, flags }): Promise<Json> {
    // Parse the body before touching the network, so a typo never costs a round trip.
    const body = buildBody(args.payload, flags.data === undefined ? undefined : await ctx.readData(flags.data));
    const target = args.name ?? (await ctx.pickComponent());
    if (flags.via !== undefined) {
      const answer = await ctx.withControl(flags.via, flags.timeout, (ctl) => ctl.send(target, body, { timeoutMs: flags.timeout }));
      ctx.note(`mesh path ${answer.hops.join('>')}, reply ${answer.replyHops.join('>')}`);
      return answer.body;
    }
    return ctx.withClient(flags.timeout, (client, timeLeft) => client.send(target, body, { timeout: timeLeft(), signal: ctx.signal }));
  },

  render: (reply, style) => renderBody(reply, style),
  repl: {
    note: 'no NAME: pick one from a list',
    usage: 'send [NAME|@GROUP] [KEY=VALUE | KEY:=JSON]... [--data @FILE|JSON] [--timeout 5s] [--json]',
  },
});

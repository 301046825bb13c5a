/** `send NAME key=value...`: one request, its reply printed. The verb the fast path runs. */
import { BotzError, ErrorCode } from '../../lib/errors.js';
import type { Json } from '../../lib/wire/frames.js';
import { headerLines, parseHeaders } from '../headers.js';
import { rawBody, renderBody } from '../output.js';
import { jsonOfBody } from '../body-json.js';
import { checkRawWithJson } from '../raw-output.js';
import { buildBody } from '../payload.js';
import { expandPayload } from '../template.js';
import { defineVerb } from '../verb.js';
import { printStreamedReply } from '../streamed-send.js';
import { dataFlag, headerFlag, payloadArg, timeoutFlag } from './flags.js';

export const sendVerb = defineVerb({
  name: 'send',
  summary: 'Send a request to a component and print its reply',
  description:
    'NAME is a component, or @GROUP for one ready member of a group (round robin). The reply body goes to stdout; ' +
    'the headers the replier added, one `key: value` line each, to stderr. Piped, the body prints as compact JSON on one line (jq reads it, ' +
    '`botz send NAME --data -` takes it back); --raw prints that on a terminal too, a string body bare, and no headers.',
  examples: [
    '<%= config.bin %> send echo greeting=hello count:=3',
    '<%= config.bin %> send echo a=1 -H trace-id:abc -H priority:high',
    'echo \'{"greeting":"hello"}\' | <%= config.bin %> send echo --data -',
    '<%= config.bin %> send @workers --data @job.json --timeout 30s --json',
    '<%= config.bin %> send n4 k=v --via 127.0.0.1:7411',
    '<%= config.bin %> send echo a=1 | <%= config.bin %> send upper --data -',
    '<%= config.bin %> send echo a=1 --raw | jq .a',
    "<%= config.bin %> send echo id='{{ID}}' n:='{{Random 1 100}}' at='{{TimeStamp}}'",
    '<%= config.bin %> send logs since=1h --stream | jq .line',
  ],
  usage: 'send NAME [KEY=VALUE | KEY:=JSON]... [--data @FILE | --data - | --data JSON] [-H KEY:VALUE]... [--timeout 5s] [--stream] [--json | --raw]',
  args: {
    name: { required: true, replOptional: true, names: 'component', description: 'component name, or @group' },
    payload: payloadArg,
  },
  flags: {
    data: dataFlag,
    header: headerFlag,
    timeout: timeoutFlag,
    raw: { type: 'boolean', description: 'print the reply body only: compact JSON (a string bare), no headers on stderr' },
    via: {
      type: 'string',
      helpValue: '<host:port>',
      description: 'send across the mesh from this mesh node (no server needed); prints the path taken on stderr',
      // The REPL sends as its own component, not through a mesh node's control link.
      commandOnly: true,
    },
    // issue 15: streamed replies
    stream: {
      type: 'boolean',
      description: 'read a streamed reply: print each chunk as it comes, one line each (NDJSON when piped or with --json); Ctrl-C stops it',
    },
  },
  failure: ({ args, flags }) => ({ target: args.name, timeoutMs: flags.timeout }),

  async run(ctx, { args, flags }): Promise<Json | undefined> {
    checkRawWithJson(flags.raw, ctx.json);
    // No name holds a `=`: `botz send a=1` forgot NAME, and "no component named a=1" would mislead.
    if (args.name?.includes('=')) {
      throw new BotzError(ErrorCode.INVALID_ARGUMENT, `missing NAME before the payload: "${args.name}" is a key=value word; e.g. botz send echo ${args.name}`);
    }
    // Parse the body before touching the network, so a typo never costs a round trip.
    const body = buildBody(expandPayload(args.payload), flags.data === undefined ? undefined : await ctx.readData(flags.data));
    const headers = parseHeaders(flags.header);
    const target = args.name ?? (await ctx.pickComponent());
    if (flags.stream) {
      // Checked here, not as an oclif `exclusive`: the fast path would hand every --stream to oclif.
      if (flags.via !== undefined) throw new BotzError(ErrorCode.INVALID_ARGUMENT, '--stream cannot be used with --via: a streamed reply goes as its own stream, not through a mesh control link');
      await printStreamedReply(ctx, { target, body, headers, timeoutMs: flags.timeout, raw: flags.raw });
      return undefined;
    }
    const answer =
      flags.via === undefined
        ? await ctx.withClient(flags.timeout, (client, timeLeft) => client.request(target, body, { timeout: timeLeft(), signal: ctx.signal, headers }))
        : await ctx.withControl(flags.via, flags.timeout, async (ctl) => {
            const meshed = await ctl.send(target, body, { timeoutMs: flags.timeout, headers });
            ctx.note(`mesh path ${meshed.hops.join('>')}, reply ${meshed.replyHops.join('>')}`);
            return meshed;
          });
    if (!flags.raw) for (const line of headerLines(answer.headers)) ctx.note(line);
    return jsonOfBody(answer.body);
  },

  render: (reply, style, { flags }) => (flags.raw ? rawBody(reply) : renderBody(reply, style)),
  repl: {
    note: 'no NAME: pick one from a list',
    usage: 'send [NAME|@GROUP] [KEY=VALUE | KEY:=JSON]... [--data @FILE|JSON] [-H KEY:VALUE]... [--timeout 5s] [--stream] [--json | --raw]',
  },
});

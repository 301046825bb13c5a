/**
 * `broadcast key=value...`: one message to every component (or a group). The result is printed
 * either way, and the exit code says how it went.
 */
import type { BroadcastResult } from '../../lib/node/options.js';
import { ExitCode } from '../exit-codes.js';
import { parseHeaders } from '../headers.js';
import { buildBody } from '../payload.js';
import { expandPayload } from '../template.js';
import { defineVerb } from '../verb.js';
import { dataFlag, groupFlag, headerFlag, payloadArg, timeoutFlag } from './flags.js';

export const broadcastVerb = defineVerb({
  name: 'broadcast',
  summary: 'Send a message to every component (or one group) and print who got it',
  examples: [
    '<%= config.bin %> broadcast reload=now',
    '<%= config.bin %> broadcast --group workers pause:=true --json',
    '<%= config.bin %> broadcast reload=now -H reason:deploy',
  ],
  usage: 'broadcast [KEY=VALUE | KEY:=JSON]... [--group G] [--data @FILE | --data -] [-H KEY:VALUE]... [--json]',
  args: { payload: payloadArg },
  flags: { group: groupFlag, data: dataFlag, header: headerFlag, timeout: timeoutFlag },
  failure: ({ flags }) => ({ timeoutMs: flags.timeout }),

  async run(ctx, { args, flags }): Promise<BroadcastResult> {
    const body = buildBody(expandPayload(args.payload), flags.data === undefined ? undefined : await ctx.readData(flags.data));
    const headers = parseHeaders(flags.header);
    return ctx.withClient(flags.timeout, (client, timeLeft) => client.broadcast(body, { group: flags.group, timeout: timeLeft(), signal: ctx.signal, headers }));
  },

  render: (result, _style, { flags }) => broadcastLines(result, flags.group).join('\n'),
  exitCode: (result) => broadcastExit(result),
  repl: { usage: 'broadcast [KEY=VALUE | KEY:=JSON]... [--group G] [--data @FILE|JSON] [-H KEY:VALUE]... [--timeout 5s] [--json]' },
});

/** `delivered (2): a, b`, then ignored and failed lines when there are any. */
export function broadcastLines(result: BroadcastResult, group?: string): string[] {
  const list = (names: string[]) => (names.length ? [...names].sort().join(', ') : '-');
  if (addressed(result) === 0) return [`delivered (0): - (no ready component${group === undefined ? '' : ` in group "${group}"`})`];
  const lines = [`delivered (${result.delivered.length}): ${list(result.delivered)}`];
  if (result.ignored.length) lines.push(`ignored   (${result.ignored.length}): ${list(result.ignored)}`);
  for (const f of result.failed) lines.push(`failed    ${f.name}: ${f.error.code} ${f.error.message}`);
  return lines;
}

/**
 * 0 when every component addressed took the broadcast (or ignores broadcasts); 1 when some
 * failed (the lines say who and why); 3 when there was nobody to send it to, as for a send to
 * a name nobody has.
 */
export function broadcastExit(result: BroadcastResult): ExitCode {
  if (result.failed.length > 0) return ExitCode.ERROR;
  return addressed(result) === 0 ? ExitCode.NOT_FOUND : ExitCode.OK;
}

function addressed(result: BroadcastResult): number {
  return result.delivered.length + result.ignored.length + result.failed.length;
}

import { Args, Flags } from '@oclif/core';
import { BotzCommand, connectionFlags, timeoutFlag } from '../cli/base-command.js';
import { readData } from '../cli/data-source.js';
import { buildBody } from '../cli/payload.js';
import { broadcastExit, broadcastLines } from '../cli/result-lines.js';

/** The shape of `botz broadcast --json`. */
export interface BroadcastResult {
  delivered: string[];
  ignored: string[];
  failed: { name: string; error: { code: string; message: string } }[];
}

export default class Broadcast extends BotzCommand {
  static override summary = 'Send a message to every component (or one group) and print who got it';
  static override examples = ['<%= config.bin %> broadcast reload=now', '<%= config.bin %> broadcast --group workers pause:=true --json'];
  static override strict = false;
  static override usage = 'broadcast [KEY=VALUE | KEY:=JSON]... [--group G] [--data @FILE | --data -] [--json]';
  static override args = {
    payload: Args.string({ ignoreStdin: true, description: 'key=value (string) or key:=json (typed), repeated' }),
  };
  static override flags = {
    ...connectionFlags,
    group: Flags.string({ char: 'g', description: 'only the members of this group' }),
    data: Flags.string({ char: 'd', helpValue: '@file|-|json', description: 'JSON body: @file, - for stdin, or inline JSON' }),
    timeout: timeoutFlag,
  };

  async run(): Promise<BroadcastResult> {
    const { argv, flags } = await this.parse(Broadcast);
    this.failureContext.timeoutMs = flags.timeout;
    const data = flags.data === undefined ? undefined : await readData(flags.data);
    const body = buildBody(argv as string[], data);
    const client = await this.connect(flags, flags.timeout);
    let result: BroadcastResult;
    try {
      result = await client.broadcast(body, { group: flags.group, timeout: this.timeLeft() });
    } finally {
      await client.close();
    }
    for (const line of broadcastLines(result, flags.group)) this.line(line);
    // The result is still printed (and with --json, returned); the exit code says how it went.
    const exit = broadcastExit(result);
    if (exit !== 0) process.exitCode = exit;
    return result;
  }
}

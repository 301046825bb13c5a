import { Args, Flags } from '@oclif/core';
import type { Json } from '../lib/wire/frames.js';
import { connectionFlags, timeoutFlag } from '../cli/base-command.js';
import { MeshCommand } from '../cli/mesh-command.js';
import { readData } from '../cli/data-source.js';
import { buildBody } from '../cli/payload.js';
import { renderBody } from '../cli/output.js';

export default class Send extends MeshCommand {
  static override summary = 'Send a request to a component and print its reply';
  static override description = 'NAME is a component, or @GROUP for one ready member of a group (round robin).';
  static override examples = [
    '<%= config.bin %> send echo greeting=hello count:=3',
    'echo \'{"greeting":"hello"}\' | <%= config.bin %> send echo --data -',
    '<%= config.bin %> send @workers --data @job.json --timeout 30s --json',
    '<%= config.bin %> send n4 k=v --via 127.0.0.1:7411',
  ];
  static override strict = false;
  static override usage = 'send NAME [KEY=VALUE | KEY:=JSON]... [--data @FILE | --data - | --data JSON] [--timeout 5s] [--json]';
  static override args = {
    name: Args.string({ required: true, ignoreStdin: true, description: 'component name, or @group' }),
    payload: Args.string({ ignoreStdin: true, description: 'key=value (string) or key:=json (typed), repeated' }),
  };
  static override flags = {
    ...connectionFlags,
    data: Flags.string({ char: 'd', helpValue: '@file|-|json', description: 'JSON body: @file, - for stdin, or inline JSON' }),
    timeout: timeoutFlag,
    via: Flags.string({
      helpValue: '<host:port>',
      description: 'send across the mesh from this mesh node (no server needed); prints the path taken on stderr',
    }),
  };

  async run(): Promise<Json> {
    const { args, argv, flags } = await this.parse(Send);
    this.failureContext.target = args.name;
    this.failureContext.timeoutMs = flags.timeout;
    // Parse the body before touching the network, so a typo never costs a round trip.
    const data = flags.data === undefined ? undefined : await readData(flags.data);
    const body = buildBody((argv as string[]).slice(1), data);
    let reply: Json;
    if (flags.via !== undefined) {
      const via = flags.via;
      const answer = await this.withControl(via, flags, (ctl) => ctl.send(args.name, body, { timeoutMs: flags.timeout }));
      reply = answer.body;
      process.stderr.write(`mesh path ${answer.hops.join('>')}, reply ${answer.replyHops.join('>')}\n`);
    } else {
      const client = await this.connect(flags, flags.timeout);
      try {
        reply = await client.send(args.name, body, { timeout: this.timeLeft() });
      } finally {
        await client.close();
      }
    }
    // oclif prints only truthy results; a null/0/'' reply is printed here.
    if (this.jsonEnabled() && !reply) this.logJson(reply);
    else this.line(await renderBody(reply, this.style));
    return reply;
  }
}

import { Args, Flags } from '@oclif/core';
import type { Json } from '../lib/wire/frames.js';
import { BotzCommand, connectionFlags } from '../cli/base-command.js';
import { receivedLine } from '../cli/event-lines.js';
import { runExecHandler } from '../cli/exec-handler.js';
import { waitForStop } from '../cli/signals.js';
import type { Message, ShutdownNotice } from '../index.js';

export default class Register extends BotzCommand {
  static override summary = 'Run a component in the foreground, printing every message it receives';
  static override description =
    'Without --echo or --exec it answers every request with {}. --exec runs CMD per request with the body as JSON ' +
    'on stdin (env BOTZ_FROM names the sender) and replies with the JSON CMD prints; a failing CMD becomes a remote ' +
    'error carrying its stderr. Exits cleanly on `botz shutdown NAME`, Ctrl-C or SIGTERM. --json prints NDJSON.';
  static override examples = [
    '<%= config.bin %> register echo --echo',
    '<%= config.bin %> register upper --exec "jq \'map_values(ascii_upcase)\'"',
    '<%= config.bin %> register worker-1 --group workers --port 0',
  ];
  static override args = { name: Args.string({ required: true, ignoreStdin: true, description: 'unique component name' }) };
  static override flags = {
    ...connectionFlags,
    port: Flags.integer({ min: 0, max: 65535, description: 'accept direct links on this port (0: any free port); omitted: reached through the server' }),
    host: Flags.string({ description: 'interface for direct links (default 127.0.0.1)', dependsOn: ['port'] }),
    group: Flags.string({ char: 'g', multiple: true, description: 'join this group (repeatable)' }),
    echo: Flags.boolean({ description: 'reply with the request body', exclusive: ['exec'] }),
    exec: Flags.string({ helpValue: '<cmd>', description: 'reply with the JSON that CMD prints for the body on its stdin', exclusive: ['echo'] }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Register);
    this.failureContext.server = flags.server;
    const secret = await this.secretFor(flags);
    const { Component } = await import('../index.js');
    const name = args.name;
    const component = await Component.start({
      server: flags.server,
      secret,
      name,
      port: flags.port,
      host: flags.host,
      groups: flags.group ?? [],
      onMessage: (msg: Message) => this.handle(name, msg, flags),
    });
    // The library answers the shutdownRequest, stops the component, then emits 'shutdown'.
    let notice: ShutdownNotice | undefined;
    const shutdown = new Promise<void>((resolve) => component.once('shutdown', (n: ShutdownNotice) => ((notice = n), resolve())));
    // Listen for signals before announcing ourselves: whoever reads that line may signal at once.
    const stopped = waitForStop(shutdown);
    if (this.jsonEnabled()) this.ndjson({ type: 'registered', name, address: component.address, server: flags.server });
    else this.line(`registered ${name} on ${flags.server}${component.address ? `, direct links at ${component.address}` : ', reached through the server relay'}`);

    const why = await stopped;
    if (why === 'done') {
      if (this.jsonEnabled()) this.ndjson({ type: 'shutdown', name, from: notice?.from, forced: notice?.forced });
      else this.line(`shutdown requested by ${notice?.from ?? 'unknown'}${notice?.forced ? ' (forced)' : ''}; ${name} exiting`);
    }
    await component.stop();
  }

  private async handle(name: string, msg: Message, flags: { echo: boolean; exec?: string }): Promise<Json> {
    const at = Date.now();
    if (this.jsonEnabled()) this.ndjson({ type: 'message', at, from: msg.from, to: name, kind: msg.kind, id: msg.id, path: msg.path, body: msg.body });
    else this.line(receivedLine(msg.from, name, msg.kind, msg.body, at));
    if (flags.echo) return msg.body;
    if (flags.exec !== undefined) return runExecHandler(flags.exec, msg.body, { from: msg.from, kind: msg.kind });
    return {};
  }
}

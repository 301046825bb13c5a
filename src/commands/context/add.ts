import { Args, Flags } from '@oclif/core';
import { BotzCommand } from '../../cli/base-command.js';
import { selectContext, writeContext } from '../../cli/contexts.js';
import { checkServerAddress } from '../../cli/server-address.js';

export default class ContextAdd extends BotzCommand {
  static override summary = 'Save a named connection profile: server, secret file, encryption';
  static override description = 'Any command takes it with --context NAME (or env BOTZ_CONTEXT); `botz context use NAME` makes it the default. Flags and variables still win over it.';
  static override examples = [
    '<%= config.bin %> context add lab --server 10.0.0.5:7300 --secret-file ~/.botz/lab.secret --use',
    '<%= config.bin %> context add prod --server botz.internal:7300 --secret-file /etc/botz/secret --encrypt',
  ];
  static override args = { name: Args.string({ required: true, ignoreStdin: true, description: 'context name' }) };
  static override flags = {
    server: Flags.string({ required: true, helpValue: '<host:port>', description: 'address of the botz server' }),
    'secret-file': Flags.string({ helpValue: '<path>', description: 'file holding the shared secret' }),
    encrypt: Flags.boolean({ description: 'encrypt payloads' }),
    description: Flags.string({ description: 'a note for `context ls`' }),
    use: Flags.boolean({ description: 'also make it the default' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ContextAdd);
    const context = {
      server: checkServerAddress(flags.server),
      ...(flags['secret-file'] ? { secretFile: flags['secret-file'] } : {}),
      ...(flags.encrypt ? { encrypt: true } : {}),
      ...(flags.description ? { description: flags.description } : {}),
    };
    writeContext(this.configDirectory, args.name, context);
    if (flags.use) selectContext(this.configDirectory, args.name);
    if (this.jsonEnabled()) this.logJson({ name: args.name, ...context, selected: flags.use });
    else this.line(`saved context ${args.name}${flags.use ? ' (in use)' : `; \`botz context use ${args.name}\` makes it the default`}`);
  }
}

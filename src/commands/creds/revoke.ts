import { Args, Flags } from '@oclif/core';
import { BotzCommand } from '../../cli/base-command.js';
import { identityDir } from '../../cli/credentials.js';
import { IssuerStore } from '../../lib/identity/store.js';

export default class CredsRevoke extends BotzCommand {
  static override summary = 'Revoke a credential (by id) or every credential of a name; a running server cuts its live links within a second';
  static override args = { credential: Args.string({ required: true, description: 'a credential id (botz creds list) or a component name' }) };
  static override flags = {
    'identity-dir': Flags.string({ helpValue: '<dir>', description: 'the issuer\'s directory (default: identity/ in the config directory)' }),
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(CredsRevoke);
    const ids = IssuerStore.open(identityDir(this.configDirectory, flags['identity-dir'])).revoke(args.credential);
    this.line(`revoked ${ids.join(', ')}`);
    return { revoked: ids };
  }
}

import { Flags } from '@oclif/core';
import { BotzCommand } from '../../cli/base-command.js';
import { identityDir } from '../../cli/credentials.js';
import type { Permissions } from '../../lib/identity/grant.js';
import { IssuerStore } from '../../lib/identity/store.js';

/** `send b,db-*; tail *` — what a grant allows, in one line. */
function summary(p: Permissions): string {
  const parts = [
    p.register ? 'register' : '',
    p.send.length ? `send ${p.send.join(',')}` : '',
    p.broadcast.length ? `broadcast ${p.broadcast.join(',')}` : '',
    p.shutdown.length ? `shutdown ${p.shutdown.join(',')}` : '',
    p.tail.length ? `tail ${p.tail.join(',')}${p.tailBodies ? ' (bodies)' : ''}` : '',
    p.list ? 'list' : '',
  ];
  return parts.filter(Boolean).join('; ') || '(answer only)';
}

export default class CredsList extends BotzCommand {
  static override summary = 'List the credentials issued, with what they allow and whether they are revoked';
  static override flags = {
    'identity-dir': Flags.string({ helpValue: '<dir>', description: 'the issuer\'s directory (default: identity/ in the config directory)' }),
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(CredsList);
    const grants = IssuerStore.open(identityDir(this.configDirectory, flags['identity-dir'])).list();
    if (this.jsonEnabled()) return grants;
    const now = Date.now();
    for (const g of grants) {
      const state = g.revokedAt !== null ? `revoked ${new Date(g.revokedAt).toISOString()}` : g.expiresAt !== null && g.expiresAt <= now ? 'expired' : 'valid';
      const expires = g.expiresAt === null ? 'never' : new Date(g.expiresAt).toISOString();
      this.line(`${g.id}  ${g.name}  ${state}  expires ${expires}  ${summary(g.permissions)}`);
    }
    if (grants.length === 0) this.line('no credentials issued');
    return grants;
  }
}

import { openSync, writeFileSync, closeSync } from 'node:fs';
import { Args, Flags } from '@oclif/core';
import { BotzCommand } from '../../cli/base-command.js';
import { identityDir, parseExpiry } from '../../cli/credentials.js';
import { BotzError, ErrorCode } from '../../lib/errors.js';
import type { Permissions } from '../../lib/identity/grant.js';
import { IssuerStore } from '../../lib/identity/store.js';

export default class CredsIssue extends BotzCommand {
  static override summary = 'Issue a credential for a component name: a key pair and the server-signed grant of what it may do';
  static override description =
    'Writes the credential file (mode 0600; default ./NAME.cred) that a component starts with (`botz register NAME --credential FILE`, or env ' +
    'BOTZ_CREDENTIAL for any command). Run it where the server runs: it signs with the issuer key in the server\'s identity directory. ' +
    'Name patterns take * for any run of characters. With no --allow flag the credential may register its name and answer, nothing more.';
  static override examples = [
    '<%= config.bin %> creds issue worker-1 --allow-send "db-*" --expires 30d',
    '<%= config.bin %> creds issue auditor --read-only',
    '<%= config.bin %> creds issue ops --all --out ops.cred',
  ];
  static override args = { name: Args.string({ required: true, description: 'the component name the credential is for' }) };
  static override flags = {
    'allow-send': Flags.string({ multiple: true, helpValue: '<pattern>', description: 'may send requests and messages to these names (repeatable)' }),
    'allow-broadcast': Flags.string({ multiple: true, helpValue: '<pattern>', description: 'may broadcast to these names (repeatable)' }),
    'allow-shutdown': Flags.string({ multiple: true, helpValue: '<pattern>', description: 'may shut these names down (repeatable)' }),
    'allow-tail': Flags.string({ multiple: true, helpValue: '<pattern>', description: 'may tail the traffic of these names (* : all traffic; repeatable)' }),
    'allow-tail-bodies': Flags.boolean({ description: 'its tails may carry message bodies' }),
    'allow-list': Flags.boolean({ description: 'may look up and list components and follow membership events' }),
    'read-only': Flags.boolean({ description: 'tail all traffic (without bodies) and list, nothing else: for a dashboard or an auditor' }),
    all: Flags.boolean({ description: 'allow everything (as the shared secret does), but only under this name' }),
    'no-register': Flags.boolean({ description: 'may not register its name (a client only)' }),
    expires: Flags.string({ helpValue: '<duration>', description: 'valid for this long: 30d, 12h, 90m (default: until revoked)' }),
    out: Flags.string({ char: 'o', helpValue: '<file>', description: 'where to write the credential (default ./NAME.cred; never overwritten)' }),
    'identity-dir': Flags.string({ helpValue: '<dir>', description: 'the issuer\'s directory (default: identity/ in the config directory, as botz serve uses)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(CredsIssue);
    const permissions: Permissions = flags.all
      ? { register: true, send: ['*'], broadcast: ['*'], shutdown: ['*'], tail: ['*'], tailBodies: true, list: true }
      : {
          register: flags['no-register'] !== true && flags['read-only'] !== true,
          send: flags['allow-send'] ?? [],
          broadcast: flags['allow-broadcast'] ?? [],
          shutdown: flags['allow-shutdown'] ?? [],
          tail: flags['read-only'] ? ['*'] : (flags['allow-tail'] ?? []),
          tailBodies: flags['allow-tail-bodies'] === true,
          list: flags['allow-list'] === true || flags['read-only'] === true,
        };
    const store = IssuerStore.open(identityDir(this.configDirectory, flags['identity-dir']));
    const expiresAt = flags.expires === undefined ? null : Date.now() + parseExpiry(flags.expires);
    const out = flags.out ?? `${args.name}.cred`;
    // Open the file first: a name that exists is refused before a grant is recorded for nothing.
    let fd: number;
    try {
      fd = openSync(out, 'wx', 0o600);
    } catch (e) {
      throw new BotzError(ErrorCode.INVALID_ARGUMENT, `cannot write ${out}: ${(e as NodeJS.ErrnoException).code === 'EEXIST' ? 'it exists (credentials are never overwritten)' : (e as Error).message}`);
    }
    try {
      const { grant, file } = store.issue(args.name, permissions, expiresAt);
      writeFileSync(fd, JSON.stringify(file, null, 2) + '\n');
      if (this.jsonEnabled()) this.ndjson({ type: 'issued', id: grant.id, name: grant.name, file: out, expiresAt: grant.expiresAt, permissions: grant.permissions });
      else this.line(`issued ${grant.id} for ${grant.name} → ${out} (mode 0600)${grant.expiresAt === null ? '' : `, expires ${new Date(grant.expiresAt).toISOString()}`}`);
    } finally {
      closeSync(fd);
    }
  }
}

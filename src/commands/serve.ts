import { Flags } from '@oclif/core';
import { BotzCommand, connectionFlags } from '../cli/base-command.js';
import { memberLine, rejectedLine } from '../cli/event-lines.js';
import { describeSecretSource, ensureSecret } from '../cli/secret.js';
import { waitForStop } from '../cli/signals.js';
import type { ServerEvent } from '../index.js';
import { DEFAULT_PORT } from '../lib/registry/defaults.js';
import { BotzError, ErrorCode } from '../lib/errors.js';
import { durationFlag } from '../cli/verb-oclif.js';
import { identityDir } from '../cli/credentials.js';
import { secretsOf, watchKeyringFile } from '../cli/keyring-file.js';
import { tlsTransport } from '../cli/tls-files.js';
import { dashboardFlags, startDashboard, type RunningDashboard } from '../cli/dashboard-runner.js';

export default class Serve extends BotzCommand {
  static override summary = 'Run the botz server (the registry) in the foreground';
  static override description =
    'The first line gives the bound address ("listening on HOST:PORT"); then one line per join, ready, suspect, ' +
    'alive, leave and rejected connection (a flood of rejections from one address is summed up once a second). Ctrl-C or SIGTERM stops it cleanly. With no secret configured it creates ' +
    'one in the per-user config directory (mode 0600), which clients on this machine then use. --json prints NDJSON.';
  static override examples = ['<%= config.bin %> serve', '<%= config.bin %> serve --host 0.0.0.0 --port 7300', '<%= config.bin %> serve --port 0 --json'];
  static override flags = {
    host: Flags.string({ default: '127.0.0.1', description: 'interface to listen on' }),
    port: Flags.integer({ char: 'p', default: DEFAULT_PORT, min: 0, max: 65535, description: 'port to listen on (0: any free port)' }),
    'secret-file': Flags.string({ helpValue: '<path>', description: 'file holding the shared secret (default: env BOTZ_SECRET, else created in the config directory)' }),
    encrypt: connectionFlags.encrypt,
    'max-tails': Flags.integer({ default: 32, min: 1, description: 'traffic subscriptions (botz tail) served at once; more are refused' }),
    // issue 20: the Botzilla v1 gateway
    'botzilla-port': Flags.integer({ min: 0, max: 65535, description: 'also serve the Botzilla v1 registry protocol on this port (the original used 6985; 0: any free port)' }),
    'botzilla-key-file': Flags.string({ helpValue: '<path>', description: 'file holding the Botzilla v1 key (default: "ppap", what the original hard-codes)' }),
    // issue 16: several servers, one network
    store: Flags.string({
      env: 'BOTZ_STORE',
      default: 'memory',
      helpValue: '<url>',
      description: 'where the registry lives: memory (this server alone) or redis://host:port[/db], shared by every server of the network',
    }),
    lease: durationFlag({
      description: "with a shared store: how long this server's names outlive it if it dies (renewed 3 times per lease; default 6s)",
    }),
    // issue 18: per-component credentials
    'identity-dir': Flags.string({ helpValue: '<dir>', description: 'the issuer key and the credentials issued and revoked (default: identity/ in the config directory; see botz creds)' }),
    'require-credentials': Flags.boolean({ description: 'admit only components and clients with a credential (botz creds issue); refuse the shared secret' }),
    'tls-cert': Flags.string({ env: 'BOTZ_TLS_CERT', helpValue: '<pem>', description: 'serve wss:// (TLS) with this certificate chain', dependsOn: ['tls-key'] }),
    'tls-key': Flags.string({ env: 'BOTZ_TLS_KEY', helpValue: '<pem>', description: 'the private key of --tls-cert', dependsOn: ['tls-cert'] }),
    // The dashboard (issue 19): a page on loopback, behind a token printed in its URL.
    dashboard: Flags.boolean({ default: false, description: 'also serve the live dashboard (a page on --dashboard-host:--dashboard-port, its URL with a token printed at start)' }),
    ...dashboardFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Serve);
    this.failureContext.server = `${flags.host}:${flags.port}`;
    const source = await ensureSecret({ secretFile: flags['secret-file'], configDir: this.configDirectory });
    this.rememberSecret(source.secret, describeSecretSource(source));
    const { storeFromUrl } = await import('../lib/registry/store/store-url.js');
    const store = storeFromUrl(flags.store);
    const { Server, Keyring } = await import('../index.js');
    // The secret file is a keyring, reloaded when `botz keys` changes it (issue 18).
    const keyring = new Keyring(secretsOf(source.secret));
    const unwatch = source.path ? watchKeyringFile(source.path, keyring, { reloaded: (ids) => this.keysLine(ids), error: (e) => process.stderr.write(`botz: keyring not reloaded: ${e.message}\n`) }) : undefined;
    const { IssuerStore } = await import('../lib/identity/store.js');
    const authority = IssuerStore.open(identityDir(this.configDirectory, flags['identity-dir']), { requireCredentials: flags['require-credentials'] });
    const transport = await tlsTransport({ cert: flags['tls-cert'], key: flags['tls-key'] }, {});
    const server = await Server.start({
      ...(transport ? { transport } : {}),
      identity: { authority },
      store,
      leaseMs: flags.lease,
      host: flags.host,
      port: flags.port,
      secret: keyring,
      encrypt: flags.encrypt,
      maxTails: flags['max-tails'],
      onEvent: (e) => this.print(e),
    });
    const botzilla = await this.startBotzilla(flags, server.address, source.secret);
    let dashboard: RunningDashboard | undefined;
    if (flags.dashboard) {
      const run = { server: server.address, secret: source.secret, encrypt: flags.encrypt, rejected: () => server.stats.rejected };
      dashboard = await startDashboard({ ...run, host: flags['dashboard-host'], port: flags['dashboard-port'], actions: flags['dashboard-actions'], shutdown: flags['dashboard-shutdown'], interval: flags['dashboard-interval'], mesh: flags['dashboard-mesh'] }).catch(async (e: unknown) => {
        await server.stop();
        throw e;
      });
    }
    // Listen for signals before announcing the address: whoever reads it may signal at once.
    const stopped = waitForStop();
    if (this.jsonEnabled()) {
      this.ndjson({ type: 'listening', address: server.address, store: store?.description ?? 'memory', secret: { from: source.from, path: source.path, created: source.created } });
      if (dashboard) this.ndjson({ type: 'dashboard', url: dashboard.url });
    } else {
      this.line(`listening on ${server.address}`);
      if (dashboard) this.line(`dashboard on ${dashboard.url}`);
      const where = describeSecretSource(source);
      process.stderr.write(source.created ? `created a new secret in ${where} (mode 0600)\n` : `using the secret from ${where}\n`);
      // The default (memory) says nothing, as before there was a choice; --json always names it.
      if (store) process.stderr.write(`registry shared through ${store.description}\n`);
    }
    if (botzilla) {
      if (this.jsonEnabled()) this.ndjson({ type: 'botzilla', address: botzilla.gateway.address, key: { path: botzilla.key.path ?? null } });
      else this.line(`botzilla v1 on ${botzilla.gateway.address}`);
    }
    const why = await stopped;
    await botzilla?.gateway.stop();
    unwatch?.();
    await dashboard?.stop();
    await server.stop();
    // A reader that went away (`| head`) asked for nothing more: stop without a word.
    if (!this.jsonEnabled() && why !== 'stdout-closed') process.stderr.write(`stopped (${why})\n`);
  }

  /** The Botzilla v1 gateway (issue 20), when --botzilla-port asks for it; it joins the server as a client. */
  private async startBotzilla(flags: { 'botzilla-port'?: number; 'botzilla-key-file'?: string; host: string; encrypt: boolean }, server: string, secret: string) {
    const { botzillaKeyFrom, botzillaKeyNotice, onBotzillaPort } = await import('../cli/botzilla-key.js');
    if (flags['botzilla-port'] === undefined) {
      if (flags['botzilla-key-file'] !== undefined) throw new BotzError(ErrorCode.INVALID_ARGUMENT, '--botzilla-key-file needs --botzilla-port');
      return undefined;
    }
    const { BotzillaGateway } = await import('../lib/botzilla/gateway.js');
    const key = await botzillaKeyFrom(flags['botzilla-key-file']);
    const gateway = await onBotzillaPort(BotzillaGateway.start({
      server,
      secret,
      encrypt: flags.encrypt,
      host: flags.host,
      port: flags['botzilla-port'],
      key: key.key,
      onRejected: (r) =>
        this.jsonEnabled() ? this.ndjson({ type: 'rejected', botzilla: true, ...r }) : this.line(`${rejectedLine(r.code, r.remote, r.at, undefined, r.count)} (botzilla)`),
    }));
    if (!this.jsonEnabled()) process.stderr.write(botzillaKeyNotice(key));
    return { gateway, key };
  }

  private keysLine(ids: string[]): void {
    if (this.jsonEnabled()) this.ndjson({ type: 'keyring', keys: ids });
    else process.stderr.write(`keyring reloaded: ${ids.join(', ')} (primary first)\n`);
  }

  private print(e: ServerEvent): void {
    if (this.jsonEnabled()) return this.ndjson(e);
    if (e.type === 'store') return this.line(`store ${e.store} ${e.state}${e.message ? `: ${e.message}` : ''}`);
    this.line(e.type === 'rejected' ? rejectedLine(e.code, e.remote, e.at, e.peer, e.count) : memberLine(e.type, e.component, e.at));
  }
}

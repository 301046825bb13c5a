import { Flags } from '@oclif/core';
import { BotzCommand, connectionFlags } from '../cli/base-command.js';
import { memberLine, rejectedLine } from '../cli/event-lines.js';
import { describeSecretSource, ensureSecret } from '../cli/secret.js';
import { waitForStop } from '../cli/signals.js';
import type { ServerEvent } from '../index.js';
import { DEFAULT_PORT } from '../lib/registry/defaults.js';
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
    // The dashboard (issue 19): a page on loopback, behind a token printed in its URL.
    dashboard: Flags.boolean({ default: false, description: 'also serve the live dashboard (a page on --dashboard-host:--dashboard-port, its URL with a token printed at start)' }),
    ...dashboardFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Serve);
    this.failureContext.server = `${flags.host}:${flags.port}`;
    const source = await ensureSecret({ secretFile: flags['secret-file'], configDir: this.configDirectory });
    this.rememberSecret(source.secret, describeSecretSource(source));
    const { Server } = await import('../index.js');
    const server = await Server.start({
      host: flags.host,
      port: flags.port,
      secret: source.secret,
      encrypt: flags.encrypt,
      maxTails: flags['max-tails'],
      onEvent: (e) => this.print(e),
    });
    let dashboard: RunningDashboard | undefined;
    if (flags.dashboard) {
      const run = { server: server.address, secret: source.secret, encrypt: flags.encrypt, rejected: () => server.stats.rejected };
      dashboard = await startDashboard({ ...run, host: flags['dashboard-host'], port: flags['dashboard-port'], actions: flags['dashboard-actions'], mesh: flags['dashboard-mesh'] }).catch(async (e: unknown) => {
        await server.stop();
        throw e;
      });
    }
    // Listen for signals before announcing the address: whoever reads it may signal at once.
    const stopped = waitForStop();
    if (this.jsonEnabled()) {
      this.ndjson({ type: 'listening', address: server.address, secret: { from: source.from, path: source.path, created: source.created } });
      if (dashboard) this.ndjson({ type: 'dashboard', url: dashboard.url });
    } else {
      this.line(`listening on ${server.address}`);
      if (dashboard) this.line(`dashboard on ${dashboard.url}`);
      const where = describeSecretSource(source);
      process.stderr.write(source.created ? `created a new secret in ${where} (mode 0600)\n` : `using the secret from ${where}\n`);
    }
    const why = await stopped;
    await dashboard?.stop();
    await server.stop();
    // A reader that went away (`| head`) asked for nothing more: stop without a word.
    if (!this.jsonEnabled() && why !== 'stdout-closed') process.stderr.write(`stopped (${why})\n`);
  }

  private print(e: ServerEvent): void {
    if (this.jsonEnabled()) return this.ndjson(e);
    this.line(e.type === 'rejected' ? rejectedLine(e.code, e.remote, e.at, e.peer, e.count) : memberLine(e.type, e.component, e.at));
  }
}

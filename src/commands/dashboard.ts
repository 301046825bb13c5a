import { BotzCommand, connectionFlags } from '../cli/base-command.js';
import { dashboardFlags, startDashboard } from '../cli/dashboard-runner.js';
import { waitForStop } from '../cli/signals.js';

export default class Dashboard extends BotzCommand {
  static override summary = 'Serve the live dashboard of a running network';
  static override description =
    'Joins the network at --server as a client and serves a page (on loopback by default) that shows it live: components, joins and leaves, ' +
    'message rates, recent traffic, and a mesh topology with --dashboard-mesh. The first line is the URL to open; it carries a random token, ' +
    'never the network secret. Read-only unless --dashboard-actions (test requests) or --dashboard-shutdown. Ctrl-C or SIGTERM stops it. (`botz serve --dashboard` does the same inside the server.)';
  static override examples = ['<%= config.bin %> dashboard', '<%= config.bin %> dashboard --server 127.0.0.1:7300 --dashboard-port 0'];
  static override flags = { ...connectionFlags, ...dashboardFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(Dashboard);
    this.failureContext.server = flags.server;
    const secret = await this.secretFor(flags);
    const dashboard = await startDashboard({
      server: flags.server,
      secret,
      encrypt: flags.encrypt,
      host: flags['dashboard-host'],
      port: flags['dashboard-port'],
      actions: flags['dashboard-actions'],
      shutdown: flags['dashboard-shutdown'],
      interval: flags['dashboard-interval'],
      mesh: flags['dashboard-mesh'],
    });
    const stopped = waitForStop();
    if (this.jsonEnabled()) this.ndjson({ type: 'dashboard', url: dashboard.url });
    else this.line(`dashboard on ${dashboard.url}`);
    const why = await stopped;
    await dashboard.stop();
    if (!this.jsonEnabled() && why !== 'stdout-closed') process.stderr.write(`stopped (${why})\n`);
  }
}

/**
 * Starts the dashboard for `botz serve --dashboard` and `botz dashboard`: a Client of the
 * network (the page's view of it), a control link to a mesh node when one is named, and the
 * dashboard's HTTP server serving the page built into dist/dashboard.
 */
import { fileURLToPath } from 'node:url';
import { Flags } from '@oclif/core';
import { Client } from '../lib/component/client.js';
import { MeshControlClient } from '../lib/mesh/mesh-control-client.js';
import { systemClock } from '../lib/clock.js';
import { DashboardServer } from '../lib/dashboard/dashboard-server.js';
import { networkSource } from '../lib/dashboard/network-source.js';
import { DEFAULT_PUSH_INTERVAL_MS } from '../lib/dashboard/dashboard-feed.js';
import { BotzError, ErrorCode } from '../lib/errors.js';
import { durationFlag } from './verb-oclif.js';

/** Where `npm run build` puts the page (dist/dashboard, beside dist/cli). */
export const DASHBOARD_ASSETS = fileURLToPath(new URL('../dashboard', import.meta.url));
export const DEFAULT_DASHBOARD_PORT = 7301;

/** The dashboard's own flags (for `serve --dashboard` and `botz dashboard`). */
export const dashboardFlags = {
  'dashboard-host': Flags.string({ default: '127.0.0.1', description: 'interface the dashboard listens on (anything but loopback exposes it to the network: the token is then all that guards it)' }),
  'dashboard-port': Flags.integer({ default: DEFAULT_DASHBOARD_PORT, min: 0, max: 65535, description: 'port of the dashboard (0: any free port)' }),
  'dashboard-actions': Flags.boolean({ default: false, description: 'let the page send test requests (read-only without it)' }),
  'dashboard-shutdown': Flags.boolean({ default: false, description: 'let the page ask a component to shut down (a button per component, confirmed first; off without it)' }),
  'dashboard-mesh': Flags.string({ helpValue: '<host:port>', description: 'a mesh node whose topology the page draws' }),
  'dashboard-interval': durationFlag({ description: 'how often an open page is updated (default 1s); the component list and the mesh topology are read again every 5 updates' }),
};

/** The component list and the topology are asked for once every this many pushes. */
const REFRESH_EVERY_PUSHES = 5;

export interface DashboardRun {
  server: string;
  secret: string;
  encrypt?: boolean;
  host: string;
  port: number;
  actions: boolean;
  /** Let the page ask components to shut down. */
  shutdown?: boolean;
  /** Milliseconds between updates of an open page (default DEFAULT_PUSH_INTERVAL_MS). */
  interval?: number;
  mesh?: string;
  /** The server's rejection counts, when the dashboard runs inside it. */
  rejected?: () => Record<string, number>;
}

export interface RunningDashboard {
  url: string;
  stop(): Promise<void>;
}

/** Shorter would redraw the page faster than anyone reads it, at the server's cost. */
const MIN_INTERVAL_MS = 100;

export async function startDashboard(run: DashboardRun): Promise<RunningDashboard> {
  if (run.interval !== undefined && run.interval < MIN_INTERVAL_MS) {
    throw new BotzError(ErrorCode.INVALID_ARGUMENT, `--dashboard-interval must be at least ${MIN_INTERVAL_MS}ms (got ${run.interval}ms)`);
  }
  const client = await Client.connect({ server: run.server, secret: run.secret, encrypt: run.encrypt, name: `botz-dashboard-${process.pid}` });
  let mesh: MeshControlClient | undefined;
  let dashboard: DashboardServer | undefined;
  try {
    if (run.mesh) mesh = await MeshControlClient.connect({ address: run.mesh, secret: run.secret });
    dashboard = await DashboardServer.start({
      source: networkSource(client, { rejected: run.rejected, mesh }),
      clock: systemClock,
      assetsDir: DASHBOARD_ASSETS,
      host: run.host,
      port: run.port,
      actions: run.actions,
      shutdown: run.shutdown,
      pushIntervalMs: run.interval ?? DEFAULT_PUSH_INTERVAL_MS,
      refreshIntervalMs: (run.interval ?? DEFAULT_PUSH_INTERVAL_MS) * REFRESH_EVERY_PUSHES,
      network: client.server,
    });
  } catch (e) {
    await mesh?.close();
    await client.close();
    throw e;
  }
  const started = dashboard;
  return {
    url: started.url,
    async stop() {
      await started.stop();
      await mesh?.close();
      await client.close();
    },
  };
}

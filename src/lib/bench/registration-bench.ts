/**
 * Registration benchmark: many idle, heartbeating components registered with one server, spread
 * over several processes (hundreds each). Measures registrations per second and the server's
 * resident memory per registered component.
 */
import { randomBytes } from 'node:crypto';
import { wallSpanMs, type Peer, type PeerHost } from './peer-host.js';

export interface RegistrationBenchOptions {
  components: number;
  /** Components per client process. */
  perProcess: number;
  /** Registrations each process keeps in progress at once. */
  concurrency?: number;
  heartbeatIntervalMs?: number;
  /** Host for the server: give it one that exposes the GC so memory is measured after a collection. */
  serverHost: PeerHost;
  /** Host for the processes that hold the components. */
  host: PeerHost;
  /** Heartbeat intervals to let pass before the memory is read. */
  settleHeartbeats?: number;
  /** Resolves after `ms`; injectable so tests need not wait for real heartbeats. */
  wait?: (ms: number) => Promise<void>;
}

export interface RegistrationBenchResult {
  components: number;
  /** Components the server listed as registered when memory was read. */
  registered: number;
  processes: number;
  registrationsPerSec: number;
  registerMs: number;
  /**
   * Server CPU (user + system) per registration while they ran: accepting the connection, the
   * upgrade, the handshake, the registration, and the heartbeats of those already in.
   */
  serverCpuUsPerRegistration: number;
  serverRssBefore: number;
  serverRssAfter: number;
  rssPerComponentBytes: number;
}

const realWait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function benchRegistrations(o: RegistrationBenchOptions): Promise<RegistrationBenchResult> {
  const heartbeatIntervalMs = o.heartbeatIntervalMs ?? 1_000;
  const wait = o.wait ?? realWait;
  const secret = randomBytes(24).toString('base64url');
  const server = await o.serverHost({ role: 'server', secret, heartbeatIntervalMs });
  const holders: Peer[] = [];
  try {
    const before = await server.stats();
    const address = String(server.info.address);
    const sizes: number[] = [];
    for (let left = o.components; left > 0; left -= o.perProcess) sizes.push(Math.min(o.perProcess, left));
    const started = await Promise.all(
      sizes.map((count, p) =>
        o.host({ role: 'idlers', server: address, secret, count, prefix: `bench-idle-${process.pid}-${p}`, concurrency: o.concurrency ?? 32 }),
      ),
    );
    holders.push(...started);
    // Wall-clock span from the first process's first registration to the last one's last.
    const registerMs = wallSpanMs(started);
    const registeredAll = await server.stats();
    await wait(heartbeatIntervalMs * (o.settleHeartbeats ?? 2));
    const after = await server.stats();
    return {
      components: o.components,
      registered: Number(after.role.components ?? 0),
      processes: sizes.length,
      registrationsPerSec: (o.components / registerMs) * 1000,
      registerMs,
      serverCpuUsPerRegistration: (registeredAll.cpuUs - before.cpuUs) / o.components,
      serverRssBefore: before.rss,
      serverRssAfter: after.rss,
      rssPerComponentBytes: (after.rss - before.rss) / o.components,
    };
  } finally {
    await Promise.all(holders.map((h) => h.stop()));
    await server.stop();
  }
}

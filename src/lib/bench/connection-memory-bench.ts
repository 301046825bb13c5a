/**
 * The baseline for the server's memory per idle registered component: a plain ws server (no
 * protocol) holding as many bare, idle connections, opened from as many processes. Its resident
 * memory per connection is what a socket alone costs, so the registration benchmark's figure
 * can be read as a ratio to it. The rate at which they open, and the server CPU each costs, are
 * the same baseline for the registration rate.
 */
import { wallSpanMs, type Peer, type PeerHost } from './peer-host.js';

export interface ConnectionMemoryOptions {
  connections: number;
  /** Connections per holding process. */
  perProcess: number;
  /** Handshakes each holding process keeps in progress at once. */
  concurrency?: number;
  /** Host for the ws server: give it one that exposes the GC so memory is read after a collection. */
  serverHost: PeerHost;
  /** Host for the processes that hold the connections. */
  host: PeerHost;
}

export interface ConnectionMemoryResult {
  connections: number;
  /** Connections the server counted as open when memory was read. */
  open: number;
  processes: number;
  /** Connections opened (upgrade completed) per second, the same way registrations are counted. */
  connectionsPerSec: number;
  /** Server CPU (user + system) per connection: the accept and the upgrade. */
  serverCpuUsPerConnection: number;
  serverRssBefore: number;
  serverRssAfter: number;
  rssPerConnectionBytes: number;
}

export async function benchConnectionMemory(o: ConnectionMemoryOptions): Promise<ConnectionMemoryResult> {
  const server = await o.serverHost({ role: 'raw-echo', coalesce: false });
  const holders: Peer[] = [];
  try {
    const before = await server.stats();
    const address = String(server.info.address);
    const sizes: number[] = [];
    for (let left = o.connections; left > 0; left -= o.perProcess) sizes.push(Math.min(o.perProcess, left));
    holders.push(...(await Promise.all(sizes.map((count) => o.host({ role: 'raw-holders', address, count, concurrency: o.concurrency ?? 32 })))));
    const openMs = wallSpanMs(holders);
    const after = await server.stats();
    return {
      connections: o.connections,
      open: Number(after.role.connections ?? 0),
      processes: sizes.length,
      connectionsPerSec: (o.connections / openMs) * 1000,
      serverCpuUsPerConnection: (after.cpuUs - before.cpuUs) / o.connections,
      serverRssBefore: before.rss,
      serverRssAfter: after.rss,
      rssPerConnectionBytes: (after.rss - before.rss) / o.connections,
    };
  } finally {
    await Promise.all(holders.map((h) => h.stop()));
    await server.stop();
  }
}

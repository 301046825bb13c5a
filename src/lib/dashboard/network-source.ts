/**
 * The dashboard's view of a network through a Client: the component list, the tail (traffic
 * and membership), a test request, a shutdown request; and, when the dashboard runs inside the server, the
 * server's own count of rejections; and, when a mesh node is named, its topology.
 */
import type { Client } from '../component/client.js';
import type { MeshControlClient } from '../mesh/mesh-control-client.js';
import type { DashboardSource } from './dashboard-feed.js';
import { topologyFromDot } from './topology-view.js';

export interface NetworkSourceOptions {
  /** The server's rejection counts (a dashboard inside `botz serve`). */
  rejected?: () => Record<string, number>;
  /** A control link to a mesh node whose topology the page draws. */
  mesh?: MeshControlClient;
  /** Test requests time out after this (default 5 s). */
  sendTimeoutMs?: number;
}

export function networkSource(client: Client, options: NetworkSourceOptions = {}): DashboardSource {
  const mesh = options.mesh;
  return {
    components: () => client.components(),
    tail: (tailOptions, listener) => client.tail(tailOptions, listener),
    ...(options.rejected ? { rejected: options.rejected } : {}),
    ...(mesh ? { topology: async () => topologyFromDot(await mesh.dot(), (await mesh.status()).name) } : {}),
    send: (target, body) => client.send(target, body, { timeout: options.sendTimeoutMs ?? 5_000 }),
    shutdown: (name) => client.shutdown(name, { timeout: options.sendTimeoutMs ?? 5_000 }),
  };
}

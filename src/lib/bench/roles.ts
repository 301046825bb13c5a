/**
 * What a benchmark peer can be: the botz server, echo components, broadcast receivers, idle
 * components for the memory test, or a raw ws echo. A role runs the same code whether its host
 * is a child process (the benchmark) or this process (tests), see peer-host.ts.
 */
import { Server } from '../registry/server.js';
import { Component } from '../component/component.js';
import { startMeshLine } from './mesh-line.js';
import { openRawConnections, startRawEcho } from './raw-ws.js';
import { Issuer } from '../identity/issuer.js';
import { loadCredential, type CredentialFile } from '../identity/credential.js';

export type RoleSpec =
  /** `issuerSeed` (base64url, issue 18): the server judges credentials this issuer signs. */
  | { role: 'server'; secret: string; heartbeatIntervalMs?: number; maxPacketBytes?: number; issuerSeed?: string }
  /**
   * Echo components; `direct` ones accept links (port 0), the others are reached through the
   * relay. With `credentials` (one per name, issue 18) they prove those instead of the secret.
   */
  | { role: 'echo'; server: string; secret: string; names: string[]; direct: boolean; maxPacketBytes?: number; credentials?: CredentialFile[] }
  /** `count` components named prefix-0.. in `group` that acknowledge broadcasts. */
  | { role: 'receivers'; server: string; secret: string; count: number; prefix: string; group: string }
  /** `count` idle, heartbeating components (relay mode), registered `concurrency` at a time. */
  | { role: 'idlers'; server: string; secret: string; count: number; prefix: string; concurrency: number }
  /** A raw ws echo; `json`: it parses each JSON frame and answers with a JSON response frame. */
  | { role: 'raw-echo'; coalesce: boolean; json?: boolean }
  /** A line of mesh relays ending in an echo; requests cross `hops` links to reach it. */
  /** With `credentials` (one per name of meshLineNames, issue 18) a credential mesh. */
  | { role: 'mesh-line'; secret: string; hops: number; credentials?: CredentialFile[] }
  /** `count` bare ws connections to `address`, opened `concurrency` at a time, that do nothing. */
  | { role: 'raw-holders'; address: string; count: number; concurrency: number };

/** A running role: what it reports once started, its counters, and how to stop it. */
export interface RoleHandle {
  info: Record<string, unknown>;
  stats(): Record<string, unknown>;
  stop(): Promise<void>;
}

const echoHandler = (m: { body: unknown }) => m.body as never;

async function startComponents(
  count: number,
  concurrency: number,
  start: (i: number) => Promise<Component>,
): Promise<Component[]> {
  const started: Component[] = new Array(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      started[i] = await start(i);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } catch (error) {
    await Promise.all(started.filter(Boolean).map((c) => c.stop()));
    throw error;
  }
  return started;
}

function componentsHandle(components: Component[], info: Record<string, unknown>): RoleHandle {
  return {
    info,
    stats: () => ({ components: components.length }),
    stop: async () => {
      await Promise.all(components.map((c) => c.stop()));
    },
  };
}

/** Starts a role in this process. */
export async function startRole(spec: RoleSpec): Promise<RoleHandle> {
  switch (spec.role) {
    case 'server': {
      const identity = spec.issuerSeed ? { identity: { authority: Issuer.fromSeed(Buffer.from(spec.issuerSeed, 'base64url')) } } : {};
      const server = await Server.start({ host: '127.0.0.1', port: 0, secret: spec.secret, heartbeatIntervalMs: spec.heartbeatIntervalMs, maxPacketBytes: spec.maxPacketBytes, ...identity });
      return { info: { address: server.address }, stats: () => ({ ...server.stats }), stop: () => server.stop() };
    }
    case 'echo': {
      const components = await startComponents(spec.names.length, 16, (i) =>
        Component.start({
          server: spec.server,
          ...(spec.credentials ? { identity: { credential: loadCredential(spec.credentials[i]) } } : { secret: spec.secret }),
          name: spec.names[i],
          ...(spec.direct ? { port: 0 } : {}),
          maxPacketBytes: spec.maxPacketBytes,
          onMessage: echoHandler,
        }),
      );
      return componentsHandle(components, { names: spec.names, addresses: components.map((c) => c.address) });
    }
    case 'receivers': {
      const components = await startComponents(spec.count, 16, (i) =>
        Component.start({
          server: spec.server,
          secret: spec.secret,
          name: `${spec.prefix}-${i}`,
          port: 0,
          groups: [spec.group],
          onMessage: () => null,
        }),
      );
      return componentsHandle(components, { count: components.length });
    }
    case 'idlers': {
      // Wall-clock (not monotonic) times: the parent compares them across processes.
      const startedAt = Date.now();
      const components = await startComponents(spec.count, spec.concurrency, (i) =>
        // A server busy admitting thousands of links answers slowly; that is measured, not a failure.
        Component.start({ server: spec.server, secret: spec.secret, name: `${spec.prefix}-${i}`, onMessage: () => null, connectTimeoutMs: 300_000, timeoutMs: 300_000 }),
      );
      return componentsHandle(components, { count: components.length, startedAt, finishedAt: Date.now() });
    }
    case 'raw-echo': {
      const echo = await startRawEcho({ coalesce: spec.coalesce, json: spec.json });
      return { info: { address: echo.address }, stats: () => ({ connections: echo.connections() }), stop: () => echo.close() };
    }
    case 'mesh-line': {
      const line = await startMeshLine(spec.secret, spec.hops, spec.credentials);
      return { info: { address: line.address }, stats: () => ({}), stop: () => line.stop() };
    }
    case 'raw-holders': {
      // Wall-clock times, as the idlers give them: the parent compares them across processes.
      const startedAt = Date.now();
      const held = await openRawConnections(spec.address, spec.count, spec.concurrency);
      return { info: { count: held.length, startedAt, finishedAt: Date.now() }, stats: () => ({ connections: held.length }), stop: async () => held.forEach((c) => c.close()) };
    }
  }
}

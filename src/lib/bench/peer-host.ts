/**
 * Where benchmark peers run. The benchmark puts every peer (server, echo, receivers, baselines)
 * in a child process of its own, so the side that measures never shares an event loop with
 * the side that answers; tests host them in this process. Both give the same Peer interface.
 *
 * CPU pinning: with `taskset` available and at least 2 CPUs, the measuring process runs on
 * CPU 0 and every child on CPU 1 — the same for botz and for the baselines, since round-trip
 * latency on a VM depends on whether the two processes share a CPU.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startRole, type RoleSpec } from './roles.js';

/** A started peer: what it reported, its counters and memory, and how to stop it. */
export interface Peer {
  info: Record<string, unknown>;
  stats(): Promise<PeerStats>;
  stop(): Promise<void>;
}

export interface PeerStats {
  /** Resident set of the peer's process, bytes (after a GC when the host allows one). */
  rss: number;
  heapUsed: number;
  /** CPU time the peer's process has used so far, µs (user + system), read before any GC. */
  cpuUs: number;
  role: Record<string, unknown>;
}

export type PeerHost = (spec: RoleSpec) => Promise<Peer>;

/** Runs peers in this process (tests). Memory figures are this whole process's. */
export const inProcessHost: PeerHost = async (spec) => {
  const handle = await startRole(spec);
  return {
    info: handle.info,
    stats: async () => {
      const cpu = process.cpuUsage();
      const m = process.memoryUsage();
      return { rss: m.rss, heapUsed: m.heapUsed, cpuUs: cpu.user + cpu.system, role: handle.stats() };
    },
    stop: () => handle.stop(),
  };
};

let tasksetChecked: boolean | undefined;

/** True when `taskset` runs here and there are at least two CPUs to split between sides. */
export function canPin(): boolean {
  if (tasksetChecked === undefined) {
    tasksetChecked = availableParallelism() >= 2 && spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
  }
  return tasksetChecked;
}

/** Pins this (measuring) process, all its threads, to `cpu`. Returns false when it cannot. */
export function pinSelf(cpu = 0): boolean {
  if (!canPin()) return false;
  return spawnSync('taskset', ['-a', '-cp', String(cpu), String(process.pid)], { stdio: 'ignore' }).status === 0;
}

export interface ChildHostOptions {
  /** CPU for every child; null = no pinning. Default 1 when pinning is possible. */
  cpu?: number | null;
  /** Let children run a GC before measuring memory. */
  exposeGc?: boolean;
  /** How long a child may take to start its role, ms. */
  startTimeoutMs?: number;
}

/**
 * Wall-clock ms from the earliest `startedAt` to the latest `finishedAt` the peers' info gives
 * (roles that open many links report both), at least 1.
 */
export function wallSpanMs(peers: readonly Peer[]): number {
  const from = Math.min(...peers.map((p) => Number(p.info.startedAt)));
  const to = Math.max(...peers.map((p) => Number(p.info.finishedAt)));
  return Math.max(1, to - from);
}

const PEER_MAIN = fileURLToPath(new URL('./peer-main.js', import.meta.url));
const STOP_TIMEOUT_MS = 5_000;

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: { code: string; message: string };
}

/** Runs each peer in its own child process (`node dist/lib/bench/peer-main.js`). */
export function childHost(options: ChildHostOptions = {}): PeerHost {
  const cpu = options.cpu === undefined ? (canPin() ? 1 : null) : options.cpu;
  return async (spec) => {
    const nodeArgs = [...(options.exposeGc ? ['--expose-gc'] : []), PEER_MAIN];
    const [cmd, args] = cpu !== null && canPin() ? ['taskset', ['-c', String(cpu), process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
    // The IPC channel's fd is inherited through taskset's exec, so the child still has it.
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const rpc = childRpc(child);
    try {
      const info = (await rpc('start', { spec }, options.startTimeoutMs ?? 120_000)) as Record<string, unknown>;
      return {
        info,
        stats: async () => (await rpc('stats', {}, 30_000)) as PeerStats,
        stop: async () => {
          await rpc('stop', {}, STOP_TIMEOUT_MS).catch(() => {});
          if (child.exitCode === null) child.kill('SIGKILL');
        },
      };
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  };
}

/** Request/reply over a child's IPC channel; a child that exits fails every pending call. */
function childRpc(child: ChildProcess): (op: string, payload: Record<string, unknown>, timeoutMs: number) => Promise<unknown> {
  let nextId = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.on('message', (message: Reply) => {
    const p = pending.get(message.id);
    if (!p) return;
    pending.delete(message.id);
    if (message.ok) p.resolve(message.value);
    else p.reject(Object.assign(new Error(message.error?.message ?? 'peer failed'), { code: message.error?.code ?? 'ERROR' }));
  });
  const failAll = (why: string): void => {
    for (const p of pending.values()) p.reject(Object.assign(new Error(why), { code: 'PEER_EXITED' }));
    pending.clear();
  };
  child.on('exit', (code, signal) => failAll(`benchmark peer exited (${signal ?? code})`));
  child.on('error', (error) => failAll(`cannot start a benchmark peer: ${error.message}`));
  return (op, payload, timeoutMs) =>
    new Promise((resolve, reject) => {
      if (child.exitCode !== null || !child.connected) {
        reject(Object.assign(new Error('benchmark peer is not running'), { code: 'PEER_EXITED' }));
        return;
      }
      const id = ++nextId;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(Object.assign(new Error(`benchmark peer did not answer ${op} within ${timeoutMs} ms`), { code: 'TIMEOUT' }));
      }, timeoutMs);
      pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      child.send({ id, op, ...payload });
    });
}

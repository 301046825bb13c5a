/**
 * Local discovery, as meshage did it: a node short of links sends a UDP solicitation to a
 * broadcast address or multicast group; nodes of the same namespace that hear it dial it.
 * Solicitations carry no trust: the link they lead to is authenticated like any other, so a
 * forged one costs at most a refused dial.
 *
 * The destination is an option on purpose. Tests must use 127.255.255.255 or a 239.x group
 * joined on 127.0.0.1 (see STACK.md); never 255.255.255.255, which leaves the machine.
 */
import { createSocket, type Socket } from 'node:dgram';
import { every, systemClock, type Clock, type TimerHandle } from '../clock.js';
import { fitsDestination } from '../wire/names.js';
import type { DiscoveryConfig } from './mesh-options.js';

export const DEFAULT_SOLICIT_INTERVAL_MS = 1_000;
/** In a mesh smaller than this, everyone answers a solicitation (meshage's SOLICIT_LIMIT). */
export const SOLICIT_ALL_BELOW = 16;
/** In a larger mesh, about one node in this many answers (meshage's SOLICIT_RATIO). */
export const SOLICIT_RATIO = 8;

export interface DiscoveryOptions extends DiscoveryConfig {
  name: string;
  namespace: string;
  /** The port this node accepts mesh links on; the host is the datagram's source address. */
  linkPort: number;
  /** Time for the solicitation ticks (the node's clock). */
  clock?: Clock;
  /** Whether this node still wants links (fewer than its degree). */
  wanted(): boolean;
  /** Whether to answer a node that solicits, given it is not linked already. */
  answer(name: string): boolean;
  /** Dial the node heard at `address`. */
  onPeer(address: string, name: string): void;
}

export interface Solicitation {
  botz: 'mesh-solicit';
  ns: string;
  name: string;
  port: number;
}

/** What a node counts of the datagrams it heard on the discovery port. */
export interface DiscoveryCounters {
  /** Solicitations of our namespace from another node, well formed. */
  heard: number;
  /** Anything else: not JSON, not an object, another namespace, our own, bad fields. */
  ignored: number;
}

/**
 * The solicitation a datagram carries, or undefined when it is not one. Datagrams come from
 * anyone on the network: nothing is assumed of their shape, and nothing here throws.
 */
export function parseSolicitation(data: Buffer): Solicitation | undefined {
  let msg: unknown;
  try {
    msg = JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return undefined;
  const { botz, ns, name, port } = msg as Record<string, unknown>;
  if (botz !== 'mesh-solicit' || typeof ns !== 'string' || typeof name !== 'string') return undefined;
  if (name.length === 0 || !fitsDestination(name)) return undefined;
  if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
  return { botz, ns, name, port };
}

export function isMulticast(address: string): boolean {
  const first = Number(address.split('.')[0]);
  return first >= 224 && first <= 239;
}

/** Answer a solicitation? Everyone in a small mesh, about 1 in SOLICIT_RATIO in a large one. */
export function shouldAnswer(meshSize: number, random: () => number = Math.random): boolean {
  return meshSize < SOLICIT_ALL_BELOW || random() < 1 / SOLICIT_RATIO;
}

export class Discovery {
  readonly counters: DiscoveryCounters = { heard: 0, ignored: 0 };
  private socket: Socket | undefined;
  private timer: TimerHandle | undefined;

  constructor(private readonly options: DiscoveryOptions) {}

  /** Binds the UDP port and starts soliciting. On failure the socket is closed again before the throw. */
  async start(): Promise<void> {
    const o = this.options;
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    this.socket = socket;
    socket.on('message', (data, rinfo) => this.heard(data, rinfo.address));
    socket.on('error', () => {
      // A send failing (no route for the group) must not kill the node; the next tick retries.
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        // Stopped while binding: the bind callback never comes.
        socket.once('close', () => reject(new Error('discovery stopped while binding')));
        socket.bind(o.port, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      if (this.socket !== socket) throw new Error('discovery stopped while binding');
      if (isMulticast(o.group)) {
        const iface = o.interfaceAddress ?? '0.0.0.0';
        socket.addMembership(o.group, iface);
        if (o.interfaceAddress) socket.setMulticastInterface(o.interfaceAddress);
        socket.setMulticastLoopback(true);
      } else {
        socket.setBroadcast(true);
      }
    } catch (error) {
      if (this.socket === socket) this.stop();
      throw error;
    }
    this.timer = every(o.clock ?? systemClock, o.intervalMs ?? DEFAULT_SOLICIT_INTERVAL_MS, () => this.solicit()).unref();
    this.solicit();
  }

  stop(): void {
    this.timer?.clear();
    const socket = this.socket;
    this.socket = undefined;
    try {
      socket?.close();
    } catch {
      // Already closed (ERR_SOCKET_DGRAM_NOT_RUNNING): nothing left to release.
    }
  }

  /** Sends one solicitation now, if this node still wants links. Never throws (it runs on a timer). */
  solicit(): void {
    const o = this.options;
    if (!this.socket || !o.wanted()) return;
    const msg: Solicitation = { botz: 'mesh-solicit', ns: o.namespace, name: o.name, port: o.linkPort };
    try {
      this.socket.send(JSON.stringify(msg), o.port, o.group);
    } catch {
      // A send refused at once (bad address, socket closing): the next tick tries again.
    }
  }

  /** A datagram on the discovery port: anyone's, so anything that is not a solicitation is ignored. */
  private heard(data: Buffer, from: string): void {
    const o = this.options;
    try {
      const msg = parseSolicitation(data);
      if (!msg || msg.ns !== o.namespace || msg.name === o.name) {
        this.counters.ignored++;
        return;
      }
      this.counters.heard++;
      if (!o.answer(msg.name)) return;
      o.onPeer(`${from}:${msg.port}`, msg.name);
    } catch {
      // Never out of the socket's 'message' handler: there, a throw ends the process.
      this.counters.ignored++;
    }
  }
}

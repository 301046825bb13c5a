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

export const DEFAULT_SOLICIT_INTERVAL_MS = 1_000;
/** In a mesh smaller than this, everyone answers a solicitation (meshage's SOLICIT_LIMIT). */
export const SOLICIT_ALL_BELOW = 16;
/** In a larger mesh, about one node in this many answers (meshage's SOLICIT_RATIO). */
export const SOLICIT_RATIO = 8;

export interface DiscoveryOptions {
  name: string;
  namespace: string;
  /** The port this node accepts mesh links on; the host is the datagram's source address. */
  linkPort: number;
  /** Broadcast address or multicast group (224.0.0.0–239.255.255.255) to solicit on. */
  group: string;
  /** UDP port every node of the namespace binds and solicits to. */
  port: number;
  /** Interface to bind and join the group on. Default 0.0.0.0 (broadcast) / 127.0.0.1 is for tests. */
  interfaceAddress?: string;
  intervalMs?: number;
  /** Whether this node still wants links (fewer than its degree). */
  wanted(): boolean;
  /** Whether to answer a node that solicits, given it is not linked already. */
  answer(name: string): boolean;
  /** Dial the node heard at `address`. */
  onPeer(address: string, name: string): void;
  random?: () => number;
}

interface Solicitation {
  botz: 'mesh-solicit';
  ns: string;
  name: string;
  port: number;
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
  private socket: Socket | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DiscoveryOptions) {}

  async start(): Promise<void> {
    const o = this.options;
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    this.socket = socket;
    socket.on('message', (data, rinfo) => this.heard(data, rinfo.address));
    socket.on('error', () => {
      // A send failing (no route for the group) must not kill the node; the next tick retries.
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(o.port, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    if (isMulticast(o.group)) {
      const iface = o.interfaceAddress ?? '0.0.0.0';
      socket.addMembership(o.group, iface);
      if (o.interfaceAddress) socket.setMulticastInterface(o.interfaceAddress);
      socket.setMulticastLoopback(true);
    } else {
      socket.setBroadcast(true);
    }
    this.timer = setInterval(() => this.solicit(), o.intervalMs ?? DEFAULT_SOLICIT_INTERVAL_MS);
    this.timer.unref?.();
    this.solicit();
  }

  stop(): void {
    clearInterval(this.timer);
    this.socket?.close();
    this.socket = undefined;
  }

  /** Sends one solicitation now, if this node still wants links. */
  solicit(): void {
    const o = this.options;
    if (!this.socket || !o.wanted()) return;
    const msg: Solicitation = { botz: 'mesh-solicit', ns: o.namespace, name: o.name, port: o.linkPort };
    this.socket.send(JSON.stringify(msg), o.port, o.group);
  }

  private heard(data: Buffer, from: string): void {
    let msg: Partial<Solicitation>;
    try {
      msg = JSON.parse(data.toString('utf8')) as Partial<Solicitation>;
    } catch {
      return;
    }
    const o = this.options;
    if (msg.botz !== 'mesh-solicit' || msg.ns !== o.namespace || typeof msg.name !== 'string' || msg.name === o.name) return;
    if (!Number.isInteger(msg.port) || msg.port! <= 0 || msg.port! > 65535) return;
    if (!o.answer(msg.name)) return;
    o.onPeer(`${from}:${msg.port}`, msg.name);
  }
}

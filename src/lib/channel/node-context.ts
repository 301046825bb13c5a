/**
 * What every botz node (a server, a component, a one-shot client) shares among its channels:
 * its name, its keys, one replay guard, the frame-id source, limits, and rejection counters.
 */
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../clock.js';
import { BotzError, ErrorCode } from '../errors.js';
import type { NodeIdentity } from '../identity/credential.js';
import { PROTOCOL_VERSION, type Codec, type Frame, type FrameInit } from '../wire/frames.js';
import { Keyring } from '../wire/keyring.js';
import { DEFAULT_MAX_PACKET_BYTES, PacketOpener } from '../wire/packet.js';
import { ReplayGuard } from '../wire/replay.js';
import { refusalError, type Link, type Listener, type ListenOptions, type Refusal, type Transport } from '../transport/transport.js';

/**
 * How much a node queues for one link before it gives up on the peer: enough for a few of the
 * largest packets (a burst of big answers is not slowness), far below what would hurt the
 * process. The kernel's socket buffers come on top and are not ours to count.
 */
export function slowConsumerLimit(maxPacketBytes: number): number {
  return Math.max(8 * 1024 * 1024, 4 * maxPacketBytes);
}

export type Secret = string | Uint8Array | ReadonlyArray<string | Uint8Array> | Keyring;

export interface RejectedPacket {
  error: BotzError;
  /** `host:port` of the link it came on. */
  remote: string;
  /** The peer's name, when the link had completed its handshake. */
  peer?: string;
}

/** What every node (a server, a component, a client) is made with: their public options extend it. */
export interface NodeContextOptions {
  name: string;
  /** The shared secret (or keyring). A node with a credential (`identity.credential`) needs none. */
  secret?: Secret;
  /**
   * Per-component identity (PROTOCOL.md §3b): a component's credential, which it proves to its
   * server instead of the shared secret; or a server's authority, which judges credentials.
   */
  identity?: NodeIdentity;
  maxPacketBytes?: number;
  /**
   * Bytes queued for one link past which its peer counts as a slow consumer (default max(8 MiB,
   * 4 packets)): a link that stays past it for a while, or goes past four times it, is closed.
   */
  maxBufferedBytes?: number;
  codecs?: Codec[];
  /**
   * Encrypt payloads (AES-256-GCM under a key of each link's own) on every link this node
   * opens or accepts; the other end follows. By default links are authenticated, not encrypted.
   */
  encrypt?: boolean;
  /** Time for every timer and timestamp of the node (heartbeats, liveness, timeouts, retransmission): a test's ManualClock. */
  clock?: Clock;
  onReject?: (rejected: RejectedPacket) => void;
}

export class NodeContext {
  readonly name: string;
  readonly keyring: Keyring;
  readonly identity: NodeIdentity;
  /** Grant ids the server said it revoked (issue 18): a credential node's peer links refuse them. */
  readonly revokedGrants = new Set<string>();
  readonly opener: PacketOpener;
  readonly clock: Clock;
  readonly maxPacketBytes: number;
  /** A link with more than this queued for its peer for longer than the grace (or 4× it at all) is closed: the peer stopped reading. */
  readonly maxBufferedBytes: number;
  readonly codecs: Codec[];
  /**
   * Encrypt every link this node opens or accepts from now on. Set by the options, or by the
   * network: a server that encrypts says so in its welcome, and its rule becomes ours.
   */
  encrypt: boolean;
  /** Packets refused, by error code: the "counted" of "rejected and counted". */
  readonly rejected: Record<string, number> = {};
  private readonly idPrefix = randomBytes(6).toString('base64url') + '.';
  private idCounter = 0;

  constructor(private readonly options: NodeContextOptions) {
    this.name = options.name;
    if (options.secret === undefined && !options.identity?.credential) throw new BotzError(ErrorCode.INVALID_ARGUMENT, 'a node needs a secret or a credential: pass `secret` (loadSecret() reads BOTZ_SECRET or the one `botz serve` created) or `identity.credential`');
    // A node with a credential and no secret accepts no shared-secret packet: a key nobody holds.
    this.keyring = Keyring.from(options.secret ?? randomBytes(32));
    this.identity = options.identity ?? {};
    this.clock = options.clock ?? systemClock;
    this.maxPacketBytes = options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
    this.maxBufferedBytes = options.maxBufferedBytes ?? slowConsumerLimit(this.maxPacketBytes);
    this.codecs = options.codecs ?? ['json', 'msgpack'];
    this.encrypt = options.encrypt ?? false;
    this.opener = new PacketOpener({
      keyring: this.keyring,
      guard: new ReplayGuard({ now: () => this.clock.now() }),
      maxPacketBytes: this.maxPacketBytes,
    });
  }

  /** A frame id unique to this node: a random prefix per process plus a counter. */
  nextId(): string {
    return this.idPrefix + (++this.idCounter).toString(36);
  }

  /** A frame of ours: the init with the version, a fresh id and our name (the one place frames are stamped). */
  stamp<T extends FrameInit>(init: T): Frame {
    return { v: PROTOCOL_VERSION, id: this.nextId(), from: this.name, ...init } as unknown as Frame;
  }

  /** Listens with this node's packet limit and clock; every connection a cap refuses counts as a rejection. */
  listen(transport: Transport, options: Pick<ListenOptions, 'host' | 'port' | 'limits'>, onLink: (link: Link) => void): Promise<Listener> {
    const onRefused = (refusal: Refusal): void => this.reject({ error: refusalError(refusal), remote: refusal.remote });
    return transport.listen({ ...options, maxMessageBytes: this.maxPacketBytes, onRefused, clock: this.clock }, onLink);
  }

  reject(rejected: RejectedPacket): void {
    const code = rejected.error.code;
    this.rejected[code] = (this.rejected[code] ?? 0) + 1;
    this.options.onReject?.(rejected);
  }

  get rejectedTotal(): number {
    return Object.values(this.rejected).reduce((a, b) => a + b, 0);
  }
}

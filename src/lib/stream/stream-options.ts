/**
 * Settings of a node's streams and their defaults, in one place. The memory a peer can make us
 * hold is bounded by them: per stream, its receive window received and not yet read (plus one
 * chunk and the Readable's own buffer) and as much sent and not yet confirmed; per node,
 * `maxStreams` streams, and `maxStreamsPerPeer` of them with one peer. A receive window starts
 * at `windowBytes` and grows while its reader keeps up, to at most `maxWindowBytes`, out of
 * `windowBudgetBytes` shared by the node's streams (window-budget.ts). So the node receives at
 * most maxStreams × (windowBytes + MAX_CHUNK_BYTES) + windowBudgetBytes, plus Node's buffers.
 */
export interface StreamOptions {
  /** Bytes a peer may send on one stream beyond what its reader took, at first (default 256 KiB). */
  windowBytes?: number;
  /** The largest a stream's window grows to while its reader keeps up (default 2 MiB; not below windowBytes). */
  maxWindowBytes?: number;
  /** Bytes the node's growing windows share beyond their starting windows (default 64 MiB; 0: windows never grow). */
  windowBudgetBytes?: number;
  /** Streams open at once on this node, both ways; an open past it is refused with LIMIT_REACHED (default 4096). */
  maxStreams?: number;
  /**
   * Streams open at once with one peer, both ways; an open past it is refused with
   * TOO_MANY_STREAMS (default 1024): one peer cannot take every stream of the node.
   */
  maxStreamsPerPeer?: number;
  /** Ping a peer with open streams when nothing came from it for this long (default 2 s). */
  keepaliveMs?: number;
  /** Fail every stream with a peer silent this long, with UNREACHABLE (default 10 s). */
  livenessMs?: number;
  /** How long `connect` waits for the accept, unless its own `timeout` says (default: the node's call timeout). */
  openTimeoutMs?: number;
}

export const DEFAULT_STREAM_WINDOW_BYTES = 256 * 1024;
export const DEFAULT_MAX_STREAM_WINDOW_BYTES = 2 * 1024 * 1024;
export const DEFAULT_STREAM_WINDOW_BUDGET_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_STREAMS = 4096;
/** A quarter of the node's streams: four busy peers fill it, and 1,000 streams between two components fit. */
export const DEFAULT_MAX_STREAMS_PER_PEER = 1024;
export const DEFAULT_STREAM_KEEPALIVE_MS = 2_000;
export const DEFAULT_STREAM_LIVENESS_MS = 10_000;
/**
 * The largest chunk one streamData carries: writes are cut to it. 64 KiB of bytes (MessagePack
 * bin) is far inside the 1 MiB packet limit, and large enough that per-frame costs are small.
 */
export const MAX_CHUNK_BYTES = 64 * 1024;
/**
 * The largest JSON value one streamData carries (its JSON text in UTF-8): a value cannot be cut,
 * and must fit a packet (1 MiB by default) with room to spare. A larger write fails with
 * FRAME_TOO_LARGE instead of stalling the stream behind a chunk that can never travel.
 */
export const MAX_JSON_VALUE_BYTES = 512 * 1024;

export type ResolvedStreamOptions = Required<Omit<StreamOptions, 'openTimeoutMs'>> & Pick<StreamOptions, 'openTimeoutMs'>;

export function streamOptions(options: StreamOptions = {}): ResolvedStreamOptions {
  const windowBytes = options.windowBytes ?? DEFAULT_STREAM_WINDOW_BYTES;
  return {
    windowBytes,
    maxWindowBytes: Math.max(windowBytes, options.maxWindowBytes ?? DEFAULT_MAX_STREAM_WINDOW_BYTES),
    windowBudgetBytes: options.windowBudgetBytes ?? DEFAULT_STREAM_WINDOW_BUDGET_BYTES,
    maxStreams: options.maxStreams ?? DEFAULT_MAX_STREAMS,
    maxStreamsPerPeer: options.maxStreamsPerPeer ?? DEFAULT_MAX_STREAMS_PER_PEER,
    keepaliveMs: options.keepaliveMs ?? DEFAULT_STREAM_KEEPALIVE_MS,
    livenessMs: options.livenessMs ?? DEFAULT_STREAM_LIVENESS_MS,
    openTimeoutMs: options.openTimeoutMs,
  };
}

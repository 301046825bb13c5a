/**
 * Frames of streams (src/lib/stream): named two-way channels between two nodes, opened by one
 * end for a protocol the other accepts. Their field checks are in validate.ts's one table.
 *
 *   opener                                                 acceptor
 *     | -- streamOpen {stream, protocol, mode, window} ---> |  handler for `protocol`?
 *     | <- streamAccept {re, window}  (or error {re, code}) |  UNKNOWN_PROTOCOL, REFUSED
 *     | -- streamData {stream, seq: 1.., chunk} ----------> |  at most `window` bytes beyond
 *     | <- streamCredit {stream, seq, window} ------------- |  what the reader took (seq)
 *     | -- streamEnd {stream, seq} -----------------------> |  half-close, after the last chunk
 *     | <- streamReset {stream, code, message} ------------ |  abort, either way, at any time
 *     | <> streamPing {instance, reply} <-----------------> |  liveness and restarts, per peer
 *
 * Both directions are alike once accepted: each end numbers its own chunks from 1, and its END
 * takes the next number. A stream is named by its opener's random id together with the two
 * node names, so the ids of different peers never meet.
 */
import type { Body, Headers } from './values.js';

/** How a stream's chunks are carried: bytes (MessagePack bin in `chunk`; base64 text accepted) or JSON values. */
export type StreamMode = 'bytes' | 'json';

/** The fields of each stream frame type beyond the envelope, by type. */
export interface StreamFrameFields {
  /** Opens a stream for `protocol`; answered by `streamAccept` or `error`. */
  streamOpen: {
    stream: string;
    protocol: string;
    mode: StreamMode;
    /** Bytes of chunks the opener accepts beyond what its reader took. */
    window: number;
    /** The opener's stream instance: random per process, so a restart shows. */
    instance: string;
    headers?: Headers;
  };
  streamAccept: {
    re: string;
    stream: string;
    window: number;
    instance: string;
  };
  /** One chunk: its bytes (mode bytes: bin, or base64 text from a JSON-only peer) or a JSON value (mode json). */
  streamData: { stream: string; seq: number; chunk: Body };
  /** The reader took every chunk through `seq`; send while what follows it is at most `window` bytes. */
  streamCredit: { stream: string; seq: number; window: number };
  /** The sender's half-close: nothing follows `seq - 1`. */
  streamEnd: { stream: string; seq: number };
  /** Abort: the stream is gone at the sender; `code` and `message` say why. */
  streamReset: { stream: string; code: string; message: string };
  /** Liveness of a peer with streams: answered (reply true) by the peer's own. */
  streamPing: { instance: string; reply: boolean };
}

/** Longest stream id (the opener's random id is 16 characters). */
export const MAX_STREAM_ID_CHARS = 64;
/** Longest protocol name. */
export const MAX_PROTOCOL_CHARS = 128;

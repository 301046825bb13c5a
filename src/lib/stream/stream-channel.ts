/**
 * One end of a stream: a Node Duplex (so `pipeline()` and `for await` work) over stream frames.
 * Bytes in byte mode, JSON values in object mode. Each direction is numbered (seq 1, 2, ...; the
 * half-close takes the next number) and flow-controlled by credit, so memory stays bounded both
 * ways however slowly either end reads:
 *
 *   writer ─ write() ─▶ [cut to ≤ 64 KiB] ─▶ sent, kept until credited ─streamData─▶ ┐
 *                      waits while kept bytes + next > the peer's window            │
 *   reader ◀─ read() ◀─ Readable ◀─ queue (≤ window + one chunk) ◀──────────────────┘
 *                       taking from the queue ──streamCredit {seq taken, window}──▶ writer
 *
 * What is sent is kept until the peer's reader took it, so after a path broke both ends resend
 * what the other did not confirm (`resend()`), and the receiver keeps only the next seq it
 * expects: ordered, exactly once. `end()` sends streamEnd and finishes once the peer's reader
 * took it; `destroy(err)` sends streamReset with its reason. Protocol logic only: frames go out
 * through `StreamIo`, and come in through the `on...` methods the hub calls.
 */
import { Duplex } from 'node:stream';
import { BotzError, Closed, ErrorCode } from '../errors.js';
import type { Body, FrameInit, Headers, Path } from '../wire/frames.js';
import { hasBinary } from '../wire/values.js';
import { CODECS } from '../wire/codec.js';
import type { StreamMode } from '../wire/stream-frames.js';
import { MAX_CHUNK_BYTES, MAX_JSON_VALUE_BYTES } from './stream-options.js';

/** What a channel needs of its hub: send a frame to the peer, and forget the channel once done. */
export interface StreamIo {
  send(channel: StreamChannel, init: FrameInit): void;
  closed(channel: StreamChannel): void;
  /** The receive window `channel` may advertise next, given its current one (window-budget.ts); never smaller. */
  grow?(channel: StreamChannel, current: number): number;
}

/** Who is at the other end and what they asked for. */
export interface StreamInfo {
  /** The other end's node name. */
  peer: string;
  protocol: string;
  /** The opener's headers ({} when none). */
  headers: Headers;
  /** The stream's id (the opener's random id). */
  stream: string;
  /** How the open reached us (the acceptor's side only): direct, relay or mesh. */
  path?: Path;
}

interface Outgoing {
  seq: number;
  /** Bytes (a view of the writer's buffer) or a JSON value; undefined for the END. */
  chunk: Body | undefined;
  bytes: number;
}

interface Incoming {
  seq: number;
  /** A Buffer, a JSON value, or null for the END. */
  value: unknown;
  bytes: number;
}

/** A piece of a write not sent yet, and the write's callback on its last piece. */
interface Piece {
  chunk: Body;
  bytes: number;
  done?: (error?: Error | null) => void;
}

export class StreamChannel extends Duplex {
  /** The opener made it: its frames go by the router; the acceptor's go back the way the peer's came. */
  readonly opener: boolean;
  /** The peer's stream instance (random per process): a different one later means it restarted. */
  peerInstance: string | undefined;
  /** Why the stream failed (a reset, a silent or restarted peer, our node stopping), once it did. */
  failure: BotzError | undefined;
  /** Bytes handed to our reader, and sent to the peer (JSON text bytes in object mode): for progress lines. */
  bytesIn = 0;
  bytesOut = 0;
  /** A credit frame arrived since the hub's last tick (else kept chunks may be lost: resend). */
  heardCredit = false;

  // sending
  private started = false;
  private nextSeq = 1;
  private peerTook = 0;
  private peerWindow = 0;
  private readonly kept: Outgoing[] = [];
  private keptBytes = 0;
  private readonly pieces: Piece[] = [];
  private endSeq: number | undefined;
  private finalDone: ((error?: Error | null) => void) | undefined;
  private finishing = false;

  // receiving
  private expected = 1;
  private readonly queue: Incoming[] = [];
  private queuedBytes = 0;
  private took = 0;
  private uncredited = 0;
  private wantRead = false;
  private ended = false;
  private creditQueued = false;

  /** The peer reset it: nothing to tell it. */
  private peerGone = false;

  constructor(
    private readonly io: StreamIo,
    readonly info: StreamInfo,
    readonly mode: StreamMode,
    /** Bytes we accept beyond what our reader took, at first (it grows while our reader keeps up). */
    private receiveWindow: number,
    opener: boolean,
  ) {
    super({ objectMode: mode === 'json', allowHalfOpen: true });
    this.opener = opener;
  }

  /** Bytes we accept beyond what our reader took, now. */
  get window(): number {
    return this.receiveWindow;
  }

  /** The peer accepted (or we did): chunks may go, within `peerWindow` bytes. */
  start(peerWindow: number, peerInstance: string): void {
    this.started = true;
    this.peerWindow = peerWindow;
    this.peerInstance = peerInstance;
    this.flush();
  }

  /** Bytes received and not yet taken by the reader, and sent and not yet credited (for stats and tests). */
  get buffered(): { received: number; unconfirmed: number } {
    return { received: this.queuedBytes, unconfirmed: this.keptBytes };
  }

  // ---- frames from the peer -------------------------------------------------------------

  onData(seq: number, chunk: Body): void {
    if (this.destroyed) return;
    if (seq !== this.expected) return this.sendCredit(); // a duplicate or a gap: say where we are
    let value: unknown = chunk;
    let bytes: number;
    if (this.mode === 'bytes') {
      // Bytes travel as MessagePack bin (a view of the packet, not copied); base64 text is
      // accepted too, from a peer that speaks JSON only.
      if (chunk instanceof Uint8Array) value = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      else if (typeof chunk === 'string') value = Buffer.from(chunk, 'base64');
      else return this.fail(new BotzError(ErrorCode.MALFORMED_FRAME, 'a byte stream chunk must be bytes (bin) or base64 text'), true);
      bytes = (value as Buffer).length;
    } else bytes = jsonBytes(chunk);
    if (chunk === null && this.mode === 'json') return this.fail(new BotzError(ErrorCode.MALFORMED_FRAME, 'null is not a stream value'), true);
    // A peer that ignores our window cannot make us hold more than it plus one chunk.
    if (this.queuedBytes + bytes > this.window + (this.mode === 'json' ? MAX_JSON_VALUE_BYTES : MAX_CHUNK_BYTES)) {
      return this.fail(new BotzError(ErrorCode.LIMIT_REACHED, `"${this.info.peer}" sent beyond the stream's window of ${this.window} bytes`), true);
    }
    this.expected++;
    this.queue.push({ seq, value, bytes });
    this.queuedBytes += bytes;
    this.drain();
  }

  onEnd(seq: number): void {
    if (this.destroyed) return;
    if (seq !== this.expected) return this.sendCredit();
    this.expected++;
    this.queue.push({ seq, value: null, bytes: 0 });
    this.drain();
  }

  onCredit(seq: number, window: number): void {
    if (this.destroyed || seq < this.peerTook || seq >= this.nextSeq) return;
    this.heardCredit = true;
    this.peerTook = seq;
    this.peerWindow = window;
    while (this.kept.length > 0 && this.kept[0].seq <= seq) this.keptBytes -= this.kept.shift()!.bytes;
    this.flush();
    if (this.endSeq !== undefined && seq >= this.endSeq && this.finalDone) {
      const done = this.finalDone;
      this.finalDone = undefined;
      done();
    }
  }

  /** The peer aborted: the error says its reason. */
  onReset(code: string, message: string): void {
    const error =
      code === ErrorCode.CLOSED
        ? new Closed(`"${this.info.peer}" closed the stream: ${message}`, { details: { peer: this.info.peer, remoteCode: code } })
        : new BotzError(ErrorCode.STREAM_RESET, `"${this.info.peer}" reset the stream: ${message}`, { details: { peer: this.info.peer, remoteCode: code, remoteMessage: message } });
    this.fail(error, false);
  }

  /**
   * Fails the stream for a reason of ours (peer silent, restarted, node stopping); `tell`: send
   * a reset. `quiet`: destroyed without an error event (nobody holds it yet: a failed open).
   */
  fail(error: BotzError, tell: boolean, quiet = false): void {
    if (this.destroyed) return;
    if (!tell) this.peerGone = true;
    this.failure = error;
    // A failure nobody listens for must not crash the process (a handler that ignored its
    // channel, a peer that reset): it is kept in `failure`, and the channel closes.
    this.destroy(quiet || this.listenerCount('error') === 0 ? undefined : error);
  }

  /**
   * A path may have lost frames: send again what the peer did not confirm. `all`: and where we
   * are as a reader (our credit may be lost too); otherwise only when something is unconfirmed.
   */
  resend(all: boolean): void {
    if (this.destroyed || !this.started || (!all && this.kept.length === 0)) return;
    for (const out of this.kept) this.emitOutgoing(out);
    this.sendCredit();
  }

  // ---- Duplex -------------------------------------------------------------------------------

  override _write(chunk: unknown, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (this.mode === 'json') {
      let bytes: number;
      try {
        bytes = jsonBytes(chunk as Body);
      } catch (cause) {
        return done(new BotzError(ErrorCode.INVALID_ARGUMENT, 'a stream value must be JSON', { cause }));
      }
      if (bytes > MAX_JSON_VALUE_BYTES) {
        return done(new BotzError(ErrorCode.FRAME_TOO_LARGE, `a stream value of ${bytes} bytes of JSON exceeds the limit of ${MAX_JSON_VALUE_BYTES}`, { details: { bytes, limit: MAX_JSON_VALUE_BYTES } }));
      }
      this.pieces.push({ chunk: chunk as Body, bytes, done });
    } else {
      const buffer = chunk as Buffer;
      if (buffer.length === 0) return done();
      // Views of the writer's buffer, not copies: they go out as MessagePack bin (PROTOCOL.md §7).
      for (let at = 0; at < buffer.length; at += MAX_CHUNK_BYTES) {
        const piece = buffer.subarray(at, at + MAX_CHUNK_BYTES);
        const last = at + MAX_CHUNK_BYTES >= buffer.length;
        this.pieces.push({ chunk: piece, bytes: piece.length, ...(last ? { done } : {}) });
      }
    }
    this.flush();
  }

  override _final(done: (error?: Error | null) => void): void {
    this.finishing = true;
    this.finalDone = done;
    this.flush();
  }

  override _read(): void {
    this.wantRead = true;
    this.drain();
  }

  /**
   * Reading to the end does not destroy the channel (Node's default for a Readable would, and so
   * end our writing half too): a handler may answer after it read everything. Leaving a loop
   * early leaves the channel open as well; `destroy()` it when done with both halves.
   */
  override [Symbol.asyncIterator](): AsyncIterableIterator<unknown> {
    return this.iterator({ destroyOnReturn: false });
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    const clean = this.endSeq !== undefined && this.finalDone === undefined && this.ended;
    if (!clean && !this.peerGone && this.started) {
      const reason = error ?? this.failure ?? null;
      const e = reason instanceof BotzError ? reason : undefined;
      const code = reason ? (e?.code ?? ErrorCode.REMOTE_ERROR) : ErrorCode.CLOSED;
      const message = reason ? reason.message : 'destroyed before both ends finished';
      this.io.send(this, { type: 'streamReset', stream: this.info.stream, code, message });
    }
    this.kept.length = 0;
    this.queue.length = 0;
    for (const piece of this.pieces.splice(0)) piece.done?.(error ?? new Closed('the stream was destroyed'));
    this.io.closed(this);
    done(error);
  }

  // ---- internals ------------------------------------------------------------------------------

  /** Sends pieces while the peer's window has room (one at a time when nothing is in flight). */
  private flush(): void {
    if (!this.started || this.destroyed) return;
    while (this.pieces.length > 0) {
      const piece = this.pieces[0];
      if (this.keptBytes > 0 && this.keptBytes + piece.bytes > this.peerWindow) return;
      this.pieces.shift();
      const out: Outgoing = { seq: this.nextSeq++, chunk: piece.chunk, bytes: piece.bytes };
      this.kept.push(out);
      this.keptBytes += out.bytes;
      this.bytesOut += out.bytes;
      this.emitOutgoing(out);
      piece.done?.();
    }
    if (this.finishing && this.endSeq === undefined) {
      const out: Outgoing = { seq: this.nextSeq++, chunk: undefined, bytes: 0 };
      this.endSeq = out.seq;
      this.kept.push(out);
      this.emitOutgoing(out);
    }
  }

  private emitOutgoing(out: Outgoing): void {
    const stream = this.info.stream;
    this.io.send(this, out.chunk === undefined ? { type: 'streamEnd', stream, seq: out.seq } : { type: 'streamData', stream, seq: out.seq, chunk: out.chunk });
  }

  /** Hands queued chunks to the Readable while it wants more; credits what it took. */
  private drain(): void {
    while (this.wantRead && this.queue.length > 0) {
      const item = this.queue.shift()!;
      this.queuedBytes -= item.bytes;
      this.took = item.seq;
      this.uncredited += item.bytes;
      this.bytesIn += item.bytes;
      if (item.value === null) {
        this.ended = true;
        this.wantRead = false;
        this.push(null);
        this.sendCredit(); // the END is confirmed at once: the writer's end() waits for it
        return;
      }
      this.wantRead = this.push(item.value);
    }
    // Credit a quarter window at once; otherwise once the queue is empty (a writer blocked on a
    // chunk larger than what is left of the window would wait forever), once per turn.
    if (this.uncredited >= this.receiveWindow / 4) {
      // Our reader took everything that came and wants more: the window is what paces the stream.
      if (this.wantRead && this.queue.length === 0 && this.io.grow) this.receiveWindow = this.io.grow(this, this.receiveWindow);
      this.sendCredit();
    } else if (this.uncredited > 0 && this.queue.length === 0) this.queueCredit();
  }

  private queueCredit(): void {
    if (this.creditQueued) return;
    this.creditQueued = true;
    setImmediate(() => {
      if (this.creditQueued) this.sendCredit();
    });
  }

  private sendCredit(): void {
    this.creditQueued = false;
    if (this.destroyed) return;
    this.uncredited = 0;
    this.io.send(this, { type: 'streamCredit', stream: this.info.stream, seq: this.took, window: this.window });
  }
}

/**
 * The bytes a value takes on the wire, as the window counts them: its JSON text, or its
 * MessagePack encoding when it holds bytes (which travel as `bin`, PROTOCOL.md §7).
 */
function jsonBytes(value: Body): number {
  if (hasBinary(value)) return CODECS.msgpack.encodeFrame(value as object).bytes;
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('not a JSON value');
  return Buffer.byteLength(text);
}

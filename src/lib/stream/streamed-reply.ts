/**
 * Streamed replies: a request whose handler returns an async iterable is answered chunk by chunk
 * as the handler yields them. It rides on a stream (stream-channel.ts) of the reserved protocol
 * `botz.reply` in object mode, so it goes the node's one route (direct, relay, mesh) with the
 * stream's credit (a slow caller slows the handler), resend, liveness and limits:
 *
 *   caller                                                  replier
 *     | -- streamOpen {protocol: "botz.reply", mode: json} -> |  (the request's headers)
 *     | <- streamAccept ------------------------------------- |
 *     | -- streamData {seq 1, chunk: {body}}, streamEnd 2 --> |  the request: the handler runs
 *     | <- streamData {chunk: {chunk: C}} ... --------------- |  one per value it yields,
 *     | <- streamData {chunk: {error: {code, message}}} ----- |  (it threw: after its chunks)
 *     | <- streamEnd ---------------------------------------- |  it returned (or threw)
 *     | -- streamReset {code: CLOSED} ----------------------> |  the caller stopped early:
 *                                                              the handler's signal aborts
 *
 * Each reply value is wrapped (`{chunk}` or a last `{error}`), so a failure travels in order
 * behind the chunks before it, and any body (null too) is a chunk.
 */
import { BotzError, Cancelled, ErrorCode, errorFromWire, isBotzError, RemoteError } from '../errors.js';
import type { Body, Headers } from '../wire/values.js';
import { Reply, type Message } from '../node/message.js';
import type { StreamChannel, StreamInfo } from './stream-channel.js';
import type { AcceptHandler, StreamHub } from './stream-hub.js';
import type { HandlerLimit } from '../node/handler-limit.js';
import { isAsyncIterable } from '../node/async-iterable.js';

/** An error value's message is cut to this: it must fit one stream value. */
const MAX_ERROR_MESSAGE_CHARS = 4096;

/** The protocol a streamed request opens; reserved (a component cannot accept it itself). */
export const REPLY_PROTOCOL = 'botz.reply';

/** How a streamed request is made: its headers, how long to wait for the replier, and a way to stop it. */
export interface StreamCallOptions {
  headers?: Headers;
  /** How long to wait for the replier to take the request (ms); the chunks then take what they take. */
  timeout?: number;
  /** Aborting it stops the stream (CANCELLED) and tells the replier. */
  signal?: AbortSignal;
}

/** What answering a streamed request needs of its node. */
export interface ReplyDeps {
  /** Runs the handler (the node's one place user code runs), without taking a handler slot. */
  deliver(message: Message): Promise<unknown>;
  /** The handler limit: a streamed reply holds a slot from its start until its stream ends. */
  limit: Pick<HandlerLimit, 'take' | 'release'>;
}

/**
 * The acceptor of `botz.reply` streams: reads the request, runs the handler, and writes what it
 * yields. A streaming handler runs until its last chunk, so it holds a handler slot that long:
 * a peer cannot keep more handlers streaming than the per-peer handler limit (TOO_MANY_PENDING).
 */
export function replyAcceptor(deps: ReplyDeps): AcceptHandler {
  return (channel, info) => void answer(channel, info, deps);
}

async function answer(channel: StreamChannel, info: StreamInfo, { deliver, limit }: ReplyDeps): Promise<void> {
  const stopped = new AbortController();
  channel.once('close', () => stopped.abort(channel.failure ?? new Cancelled('the caller stopped reading')));
  // A failure is kept in channel.failure; with no listener it would crash the process.
  channel.on('error', () => {});
  let holding = false;
  let ran = false;
  try {
    const body = await requestOf(channel);
    limit.take(info.peer);
    holding = true;
    ran = true;
    const message: Message = { from: info.peer, body, headers: info.headers, kind: 'request', id: info.stream, path: info.path ?? 'relay', signal: stopped.signal };
    const value = await deliver(message);
    const source = value instanceof Reply ? value.body : value;
    if (isAsyncIterable(source)) {
      // Leaving the loop (the caller went) calls the iterator's return(): a generator's finally runs.
      for await (const chunk of source) if (!(await write(channel, { chunk: (chunk ?? null) as Body }))) break;
    } else await write(channel, { chunk: (source ?? null) as Body });
  } catch (error) {
    // As a plain request's reply: the handler's failure is REMOTE_ERROR with its message; a
    // refusal before it ran (busy, a malformed request) keeps its code, so the caller knows why.
    const code = !ran && isBotzError(error) ? error.code : ErrorCode.REMOTE_ERROR;
    const message = (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_MESSAGE_CHARS);
    if (!channel.destroyed) channel.write({ error: { code, message } });
  } finally {
    if (holding) limit.release(info.peer);
  }
  if (!channel.destroyed) channel.end();
}

/** The caller's one value, `{ body }`, read through its END. */
async function requestOf(channel: StreamChannel): Promise<Body> {
  let request: { body: Body } | undefined;
  for await (const value of channel) {
    if (request !== undefined || typeof value !== 'object' || value === null || !('body' in value)) {
      throw new BotzError(ErrorCode.MALFORMED_FRAME, 'a streamed request is one value {body}');
    }
    request = value as { body: Body };
  }
  if (request === undefined) throw new BotzError(ErrorCode.MALFORMED_FRAME, 'a streamed request ended without its body');
  return request.body;
}

/** Writes one chunk, waiting while the caller's window is full; false once the stream is gone. */
async function write(channel: StreamChannel, value: Body): Promise<boolean> {
  if (channel.destroyed) return false;
  if (channel.write(value)) return true;
  await new Promise<void>((resolve) => {
    const go = (): void => {
      channel.off('drain', go);
      channel.off('close', go);
      resolve();
    };
    channel.on('drain', go);
    channel.on('close', go);
  });
  return !channel.destroyed;
}

/**
 * Sends `body` to `target` as a streamed request and yields the reply's chunks as they come.
 * Fails with what a call fails with (NO_SUCH_COMPONENT, TIMEOUT...), REMOTE_ERROR (the handler
 * threw, or the target has no message handler), UNREACHABLE (the target went silent), CLOSED
 * (it stopped) or CANCELLED. Leaving the loop early tells the replier, whose handler stops.
 */
export async function* streamRequest(hub: StreamHub, target: string, body: Body, options: StreamCallOptions = {}): AsyncGenerator<Body, void, undefined> {
  const { signal } = options;
  if (signal?.aborted) throw new Cancelled(`the streamed request to "${target}" was cancelled`);
  let channel: StreamChannel;
  try {
    channel = await hub.connect(target, REPLY_PROTOCOL, { objectMode: true, headers: options.headers, timeout: options.timeout });
  } catch (error) {
    if (isBotzError(error) && error.code === ErrorCode.UNKNOWN_PROTOCOL) throw new RemoteError(`"${target}" has no message handler (or answers no streamed requests)`, { details: { target } });
    throw error;
  }
  let cancelled = false;
  const cancel = (): void => {
    cancelled = true;
    channel.destroy();
  };
  signal?.addEventListener('abort', cancel, { once: true });
  channel.on('error', () => {});
  let done = false;
  let failed: BotzError | undefined;
  try {
    channel.end({ body: body ?? null });
    try {
      for await (const value of channel) {
        const reply = value as { chunk?: Body; error?: { code?: unknown; message?: unknown } };
        if (failed) continue; // nothing follows an error but the END
        if (reply.error !== undefined) failed = errorFromWire(String(reply.error.code), String(reply.error.message), { from: target });
        else yield reply.chunk ?? null;
      }
    } catch (error) {
      if (cancelled) throw new Cancelled(`the streamed request to "${target}" was cancelled`);
      throw failureOf(channel, error);
    }
    if (channel.failure) throw failureOf(channel, channel.failure);
    if (cancelled) throw new Cancelled(`the streamed request to "${target}" was cancelled`);
    done = true;
    if (failed) throw failed;
  } finally {
    signal?.removeEventListener('abort', cancel);
    // Left early (break, an error, cancelled): the replier is told by the reset this sends.
    if (!done) channel.destroy();
  }
}

/** The typed error a failed reply stream stands for: the replier's own code where it sent one. */
function failureOf(channel: StreamChannel, error: unknown): BotzError {
  const failure = channel.failure ?? (isBotzError(error) ? error : undefined);
  if (!failure) return new BotzError(ErrorCode.CLOSED, `the reply stream from "${channel.info.peer}" ended early`, { cause: error });
  if (failure.code !== ErrorCode.STREAM_RESET) return failure;
  const { remoteCode, remoteMessage } = failure.details as { remoteCode?: string; remoteMessage?: string };
  return errorFromWire(remoteCode ?? ErrorCode.REMOTE_ERROR, remoteMessage ?? failure.message, { from: channel.info.peer });
}

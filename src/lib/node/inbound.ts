/**
 * The one inbound dispatch of a node: every frame addressed to it, whichever way it came
 * (a direct link, the server's relay, the mesh, a client link to its mesh node), arrives here
 * with how it came (an Arrival), and goes to exactly one place:
 *
 *   a reply (`re`)               ──▶ the node's pending map: the call it answers settles
 *   request, broadcast, message  ──▶ Message (message.ts) ──▶ the handler, bounded ──▶ answer
 *   data, sack, resume           ──▶ reliable delivery (which hands messages back to `deliver`)
 *   shutdownRequest              ──▶ the node's shutdown
 *   member, trace, traceControl  ──▶ the server feed (directory, subscriptions, tracing)
 *   meshQuery, meshDial, ...     ──▶ the mesh service, for clients of a mesh node
 *
 * The handler runs in one place (`deliver`), for every path and for reliable messages alike.
 */
import { ErrorCode, type BotzError } from '../errors.js';
import type { PendingRequests } from '../channel/pending.js';
import { errorReply, type Frame, type FrameInit, type FrameOf } from '../wire/frames.js';
import { answerTo } from '../wire/validate.js';
import { withHops } from './hops.js';
import type { HandlerLimit } from './handler-limit.js';
import { messageOf, responseTo, type Arrival, type Message } from './message.js';
import { isAsyncIterable } from './async-iterable.js';

/** What answers a call: the frame, and how it came (a mesh reply's hops are its path back). */
export interface Answer {
  frame: Frame;
  arrival: Arrival;
}

export type MessageHandler = (message: Message) => unknown;

/** A part of the node that takes some frame types (reliable delivery, the mesh service...). */
export interface FrameTaker {
  /** Takes `frame` if it is one of its types; returns false to leave it to others. */
  take(frame: Frame, arrival: Arrival): boolean;
}

export interface InboundDeps {
  /** This node's name, for refusals. */
  name: string;
  calls: PendingRequests<Answer>;
  handler: MessageHandler | undefined;
  /** Why a node without a handler refuses a request (a component: REMOTE_ERROR; a client: it is none). */
  noHandler(): BotzError;
  /** False: broadcasts are acknowledged as ignored and never reach the handler. */
  broadcasts: boolean;
  limit: HandlerLimit;
  /** Sends `init` back to the sender of `frame`, the way it came (encrypted if it came so). */
  answer(frame: Frame, arrival: Arrival, init: FrameInit): void;
  /** Parts that take frames of their own, asked in order. */
  takers: FrameTaker[];
  shutdown(frame: FrameOf<'shutdownRequest'>, arrival: Arrival): void;
  /** Before the handler runs (the `message` event). */
  onMessage?(message: Message): void;
}

export class Inbound {
  constructor(private readonly deps: InboundDeps) {}

  /** One frame for this node, and how it came. Never throws for a frame it cannot use: it drops it. */
  receive(frame: Frame, arrival: Arrival): void {
    const re = answerTo(frame);
    if (re !== undefined) {
      // Late or unknown answers need nothing: the call already ended.
      this.deps.calls.settle(re, { frame, arrival });
      return;
    }
    switch (frame.type) {
      case 'request':
      case 'broadcast':
      case 'message':
        return this.message(frame, arrival);
      case 'shutdownRequest':
        return this.deps.shutdown(frame, arrival);
      default:
        for (const taker of this.deps.takers) if (taker.take(frame, arrival)) return;
    }
  }

  /**
   * Runs the handler for one message, counted against the handler limit unless `bounded` is
   * false (reliable messages are bounded by their window instead), and resolves when it settled
   * with what it returned (rejects with what it threw). The one place user code runs.
   * Throws at once, without running anything, when the node refuses: no handler, or the limit.
   */
  deliver(message: Message, bounded = true): Promise<unknown> {
    return new Promise((resolve, reject) => this.handle(message, bounded, (error, value) => (error === undefined ? resolve(value) : reject(error))));
  }

  /**
   * Runs the handler and calls `done` once with how it settled: at once when it returned a plain
   * value or threw, when its promise settles otherwise. A handler that answers at once (an echo)
   * costs no promise and no turn of the microtask queue. Throws a refusal when nothing ran.
   */
  private handle(message: Message, bounded: boolean, done: (error: unknown, value?: unknown) => void): void {
    const { handler, limit } = this.deps;
    if (!handler) throw this.deps.noHandler();
    if (bounded) limit.take(message.from);
    let value: unknown;
    try {
      this.deps.onMessage?.(message);
      value = handler(message);
    } catch (error) {
      if (bounded) limit.release(message.from);
      return done(error ?? new Error('the handler threw undefined'));
    }
    if (!isThenable(value)) {
      if (bounded) limit.release(message.from);
      return done(undefined, value);
    }
    value.then(
      (settled) => {
        if (bounded) limit.release(message.from);
        done(undefined, settled);
      },
      (error: unknown) => {
        if (bounded) limit.release(message.from);
        done(error ?? new Error('the handler rejected with undefined'));
      },
    );
  }

  private message(frame: FrameOf<'request' | 'broadcast' | 'message'>, arrival: Arrival): void {
    const { deps } = this;
    if (frame.type === 'broadcast' && (!deps.handler || !deps.broadcasts)) return deps.answer(frame, arrival, { type: 'ack', re: frame.id, ignored: true });
    if (frame.type === 'message' && (!deps.handler || (frame.broadcast === true && !deps.broadcasts))) return;
    try {
      this.handle(messageOf(frame, arrival), true, (error, value) => {
        if (frame.type === 'message') return; // one-way: nobody to tell
        if (error !== undefined) {
          const message = error instanceof Error ? error.message : String(error);
          deps.answer(frame, arrival, { type: 'error', re: frame.id, code: ErrorCode.REMOTE_ERROR, message });
        } else if (frame.type === 'request' && isAsyncIterable(value)) {
          // A streaming handler asked for one reply: say how to read it (and let it clean up).
          void Promise.resolve((value as { return?: () => unknown }).return?.()).catch(() => {});
          deps.answer(frame, arrival, { type: 'error', re: frame.id, code: ErrorCode.REMOTE_ERROR, message: `"${deps.name}" streams its reply: read it with client.stream() or botz send --stream` });
        } else if (frame.type === 'request') deps.answer(frame, arrival, withHops(responseTo(frame.id, value), frame, arrival));
        else deps.answer(frame, arrival, { type: 'ack', re: frame.id });
      });
    } catch (refusal) {
      // Refused before anything ran (no handler, too busy): the sender may retry; the code says why.
      if (frame.type !== 'message') deps.answer(frame, arrival, errorReply(frame.id, refusal, ErrorCode.REMOTE_ERROR));
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

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
import type { HandlerLimit } from './handler-limit.js';
import { messageOf, replyOf, type Arrival, type Message } from './message.js';

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
    const { handler } = this.deps;
    if (!handler) throw this.deps.noHandler();
    const run = async (): Promise<unknown> => {
      this.deps.onMessage?.(message);
      return handler(message);
    };
    return bounded ? this.deps.limit.run(message.from, run) : run();
  }

  private message(frame: FrameOf<'request' | 'broadcast' | 'message'>, arrival: Arrival): void {
    const { deps } = this;
    const answer = (init: FrameInit): void => deps.answer(frame, arrival, init);
    if (frame.type === 'broadcast' && (!deps.handler || !deps.broadcasts)) return answer({ type: 'ack', re: frame.id, ignored: true });
    if (frame.type === 'message' && (!deps.handler || (frame.broadcast === true && !deps.broadcasts))) return;
    let running: Promise<unknown>;
    try {
      running = this.deliver(messageOf(frame, arrival));
    } catch (refusal) {
      // Refused before anything ran (no handler, too busy): the sender may retry; the code says why.
      if (frame.type !== 'message') answer(errorReply(frame.id, refusal, ErrorCode.REMOTE_ERROR));
      return;
    }
    running.then(
      (value) => {
        if (frame.type === 'request') answer({ type: 'response', re: frame.id, ...replyOf(value) });
        else if (frame.type === 'broadcast') answer({ type: 'ack', re: frame.id });
      },
      (error: unknown) => {
        if (frame.type === 'message') return; // one-way: nobody to tell
        answer({ type: 'error', re: frame.id, code: ErrorCode.REMOTE_ERROR, message: error instanceof Error ? error.message : String(error) });
      },
    );
  }
}

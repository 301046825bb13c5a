/**
 * How a channel answers a frame it received (a response, an ack, an error...). Answers run in
 * handlers and promise callbacks, where a throw would crash the process, so this never throws:
 * an answer that cannot be sent (too large, say) goes as an error frame saying why; an error
 * message is cut to MAX_ERROR_MESSAGE_CHARS so it fits; when the link is closed the answer is
 * dropped, and the asker learns of the closed link on its side. An answer to a frame that arrived
 * encrypted travels encrypted: an exchange its caller encrypted stays encrypted both ways.
 */
import { asBotzError, ErrorCode, isBotzError } from '../errors.js';
import type { Frame, FrameInit } from '../wire/frames.js';
import type { Link } from '../transport/transport.js';
import { clipMessage } from './close-error.js';
import type { NodeContext } from './node-context.js';

/** The parts of a Channel an answer uses. */
export interface AnsweringChannel {
  readonly ctx: NodeContext;
  readonly link: Link;
  readonly established: boolean;
  readonly peer: string;
  send(init: FrameInit, to: string, options: { encrypt?: boolean }): Frame;
  arrivedEncryptedFrame(frame: Frame): boolean;
}

export function sendAnswer(channel: AnsweringChannel, request: Frame, init: FrameInit, to: string): void {
  const answer = init.type === 'error' ? { ...init, message: clipMessage(init.message) } : init;
  try {
    channel.send(answer, to, { encrypt: channel.arrivedEncryptedFrame(request) });
  } catch (error) {
    if (channel.link.closed) return;
    if (init.type === 'error') {
      // Not even an error fits (a huge id to repeat as `re`): the frame goes unanswered, counted.
      const peer = channel.established ? channel.peer : undefined;
      channel.ctx.reject({ error: asBotzError(error, ErrorCode.FRAME_TOO_LARGE), remote: channel.link.remoteAddress, peer });
      return;
    }
    const code = isBotzError(error) ? error.code : ErrorCode.REMOTE_ERROR;
    sendAnswer(channel, request, { type: 'error', re: request.id, code, message: error instanceof Error ? error.message : String(error) }, to);
  }
}

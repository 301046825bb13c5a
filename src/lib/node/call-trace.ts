/**
 * The traffic events one call produces for `botz tail`: the frame sent and its answer (or the
 * failure), from the caller's side, which alone knows the latency. Built only while somebody
 * tails (see registry/traffic-hub.ts); pure, so the cost stays out of the untraced path.
 */
import type { Body, Frame, FrameInit, TrafficEvent } from '../wire/frames.js';
import { encodedBodyBytes } from '../wire/body-size.js';
import { headersOf } from '../wire/values.js';

export type TrafficReport = Omit<TrafficEvent, 'at'>;

export interface TracedCall {
  self: string;
  target: string;
  init: FrameInit;
  path: TrafficEvent['path'];
  startedAt: number;
  /** Include bodies (a tail asked for them). */
  bodies: boolean;
}

/** About how many bytes a frame takes (wire/body-size.ts: bytes count as bytes); 0 when it cannot be measured. */
export function jsonSize(value: unknown): number {
  try {
    return encodedBodyBytes(value as Body);
  } catch {
    return 0;
  }
}

/** The body (when a tail asked for bodies) and the headers (always: they are small) of a frame. */
function bodyOf(frame: object, wanted: boolean): { body?: TrafficEvent['body']; headers?: TrafficEvent['headers'] } {
  const headers = (frame as { headers?: TrafficEvent['headers'] }).headers;
  return {
    ...headersOf(headers),
    ...(wanted && 'body' in frame ? { body: (frame as { body: TrafficEvent['body'] }).body } : {}),
  };
}

/** The frame sent and the answer that came back. */
export function answeredCall(call: TracedCall, reply: Frame, now: number): TrafficReport[] {
  const re = (reply as { re?: string }).re;
  return [
    { from: call.self, to: call.target, kind: call.init.type as TrafficEvent['kind'], id: re ?? '-', size: jsonSize(call.init), path: call.path, ...bodyOf(call.init, call.bodies) },
    { from: call.target, to: call.self, kind: reply.type as TrafficEvent['kind'], id: reply.id, re, size: jsonSize(reply), path: call.path, latencyMs: now - call.startedAt, ...bodyOf(reply, call.bodies) },
  ];
}

/** A call that got no answer (timeout, unreachable, refused). */
export function failedCall(call: TracedCall, now: number): TrafficReport {
  return { from: call.self, to: call.target, kind: 'error', id: '-', size: jsonSize(call.init), path: call.path, latencyMs: now - call.startedAt };
}

/**
 * The one message type a handler sees, built in one place (`messageOf`) from whichever frame
 * brought it (a request, a broadcast, a one-way message, a reliable `data`) and however it came
 * (direct, relay, mesh). And `reply`, how a handler answers with headers.
 */
import type { Channel } from '../channel/channel.js';
import type { Body, Frame, FrameInit, Headers, Path } from '../wire/frames.js';
import { HOPS_HEADER } from '../wire/mesh-frames.js';

/** A message delivered to a component's handler. */
export interface Message {
  from: string;
  body: Body;
  /** The sender's headers ({} when it sent none). */
  headers: Headers;
  /**
   * `request`: the handler's return value is the reply; `broadcast`: to every component (or a
   * group), acknowledged; `message`: one-way, a reliable message (see `deliver`, exactly once and
   * in order per sender) or a message sent over the mesh.
   */
  kind: 'request' | 'broadcast' | 'message';
  id: string;
  /** How it reached us: over a direct link, through the server's relay, or over the mesh. */
  path: Path;
  /** On mesh messages: every node it passed through, the sender first and us last. */
  hops?: string[];
  /**
   * On a streamed request (`client.stream`): aborts when the caller stopped reading or is gone,
   * so a handler waiting between chunks can stop at once (its generator's `finally` runs too).
   */
  signal?: AbortSignal;
}

/** How a frame reached this node: the arrival every inbound frame carries. */
export interface Arrival {
  path: Path;
  /** The link it came on (direct or relay): its answer goes back there. Absent for the mesh. */
  channel?: Channel;
  /** On mesh arrivals: the nodes the frame passed, its origin first and this node last. */
  hops?: string[];
  /** It came in an encrypted packet (so its answer goes encrypted too). */
  encrypted: boolean;
}

/**
 * What a handler returns to answer a request with headers beside the body:
 * `onMessage: (m) => reply({ ok: true }, { headers: { 'content-type': 'text/x' } })`.
 * Any other return value is the body itself.
 */
export class Reply {
  constructor(
    readonly body: Body,
    readonly headers: Headers = {},
  ) {}
}

export function reply(body: Body, options: { headers?: Headers } = {}): Reply {
  return new Reply(body ?? null, options.headers);
}

/** The response a handler's return value stands for: its body, and headers when it returned a Reply with some. */
export function responseTo(re: string, value: unknown): FrameInit {
  if (!(value instanceof Reply)) return { type: 'response', re, body: (value ?? null) as Body };
  // The body last: a body that is bytes then skips the MessagePack encoder (wire/codec.ts).
  return Object.keys(value.headers).length > 0 ? { type: 'response', re, headers: value.headers, body: value.body } : { type: 'response', re, body: value.body };
}

type MessageFrame = Extract<Frame, { type: 'request' | 'broadcast' | 'message' | 'data' }>;

/** The sender's headers without the mesh's own ask for the path (the Message says its hops). */
function withoutHopsAsked(headers: Headers): Headers {
  const { [HOPS_HEADER]: _asked, ...rest } = headers;
  return rest;
}

/** The Message a frame brings (a reliable `data` carries its own id: session and seq). */
export function messageOf(frame: MessageFrame, arrival: Arrival): Message {
  const kind = frame.type === 'request' ? 'request' : frame.type === 'broadcast' || (frame.type === 'message' && frame.broadcast) ? 'broadcast' : 'message';
  const id = frame.type === 'data' ? `${frame.session}:${frame.seq}` : frame.id;
  return {
    from: frame.from,
    body: frame.body,
    headers: arrival.hops && frame.headers?.[HOPS_HEADER] !== undefined ? withoutHopsAsked(frame.headers) : frame.headers ?? {},
    kind,
    id,
    path: arrival.path,
    ...(arrival.hops && { hops: arrival.hops }),
  };
}

/**
 * The path a mesh request really took. The caller plans a route, but every hop forwards by its
 * own table, so a request may go round a node that died after the plan: the caller asks the
 * target (HOPS_HEADER on the request), and the target's answer says the hops it came by.
 */
import type { FrameInit, FrameOf } from '../wire/frames.js';
import { HOPS_HEADER } from '../wire/mesh-frames.js';
import type { Headers } from '../wire/values.js';
import type { Arrival } from './message.js';

/** A request that asks its target for the path it took. */
export function withHopsAsked(init: FrameInit): FrameInit {
  const headers = (init as { headers?: Headers }).headers;
  return { ...init, headers: { ...headers, [HOPS_HEADER]: '' } } as FrameInit;
}

/** The response to a request that came over the mesh asking for its path, saying the path. */
export function withHops(response: FrameInit, request: FrameOf<'request'>, arrival: Arrival): FrameInit {
  if (!arrival.hops || request.headers?.[HOPS_HEADER] === undefined) return response;
  const headers = { ...(response as { headers?: Headers }).headers, [HOPS_HEADER]: arrival.hops.join('>') };
  return { ...response, headers } as FrameInit;
}

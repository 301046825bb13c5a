/**
 * What a credential component lets a peer do on a direct link (PROTOCOL.md §12 Credentials,
 * Paths): the relay's rules, applied by the receiving component itself, since no server sits
 * between them. A peer that proved a credential must stamp its own name on every frame and may
 * send only what its grant allows to this node; anything else is refused FORBIDDEN.
 */
import type { Channel } from '../channel/channel.js';
import { ErrorCode, type BotzError } from '../errors.js';
import { awaitsAnswer, relayRefusal } from '../registry/credential-guard.js';
import { errorReply, type Frame, type FrameInit } from '../wire/frames.js';
import type { NodeContext } from '../channel/node-context.js';
import type { MeshDelivery } from '../mesh/forwarder.js';

/** Why this node refuses `frame` that arrived on `channel` (a credential link to a peer), or undefined. */
export function peerFrameRefusal(channel: Channel, frame: Frame, self: string): BotzError | undefined {
  const grant = channel.identity?.grant;
  return grant ? relayRefusal(grant, frame, channel.peer, self) : undefined;
}

/**
 * The frames of a mesh delivery this node takes. Frames sealed by a credential (mesh/sealing.ts)
 * pass only if the origin's grant allows them, as on a peer link: a refused one is counted, and
 * answered FORBIDDEN (over the mesh, by `answer`) if it waits for an answer.
 */
export function allowedMeshFrames(ctx: NodeContext, delivery: MeshDelivery, answer: (frame: Frame, init: FrameInit) => void): Frame[] {
  const frames = delivery.frames as unknown as Frame[];
  const grant = delivery.grant;
  if (!grant) return frames;
  return frames.filter((frame) => {
    const refused = relayRefusal(grant, frame, grant.name, ctx.name);
    if (refused) answerRefusal(ctx, refused, frame, { remote: 'mesh', peer: grant.name }, answer);
    return !refused;
  });
}

/** A refused frame: counted, and answered `error` FORBIDDEN (by `answer`) if it waits for an answer. */
export function answerRefusal(ctx: NodeContext, refused: BotzError, frame: Frame, from: { remote: string; peer: string }, answer: (frame: Frame, init: FrameInit) => void): void {
  ctx.reject({ error: refused, ...from });
  if (awaitsAnswer(frame)) answer(frame, errorReply(frame.id, refused, ErrorCode.FORBIDDEN));
}

/**
 * True when this node refuses `frame` (see peerFrameRefusal): it is counted, and answered
 * `error` FORBIDDEN, to the peer's own name, if it waits for an answer.
 */
export function refusedPeerFrame(channel: Channel, frame: Frame, self: string): boolean {
  const refused = peerFrameRefusal(channel, frame, self);
  if (!refused) return false;
  answerRefusal(channel.ctx, refused, frame, { remote: channel.link.remoteAddress, peer: channel.peer }, (f, init) => channel.answer(f, init, channel.peer));
  return true;
}

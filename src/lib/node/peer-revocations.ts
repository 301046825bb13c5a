/**
 * A credential component learns from its server which grants were revoked (the `revoked`
 * frame, issue 18) and applies it to its peer links (PROTOCOL.md §3b Peer links): a live link
 * of a revoked grant is cut (4013) and a new one refused, within the server's check interval.
 * Only the server's own word counts: the frame must come on the server link, from `$server`.
 */
import type { Channel } from '../channel/channel.js';
import type { NodeContext } from '../channel/node-context.js';
import { CloseCode } from '../transport/transport.js';
import type { Frame } from '../wire/frames.js';
import { SERVER_DESTINATION } from '../wire/packet.js';
import type { FrameTaker } from './inbound.js';
import type { Arrival } from './message.js';

export class PeerRevocations implements FrameTaker {
  constructor(
    private readonly ctx: NodeContext,
    /** Every open peer link, dialed or accepted. */
    private readonly peerLinks: () => Iterable<Channel>,
  ) {}

  take(frame: Frame, arrival: Arrival): boolean {
    if (frame.type !== 'revoked') return false;
    if (arrival.path !== 'relay' || frame.from !== SERVER_DESTINATION) return true;
    const revoked = this.ctx.revokedGrants;
    revoked.clear();
    for (const id of frame.ids) revoked.add(id);
    for (const ch of [...this.peerLinks()]) {
      const grant = ch.identity?.grant;
      if (grant && revoked.has(grant.id)) ch.close(CloseCode.CREDENTIAL_REJECTED, `the credential ${grant.id} for "${grant.name}" was revoked`);
    }
    return true;
  }
}

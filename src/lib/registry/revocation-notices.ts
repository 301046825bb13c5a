/**
 * The server tells its credential links which grants it revoked (issue 18, PROTOCOL.md §12
 * Credentials): a component listening for peer links knows the issuer's public key but not its
 * revocations, and would otherwise admit a revoked key until its grant expired. Each link gets
 * the whole current list (the newest MAX_REVOKED_IDS) whenever it differs from what that link
 * was last told, so a link that joined later learns it at the next check.
 */
import type { Channel } from '../channel/channel.js';
import { MAX_REVOKED_IDS } from '../wire/validate.js';

export class RevocationNotices {
  private readonly told = new WeakMap<Channel, string>();

  /** Sends `ids` (oldest first) to every established credential link among `links` not told them yet. */
  send(ids: readonly string[], links: Iterable<Channel>): void {
    const newest = ids.slice(-MAX_REVOKED_IDS);
    const key = newest.join('\n');
    for (const ch of links) {
      if (!ch.identity?.grant || !ch.established || ch.link.closed || (this.told.get(ch) ?? '') === key) continue;
      this.told.set(ch, key);
      try {
        ch.send({ type: 'revoked', ids: newest });
      } catch {
        // Closed meanwhile: a link that comes back is a new channel, told at the next check.
      }
    }
  }
}

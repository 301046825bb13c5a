/**
 * Which of two links to the same peer to keep. When two nodes dial each other at once, each
 * end sees two links and must close the same one, without talking about it. So the choice
 * depends only on facts both ends share: who dialed, and the session token the listener
 * issued in its welcome.
 */

export interface LinkIdentity {
  /** Name of the node that dialed this link. */
  dialer: string;
  /** The session token of the link's handshake (known to both ends). */
  token: string;
}

/** True when `a` should be kept over `b`: the smaller name's dial wins, then the smaller token. */
export function preferLink(a: LinkIdentity, b: LinkIdentity): boolean {
  if (a.dialer !== b.dialer) return a.dialer < b.dialer;
  return a.token <= b.token;
}

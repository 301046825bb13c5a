/**
 * What a mesh node keeps about each of its links, and which of two links to the same peer to
 * keep. When two nodes dial each other at once, each
 * end sees two links and must close the same one, without talking about it. So the choice
 * depends only on facts both ends share: who dialed, and the session token the listener
 * issued in its welcome.
 */

import type { Channel } from '../channel/channel.js';
import type { BotzError } from '../errors.js';

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

/** A mesh link's state, kept in its Channel's `tag`. */
export interface LinkState extends LinkIdentity {
  /** The address we dialed, or the remote address of an accepted link. */
  address: string;
  dialed: boolean;
  /** Set on the first mesh frame from the other end (which names it). */
  installed: boolean;
  since: number;
  /** The dial waiting for the link to be installed. */
  waiter?: { resolve(peer: string): void; reject(error: BotzError): void };
}

export const linkState = (ch: Channel): LinkState => ch.tag as LinkState;

/** Marks a link from a client (the CLI): control frames only, never a mesh link. */
export const CONTROL_LINK = Symbol('mesh control link');

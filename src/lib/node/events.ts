/**
 * What a node tells its owner, as one discriminated union: printing, `--json` and exhaustive
 * switches come free. The public classes (Client, Component) re-emit each as an EventEmitter
 * event of the same name.
 */
import type { BotzError } from '../errors.js';
import type { RejectedPacket } from '../channel/node-context.js';
import type { Message } from './message.js';

export interface ShutdownNotice {
  forced: boolean;
  from: string;
}

export type NodeEvent =
  /** A packet or connection refused (and counted). */
  | ({ type: 'rejected' } & RejectedPacket)
  /** The link to the server went down; the node reconnects by itself. */
  | { type: 'disconnected'; error: BotzError }
  /** …and came back (registered and subscribed again). */
  | { type: 'reconnected' }
  /** A component registered with a server that was not there when it started (mesh components). */
  | { type: 'registered'; server: string }
  /** A message is about to reach the handler. */
  | { type: 'message'; message: Message }
  /** The handler threw for a reliable message, which was confirmed all the same. */
  | { type: 'messageFailed'; message: Message; error: unknown }
  /** A peer came back as a new incarnation; the deliveries its old one never confirmed failed. */
  | { type: 'peerRestarted'; peer: string; previous: string; session: string; failed: number }
  /** A tail could not be restored after a reconnect: the server's tails are all taken. */
  | { type: 'tailRefused'; error: BotzError }
  /** A shutdown request was granted; the node stopped. */
  | { type: 'shutdown'; notice: ShutdownNotice }
  | { type: 'stopped' }
  /** The server refused this node's credential (revoked, expired): it stops, and does not reconnect (issue 18). */
  | { type: 'credentialRejected'; error: BotzError };

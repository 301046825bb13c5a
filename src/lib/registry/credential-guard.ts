/**
 * What a server lets a credential link do (PROTOCOL.md §12 Credentials): the checks, without
 * sockets or state. A credential link's frames must be stamped with its own wire name, and each
 * frame's purpose must be among its grant's permissions; a shared-secret link may not take a
 * name that belongs to a credential, nor connect at all when the server requires credentials.
 */
import { AuthFailed, BotzError, ErrorCode } from '../errors.js';
import type { Authority } from '../identity/credential.js';
import { allows, type Grant } from '../identity/grant.js';
import type { Frame } from '../wire/frames.js';
import { answerTo } from '../wire/validate.js';

const forbidden = (grant: Grant, what: string): BotzError =>
  new BotzError(ErrorCode.FORBIDDEN, `the credential of "${grant.name}" (${grant.id}) does not allow ${what}`, { details: { credential: grant.id, name: grant.name } });

/** Throws AUTH_FAILED when a shared-secret hello for `name` may not be admitted. */
export function admitSharedSecret(authority: Authority | undefined, name: string): void {
  if (!authority) return;
  if (authority.requireCredentials) throw new AuthFailed('this server admits only components with a credential (botz creds issue)');
  if (authority.isReserved(name)) throw new AuthFailed(`the name "${name}" belongs to a credential: connect with it, not with the shared secret`);
}

/**
 * Throws CREDENTIAL_REJECTED when a credential link's wire name (`NAME.suffix`) is a name that
 * belongs to another credential (one for `NAME.suffix` itself, say): the suffix is for clients,
 * not for taking another's name.
 */
export function admitCredential(authority: Authority, grant: Grant, wireName: string): void {
  if (wireName !== grant.name && authority.isReserved(wireName, grant.name)) {
    throw new BotzError(ErrorCode.CREDENTIAL_REJECTED, `credential refused: "${wireName}" belongs to another credential`);
  }
}

/** Throws FORBIDDEN unless the frame claims the link's own name (`from`): what a credential sends is attributable to it. */
export function checkSender(grant: Grant, frame: Frame, wireName: string): void {
  if (frame.from !== wireName) throw forbidden(grant, `sending as "${frame.from}"`);
}

/** Frames a relay carries whatever the permissions: answers to what the receiver asked (they settle only its own calls). */
const ANSWERS = new Set(['response', 'error', 'ack', 'shutdownResponse', 'sack']);

/**
 * The frames of a stream once opened, both ways, and its liveness ping: each acts only on a
 * stream its receiver holds with that very sender (streams are kept by `from`, which these
 * checks bind to the link), so like answers they pass; a frame for a stream the receiver does
 * not hold gets at most one reset back. Opening a stream (`streamOpen`) needs `send`.
 */
const STREAM_FRAMES = new Set(['streamAccept', 'streamData', 'streamCredit', 'streamEnd', 'streamReset', 'streamPing']);

/** Throws FORBIDDEN unless the grant lets its holder send `frame` to `to` through the relay. */
export function checkRelayed(grant: Grant, frame: Frame, to: string): void {
  const p = grant.permissions;
  switch (frame.type) {
    case 'request':
    case 'message':
    case 'data':
    case 'resume':
    case 'streamOpen':
      if (!allows(p.send, to)) throw forbidden(grant, `sending to "${to}"`);
      return;
    case 'broadcast':
      if (!allows(p.broadcast, to)) throw forbidden(grant, `broadcasting to "${to}"`);
      return;
    case 'shutdownRequest':
      if (!allows(p.shutdown, to)) throw forbidden(grant, `shutting down "${to}"`);
      return;
    default:
      if (!ANSWERS.has(frame.type) && !STREAM_FRAMES.has(frame.type)) throw forbidden(grant, `relaying a ${frame.type} frame`);
  }
}

/** Throws FORBIDDEN unless the grant lets its holder ask the server for this (register, list, subscribe...). */
export function checkServerFrame(grant: Grant, frame: Frame, wireName: string): void {
  const p = grant.permissions;
  switch (frame.type) {
    case 'register':
      if (!p.register) throw forbidden(grant, 'registering a name');
      if (wireName !== grant.name) throw forbidden(grant, `registering "${wireName}" (only "${grant.name}")`);
      return;
    case 'lookup':
    case 'list':
      if (!p.list) throw forbidden(grant, 'looking up or listing components');
      return;
    case 'subscribe': {
      if (frame.topics.includes('members') && !p.list) throw forbidden(grant, 'following membership events');
      if (!frame.topics.includes('traffic')) return;
      // A tail of no names follows everyone: only a credential allowed to tail `*` may.
      const names = frame.names && frame.names.length > 0 ? frame.names : ['*'];
      const outside = names.find((n) => !p.tail.some((pattern) => pattern === '*' || (n !== '*' && allows([pattern], n))));
      if (outside !== undefined) throw forbidden(grant, outside === '*' ? 'tailing all traffic' : `tailing "${outside}"`);
      if (frame.bodies === true && !p.tailBodies) throw forbidden(grant, 'tailing message bodies');
      return;
    }
    default:
      return;
  }
}

/** Why the server refuses a frame a credential link sent to it, or undefined: it may. */
export function serverFrameRefusal(grant: Grant, frame: Frame, wireName: string): BotzError | undefined {
  return refusal(() => {
    checkSender(grant, frame, wireName);
    checkServerFrame(grant, frame, wireName);
    // A trace goes to every tail: a credential reports its own traffic only.
    const event = frame.type === 'trace' ? (frame.event as { from?: unknown; to?: unknown }) : undefined;
    if (event && event.from !== wireName && event.to !== wireName) throw forbidden(grant, "reporting others' traffic");
  });
}

/**
 * Why the relay refuses a frame from the link named `wireName` (with `grant`, if a credential
 * link) to `to`, or undefined. Any sender to or from a credential link must stamp its own name.
 */
export function relayRefusal(grant: Grant | undefined, frame: Frame, wireName: string, to: string): BotzError | undefined {
  return refusal(() => {
    if (frame.from !== wireName) throw new BotzError(ErrorCode.FORBIDDEN, `"${wireName}" may not send as "${frame.from}" through a credential link`);
    if (grant) checkRelayed(grant, frame, to);
  });
}

function refusal(check: () => void): BotzError | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    return error as BotzError;
  }
}

/** True when a refused frame is one that waits for an answer (a refusal answers it FORBIDDEN). */
export function awaitsAnswer(frame: Frame): boolean {
  return answerTo(frame) === undefined && !['message', 'trace', 'bye', 'heartbeat', 'data', 'resume'].includes(frame.type) && !STREAM_FRAMES.has(frame.type);
}

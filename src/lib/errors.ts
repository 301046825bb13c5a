/**
 * Every failure botz reports is a BotzError with a stable `code`. Tests and callers match on
 * the code, never on the message; the message is for people and may be reworded.
 * The codes are listed in PROTOCOL.md; the CLI maps them to exit codes in src/cli/exit-codes.ts.
 */
export const ErrorCode = {
  // wire: a packet or frame that cannot be accepted
  FRAME_TOO_LARGE: 'FRAME_TOO_LARGE',
  MALFORMED_FRAME: 'MALFORMED_FRAME',
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  BAD_VERSION: 'BAD_VERSION',
  BAD_MAC: 'BAD_MAC',
  UNKNOWN_KEY: 'UNKNOWN_KEY',
  STALE_TIMESTAMP: 'STALE_TIMESTAMP',
  REPLAY: 'REPLAY',
  /** A plaintext packet where encryption is required: on a link that negotiated it, or relayed to a node that asked for it. */
  ENCRYPTION_REQUIRED: 'ENCRYPTION_REQUIRED',
  // links and the network
  AUTH_FAILED: 'AUTH_FAILED',
  NAME_TAKEN: 'NAME_TAKEN',
  INVALID_NAME: 'INVALID_NAME',
  NO_SUCH_COMPONENT: 'NO_SUCH_COMPONENT',
  NO_ROUTE: 'NO_ROUTE',
  TIMEOUT: 'TIMEOUT',
  UNREACHABLE: 'UNREACHABLE',
  SERVER_UNREACHABLE: 'SERVER_UNREACHABLE',
  REMOTE_ERROR: 'REMOTE_ERROR',
  TOO_MANY_PENDING: 'TOO_MANY_PENDING',
  /** A server-wide limit on something a peer asked for is reached (the number of tails). */
  LIMIT_REACHED: 'LIMIT_REACHED',
  /** A listener evicted or turned away a connection at one of its caps (an event, never thrown). */
  TOO_MANY_CONNECTIONS: 'TOO_MANY_CONNECTIONS',
  /** A listener closed a connection that was not authenticated in time (an event, never thrown). */
  HANDSHAKE_TIMEOUT: 'HANDSHAKE_TIMEOUT',
  /** A link was closed because its peer stopped reading and too much was queued for it (an event, never thrown). */
  SLOW_CONSUMER: 'SLOW_CONSUMER',
  CLOSED: 'CLOSED',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** A listener's host:port is taken by another socket (another server, another component). */
  ADDRESS_IN_USE: 'ADDRESS_IN_USE',
  /** The caller aborted the call through its AbortSignal (local, never on the wire). */
  CANCELLED: 'CANCELLED',
  // issue 20, the Botzilla v1 gateway
  /** A listener closed a connection whose first bytes were not HTTP at all (an event, never thrown). */
  NOT_WEBSOCKET: 'NOT_WEBSOCKET',
  /** A listener closed a connection whose first bytes were a Botzilla v1 frame: a Botzilla client on a botz port (an event, never thrown). */
  BOTZILLA_FRAME: 'BOTZILLA_FRAME',
  // streams (issue 15)
  /** The target has no handler for the stream protocol asked for. */
  UNKNOWN_PROTOCOL: 'UNKNOWN_PROTOCOL',
  /** The target's handler declined the stream (the message says why). */
  REFUSED: 'REFUSED',
  /** The other end aborted the stream (`destroy(err)`): the message is its reason. */
  STREAM_RESET: 'STREAM_RESET',
  // issue 16: several servers on one shared store
  /** The shared registry store (Redis) cannot be reached: the server serves what it holds itself. */
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  // issue 18: per-component credentials
  /** A credential was refused: not the issuer's, for another name, expired or revoked (close 4013). */
  CREDENTIAL_REJECTED: 'CREDENTIAL_REJECTED',
  /** The sender's credential does not allow this (register another name, send to, tail, shut down...). */
  FORBIDDEN: 'FORBIDDEN',
  // issue 15: streams, per-peer cap
  /** One peer has as many streams open with a node as it may (`streams.maxStreamsPerPeer`): the open is refused. */
  TOO_MANY_STREAMS: 'TOO_MANY_STREAMS',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface BotzErrorOptions {
  cause?: unknown;
  /** Structured facts about the failure (the target name, the address tried...), safe to print. */
  details?: Record<string, unknown>;
}

export class BotzError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: BotzErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
  }

  toJSON(): { code: ErrorCode; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** `options` with `facts` in its details (what the caller's details say wins). */
function about(facts: Record<string, unknown>, options?: BotzErrorOptions): BotzErrorOptions {
  return { ...options, details: { ...facts, ...options?.details } };
}

export class AuthFailed extends BotzError {
  constructor(message: string, options?: BotzErrorOptions) {
    super(ErrorCode.AUTH_FAILED, message, options);
  }
}
export class NameTaken extends BotzError {
  constructor(name: string, options?: BotzErrorOptions) {
    super(ErrorCode.NAME_TAKEN, `the name "${name}" is already registered by a live component`, about({ name }, options));
  }
}
export class NoSuchComponent extends BotzError {
  constructor(name: string, options?: BotzErrorOptions) {
    const message = name.startsWith('@') ? `no ready component is in group "${name.slice(1)}"` : `no component named "${name}" is registered`;
    super(ErrorCode.NO_SUCH_COMPONENT, message, about({ name }, options));
  }
}
export class AddressInUse extends BotzError {
  constructor(address: string, options?: BotzErrorOptions) {
    super(ErrorCode.ADDRESS_IN_USE, `cannot listen on ${address}: the address is already in use`, about({ address }, options));
  }
}
export class Timeout extends BotzError {
  constructor(message: string, options?: BotzErrorOptions) {
    super(ErrorCode.TIMEOUT, message, options);
  }
}
export class Unreachable extends BotzError {
  constructor(message: string, options?: BotzErrorOptions) {
    super(ErrorCode.UNREACHABLE, message, options);
  }
}
export class ServerUnreachable extends BotzError {
  constructor(address: string, options?: BotzErrorOptions) {
    super(ErrorCode.SERVER_UNREACHABLE, `cannot reach the botz server at ${address}`, about({ server: address }, options));
  }
}
/** The remote handler threw; `message` is what it threw, `details.remoteCode` its code if any. */
export class RemoteError extends BotzError {
  constructor(message: string, options?: BotzErrorOptions) {
    super(ErrorCode.REMOTE_ERROR, message, options);
  }
}
/** The caller's AbortSignal fired before the call ended. */
export class Cancelled extends BotzError {
  constructor(message = 'cancelled', options?: BotzErrorOptions) {
    super(ErrorCode.CANCELLED, message, options);
  }
}
export class Closed extends BotzError {
  constructor(message = 'closed', options?: BotzErrorOptions) {
    super(ErrorCode.CLOSED, message, options);
  }
}

export function isBotzError(e: unknown): e is BotzError {
  return e instanceof BotzError;
}

/** `error` if it is a BotzError, else one with code `fallback` that says what was thrown. */
export function asBotzError(error: unknown, fallback: ErrorCode): BotzError {
  return isBotzError(error) ? error : new BotzError(fallback, String(error), { cause: error });
}

/** True when `code` is one of botz's error codes (a peer may send any string). */
export function isErrorCode(code: string): code is ErrorCode {
  return (Object.values(ErrorCode) as string[]).includes(code);
}

/** Rebuild a typed error from the `error` frame a peer sent (code + message). */
export function errorFromWire(code: string, message: string, details?: Record<string, unknown>): BotzError {
  const known = isErrorCode(code) ? code : ErrorCode.REMOTE_ERROR;
  if (known === ErrorCode.REMOTE_ERROR) return new RemoteError(message, { details: { remoteCode: code, ...details } });
  return new BotzError(known, message, { details });
}

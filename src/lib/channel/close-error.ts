/**
 * How a link's end reads to those who waited on it: the close code and reason a peer sent,
 * turned into the typed error waiting callers get; and the cap on what an error frame may say.
 */
import { AuthFailed, BotzError, Closed, ErrorCode, NameTaken } from '../errors.js';
import { CloseCode } from '../transport/transport.js';

/** Translates how a link closed into the error that waiting callers get. */
export function closeError(code: number, reason: string, peer: string): BotzError {
  switch (code) {
    case CloseCode.AUTH_FAILED:
      return new AuthFailed(reason || `${peer} refused our key: check that both ends use the same secret`);
    case CloseCode.NAME_TAKEN:
      return new NameTaken(reason.replace(/^name taken: /, '') || '?');
    case CloseCode.CREDENTIAL_REJECTED:
      return new BotzError(ErrorCode.CREDENTIAL_REJECTED, reason || `${peer} refused our credential`, { details: { code, peer } });
    case CloseCode.TOO_BIG:
      return new BotzError(ErrorCode.FRAME_TOO_LARGE, `${peer} closed the link: a packet exceeded its size limit`);
    case CloseCode.PROTOCOL_ERROR:
      // A node of another protocol version refuses our first packet by its version byte.
      if (/unsupported packet version/.test(reason)) {
        return new BotzError(ErrorCode.BAD_VERSION, `${peer} speaks another botz protocol version (it said: ${reason}); upgrade the older side`, {
          details: { code, peer, reason },
        });
      }
      return new Closed(`link to ${peer} closed: ${reason || `code ${code}`}`, { details: { code, peer } });
    default:
      return new Closed(`link to ${peer} closed${reason ? `: ${reason}` : ` (code ${code})`}`, {
        details: { code, peer },
      });
  }
}

/** The close code a listener refuses a hello or its auth with, by the refusal's error code. */
export function refusalCloseCode(code: string): number {
  if (code === ErrorCode.NAME_TAKEN) return CloseCode.NAME_TAKEN;
  if (code === ErrorCode.AUTH_FAILED) return CloseCode.AUTH_FAILED;
  return code === ErrorCode.CREDENTIAL_REJECTED ? CloseCode.CREDENTIAL_REJECTED : CloseCode.PROTOCOL_ERROR;
}

/**
 * How a link that failed before its handshake completed ends: the error its waiters get, and
 * the close code and reason. A key the other end does not share is AUTH_FAILED (4001).
 */
export function handshakeFailure(e: BotzError, who: string): { error: BotzError; code: number; reason: string } {
  if (e.code === ErrorCode.BAD_MAC || e.code === ErrorCode.UNKNOWN_KEY) {
    return { error: new AuthFailed(`${who} does not share our secret (${e.code})`), code: CloseCode.AUTH_FAILED, reason: 'authentication failed' };
  }
  return { error: e, code: e.code === ErrorCode.CREDENTIAL_REJECTED ? CloseCode.CREDENTIAL_REJECTED : CloseCode.PROTOCOL_ERROR, reason: e.message };
}

/** Error frames carry at most this many characters of message: a handler's error must always fit. */
export const MAX_ERROR_MESSAGE_CHARS = 1_000;

export function clipMessage(message: string): string {
  return message.length <= MAX_ERROR_MESSAGE_CHARS ? message : `${message.slice(0, MAX_ERROR_MESSAGE_CHARS)}... (${message.length} characters)`;
}

/**
 * The one place that turns a failure into an exit code and one line for people.
 *
 *   0 ok   1 error   2 usage   3 no such component / no route   4 timeout
 *   5 the remote handler failed   6 authentication rejected   7 server unreachable
 *   8 forbidden: the credential does not allow it
 *   130 cancelled (Ctrl-C in the REPL; what a shell reports for SIGINT)
 *
 * Pure (no oclif, no process), so the REPL prints the same lines the commands do.
 */
import { ErrorCode } from '../lib/errors.js';
import { SERVER_DESTINATION } from '../lib/wire/packet.js';
import { formatDuration } from './duration.js';
import { systemErrorSentence } from './system-errors.js';
import { oclifUsageMessage } from './usage-error.js';

export const ExitCode = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  NOT_FOUND: 3,
  TIMEOUT: 4,
  REMOTE: 5,
  AUTH: 6,
  UNREACHABLE: 7,
  FORBIDDEN: 8,
  CANCELLED: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const BY_CODE: Partial<Record<string, ExitCode>> = {
  [ErrorCode.INVALID_ARGUMENT]: ExitCode.USAGE,
  [ErrorCode.INVALID_NAME]: ExitCode.USAGE,
  [ErrorCode.NO_SUCH_COMPONENT]: ExitCode.NOT_FOUND,
  [ErrorCode.NO_ROUTE]: ExitCode.NOT_FOUND,
  // A component that is registered but cannot be reached has no working route to it.
  [ErrorCode.UNREACHABLE]: ExitCode.NOT_FOUND,
  [ErrorCode.TIMEOUT]: ExitCode.TIMEOUT,
  [ErrorCode.REMOTE_ERROR]: ExitCode.REMOTE,
  [ErrorCode.AUTH_FAILED]: ExitCode.AUTH,
  [ErrorCode.BAD_MAC]: ExitCode.AUTH,
  [ErrorCode.UNKNOWN_KEY]: ExitCode.AUTH,
  [ErrorCode.ENCRYPTION_REQUIRED]: ExitCode.AUTH,
  [ErrorCode.SERVER_UNREACHABLE]: ExitCode.UNREACHABLE,
  // issue 16: the server's shared store (Redis) is down: the network is only partly reachable.
  [ErrorCode.STORE_UNAVAILABLE]: ExitCode.UNREACHABLE,
  [ErrorCode.CANCELLED]: ExitCode.CANCELLED,
  // Ours to send (issue 17): a body too big for a packet is fixed by changing the command line.
  [ErrorCode.FRAME_TOO_LARGE]: ExitCode.USAGE,
  // streams (issue 15): no handler for the protocol is a missing target; a refusal or an abort is the other side's doing.
  [ErrorCode.UNKNOWN_PROTOCOL]: ExitCode.NOT_FOUND,
  [ErrorCode.REFUSED]: ExitCode.REMOTE,
  [ErrorCode.STREAM_RESET]: ExitCode.REMOTE,
  // issue 18
  [ErrorCode.CREDENTIAL_REJECTED]: ExitCode.AUTH,
  [ErrorCode.FORBIDDEN]: ExitCode.FORBIDDEN,
  // issue 15: a peer's share of a node's streams is used up (1, as LIMIT_REACHED and TOO_MANY_PENDING).
  [ErrorCode.TOO_MANY_STREAMS]: ExitCode.ERROR,
};

/** The exit code for an error code; anything unknown is a plain error (1). */
export function exitCodeFor(code: string | undefined): ExitCode {
  return (code !== undefined && BY_CODE[code]) || ExitCode.ERROR;
}

/** What was being attempted when the failure happened, to say what to do about it. */
export interface FailureContext {
  /** The server address that was tried. */
  server?: string;
  /** Where the secret came from ("env BOTZ_SECRET", a path) — never the secret. */
  secretSource?: string;
  /** The component addressed, if any. */
  target?: string;
  timeoutMs?: number;
  /** The command, for "see botz send --help". */
  command?: string;
  /** What lives at `server`: the botz server (default) or a mesh node reached with --via / NODE. */
  peer?: 'server' | 'mesh node';
}

export interface Failure {
  exit: ExitCode;
  /** The error code (a BotzError code, `USAGE` for parse errors, `ERROR` otherwise). */
  code: string;
  message: string;
  /** One line: what happened, then what to do. */
  line: string;
}

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  details?: Record<string, unknown>;
  parse?: unknown;
}

/** Turn anything thrown into the exit code and line the CLI prints. */
export function describeFailure(err: unknown, ctx: FailureContext = {}): Failure {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ErrorLike;
  const message = typeof e.message === 'string' && e.message !== '' ? summarize(e.message) : String(err);
  // oclif's usage errors (unknown flag, missing argument, a flag without its value...).
  const usage = oclifUsageMessage(err);
  if (usage !== undefined) {
    return failure(ExitCode.USAGE, 'USAGE', usage, `${usage}${helpHint(ctx)}`);
  }
  // Node's own (a listener that cannot bind, a host that does not resolve): a sentence, not a constant.
  const system = systemErrorSentence(e as Parameters<typeof systemErrorSentence>[0]);
  if (system !== undefined) return failure(ExitCode.USAGE, ErrorCode.INVALID_ARGUMENT, system, system);
  const code = typeof e.code === 'string' && (Object.values(ErrorCode) as string[]).includes(e.code) ? e.code : 'ERROR';
  const exit = exitCodeFor(code);
  const server = ctx.server ?? (e.details?.server as string | undefined);
  const target = ctx.target ?? (e.details?.name as string | undefined);
  switch (exit) {
    case ExitCode.USAGE:
      // A refused secret is not a matter of the command's flags: say where the secret came from.
      if (e.details?.minSecretBytes !== undefined && ctx.secretSource) return failure(exit, code, message, `${message}: the secret from ${ctx.secretSource}`);
      if (code === ErrorCode.FRAME_TOO_LARGE) return failure(exit, code, message, `${message}; send a smaller body (one message must fit in a packet), or send a reference to the data instead`);
      return failure(exit, code, message, `${message}${helpHint(ctx)}`);
    case ExitCode.NOT_FOUND:
      // Across a mesh node, what the server lists is not what that node can reach.
      if (ctx.peer === 'mesh node') return failure(exit, code, message, `${message}; run \`botz mesh routes ${server ?? 'NODE'}\` to see what that mesh node can reach`);
      return failure(exit, code, message, `${message}; run \`botz components\` to see what is registered${server ? ` at ${server}` : ''}`);
    case ExitCode.TIMEOUT:
      // A bounded run (--wait) that ran out: the message says it all.
      if (e.details?.wait === true) return failure(exit, code, message, message);
      if (e.details?.peer === SERVER_DESTINATION) {
        // Connecting did not finish: something accepted there and then said nothing (in time).
        if (e.details.server !== undefined) {
          return failure(exit, code, message, `${message}; check that a botz server (not another program) listens there and is not overloaded, or raise --timeout`);
        }
        // The server itself did not answer (a lookup, the list, a subscription): the target is not the question.
        return failure(exit, code, message, `${message}; the botz server${server ? ` at ${server}` : ''} is slow to answer: raise --timeout, or check that it is not overloaded`);
      }
      return failure(exit, code, message, `${message}${waitedNote(e.details?.timeoutMs, ctx.timeoutMs)}; raise --timeout or check ${target ? `that ${target} is alive` : 'the component'} with \`botz components\``);
    case ExitCode.REMOTE:
      return failure(exit, code, message, `${target ? `${target}'s handler failed` : 'the remote handler failed'}: ${message}`);
    case ExitCode.AUTH:
      if (code === ErrorCode.ENCRYPTION_REQUIRED) {
        return failure(exit, code, message, `${message}; send with --encrypt (or BOTZ_ENCRYPT=1)`);
      }
      return failure(
        exit,
        code,
        message,
        `${message}${ctx.secretSource ? ` (our secret came from ${ctx.secretSource})` : ''}; every node needs the server's secret${server ? ` (${server})` : ''}: set BOTZ_SECRET or --secret-file`,
      );
    case ExitCode.UNREACHABLE:
      // issue 16: the servers' shared store, not the server itself.
      if (code === ErrorCode.STORE_UNAVAILABLE) return failure(exit, code, message, `${message}; check that Redis runs at that address (botz serve --store), or wait until it is back`);
      if (ctx.peer === 'mesh node') {
        return failure(exit, code, message, `cannot reach the mesh node at ${server ?? 'that address'}; check that a \`botz register NAME --mesh\` runs there and listens on that address`);
      }
      return failure(
        exit,
        code,
        message,
        `cannot reach the botz server at ${server ?? 'the configured address'}; start one with \`botz serve\` or point --server / BOTZ_SERVER at it`,
      );
    default:
      if (code === ErrorCode.NAME_TAKEN) {
        const name = e.details?.name as string | undefined;
        return failure(exit, code, message, `${message}; choose another name, or stop that one first${name ? ` (\`botz shutdown ${name}\`)` : ''}`);
      }
      if (code === ErrorCode.LIMIT_REACHED && ctx.command === 'tail') {
        return failure(exit, code, message, `${message}; stop another \`botz tail\`, or start the server with a higher --max-tails`);
      }
      if (code === ErrorCode.ADDRESS_IN_USE) {
        const flag = typeof e.details?.flag === 'string' ? e.details.flag : '--port';
        return failure(exit, code, message, `${message}; another botz (or another program) listens there: stop it, or choose another ${flag}`);
      }
      return failure(exit, code, message, message);
  }
}

/**
 * How a timeout's wait relates to --timeout: a timeout that carries its duration (every
 * request's does) says it in its message, but a one-shot command's request gets only what
 * connecting left of --timeout.
 */
function waitedNote(waitedMs: unknown, timeoutMs: number | undefined): string {
  if (timeoutMs === undefined) return '';
  if (waitedMs === undefined) return ` (waited ${formatDuration(timeoutMs)})`;
  return typeof waitedMs === 'number' && waitedMs < timeoutMs ? ` (what connecting left of --timeout ${formatDuration(timeoutMs)})` : '';
}

function failure(exit: ExitCode, code: string, message: string, line: string): Failure {
  return { exit, code, message, line };
}

function helpHint(ctx: FailureContext): string {
  // oclif's ids separate topics with ':'; people type `botz mesh routes`.
  return ctx.command ? ` (see \`botz ${ctx.command.replaceAll(':', ' ')} --help\`)` : '';
}

/**
 * One line from a possibly multi-line message. oclif reports a flag whose value its parser
 * refused as "Parsing --flag" with the reason on the next lines: keep the reason.
 */
function summarize(text: string): string {
  // oclif appends its own "See more help with --help"; the hint we add says which command.
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^See more help with --help$/.test(l));
  const flag = /^Parsing (--\S+)\s*$/.exec(lines[0] ?? '');
  if (flag && lines.length > 1) return `${flag[1]}: ${lines.slice(1).join(' ')}`;
  return lines[0] ?? '';
}

/** Replace every occurrence of `secret` in `text`, for lines that quote foreign messages. */
export function redact(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  return text.split(secret).join('[secret]');
}

/** What a one-shot command prints for a failure: its --json error record, its stderr line, its exit code. */
export interface FailureReport {
  exit: ExitCode;
  /** `{ error: { code, message, exit } }`, for stdout with --json. */
  json: { error: { code: string; message: string; exit: ExitCode } };
  /** `botz: ...`, for stderr. */
  line: string;
}

/** The failure as a one-shot command reports it, with `secret` redacted from what it quotes. */
export function failureReport(err: unknown, ctx: FailureContext, secret: string | undefined): FailureReport {
  const f = describeFailure(err, ctx);
  return { exit: f.exit, json: { error: { code: f.code, message: redact(f.message, secret), exit: f.exit } }, line: `botz: ${redact(f.line, secret)}` };
}

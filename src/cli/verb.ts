/**
 * A verb of the CLI, defined once: its flags and arguments in a small neutral spec, the library
 * calls it makes, and how its result looks. The oclif command (verb-command.ts), the fast path
 * that skips oclif (fast-send.ts) and the REPL (src/repl) are three ways of reaching the same
 * verb; verb-oclif.ts and verb-node.ts turn the spec into each parser's form, and a test holds
 * the two parsers to the same reading of every argv.
 *
 * A flag added to a verb's `flags` (say a repeatable `-H key:value` on send: `header: { type:
 * 'string', char: 'H', multiple: true, ... }`, its values in `input.flags.header` as a string[])
 * reaches the command's --help and parser, the fast path and the REPL at once; `commandOnly`
 * keeps it out of the REPL.
 *
 * No oclif here, and nothing heavy: the fast path loads this file.
 */
import type { Client } from '../lib/component/client.js';
import type { MeshControlClient } from '../lib/mesh/mesh-control-client.js';
import type { ComponentInfo, Json } from '../lib/wire/frames.js';
import type { FailureContext } from './exit-codes.js';
import type { OutputStyle } from './output.js';
import type { StopReason } from './signals.js';

interface FlagCommon {
  description: string;
  /** One-letter alias: `-d`. */
  char?: string;
  /** The heading --help lists it under (CONNECTION); default: FLAGS. */
  helpGroup?: string;
  /** Read when the flag is absent; an empty variable counts as unset, as in oclif. */
  env?: string;
  /** Flags that may not be given with this one. */
  exclusive?: readonly string[];
  /** Flags this one needs. */
  dependsOn?: readonly string[];
  /**
   * Only on the command line. The REPL is joined already and has no stdin of its own, so what
   * only makes sense for a one-shot process (connecting, streaming until Ctrl-C) stays out of it.
   */
  commandOnly?: boolean;
}

/** `--json`, `--force`: true when given (or its env variable is 1, true, y or yes). */
export interface BooleanFlag extends FlagCommon {
  type: 'boolean';
  default?: boolean;
}

/** `--group G`. `multiple`: repeatable, one value per occurrence (`-g a -g b`). */
export interface StringFlag extends FlagCommon {
  type: 'string';
  helpValue?: string;
  default?: string;
  multiple?: boolean;
  options?: readonly string[];
}

/** `--count 10`: a whole number, within `min`..`max`. */
export interface IntegerFlag extends FlagCommon {
  type: 'integer';
  helpValue?: string;
  default?: number;
  min?: number;
  max?: number;
}

/** `--timeout 5s`: a duration (duration.ts), in milliseconds. */
export interface DurationFlag extends FlagCommon {
  type: 'duration';
  /** In milliseconds; --help shows it as a duration (`5s`). */
  default?: number;
}

export type FlagSpec = BooleanFlag | StringFlag | IntegerFlag | DurationFlag;
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** A positional argument. */
export interface ArgSpec {
  description: string;
  required?: boolean;
  /**
   * Required on the command line; the REPL may go without it (send offers a pick-list). A word
   * holding `=` is never taken for it there: it is a `key=value`, and no name holds a `=`.
   */
  replOptional?: boolean;
  /** Takes this word and every later one (payloads, names). Only the last argument. */
  rest?: boolean;
  options?: readonly string[];
  /** What its words name, for completion: one component or @group, components, a REPL verb. */
  names?: 'component' | 'components' | 'verb';
}
export type ArgSpecs = Readonly<Record<string, ArgSpec>>;

/** The value a flag spec parses to (absent booleans are false, absent repeatables empty). */
export type FlagValue<F extends FlagSpec> = F extends BooleanFlag
  ? boolean
  : F extends { multiple: true }
    ? string[]
    : F extends StringFlag
      ? F extends { default: string }
        ? string
        : string | undefined
      : F extends { default: number }
        ? number
        : number | undefined;

export type ArgValue<A extends ArgSpec> = A extends { rest: true }
  ? string[]
  : A extends { required: true }
    ? A extends { replOptional: true }
      ? string | undefined
      : string
    : string | undefined;

export type FlagValues<F extends FlagSpecs> = { -readonly [K in keyof F]: FlagValue<F[K]> };
export type ArgValues<A extends ArgSpecs> = { -readonly [K in keyof A]: ArgValue<A[K]> };

/** One parsed command line of a verb, whichever parser read it. */
export interface Input<F extends FlagSpecs = FlagSpecs, A extends ArgSpecs = ArgSpecs> {
  args: ArgValues<A>;
  flags: FlagValues<F>;
  /** --json: print the result as JSON (streams: NDJSON). */
  json: boolean;
}

/** A parsed command line of a verb not known until run time (the table, the REPL). */
export interface AnyInput {
  args: Record<string, any>;
  flags: Record<string, any>;
  json: boolean;
}

/** The library calls verbs make: a one-shot Client's, or the REPL's own component's. */
export type VerbClient = Pick<Client, 'send' | 'request' | 'stream' | 'broadcast' | 'components' | 'shutdown' | 'tail' | 'watch' | 'once'> &
  // Optional: stand-ins that only list (tests, older callers) still serve `components`.
  Partial<Pick<Client, 'listing'>>;

/**
 * What a verb runs with. The one-shot context (one-shot.ts) connects for the verb and closes
 * after; the REPL's (repl-context.ts) lends its joined component and its Ctrl-C.
 */
export interface VerbContext {
  readonly style: OutputStyle;
  readonly json: boolean;
  /** Fires on Ctrl-C in the REPL: pass it to every library call. */
  readonly signal?: AbortSignal;
  /** The server the client talks to, for lines that name it. */
  readonly server: string;
  /** Facts for the error line; a run adds what it learns (the mesh node's address). */
  readonly failure: FailureContext;
  /**
   * Runs `fn` with a client. `timeoutMs` bounds connecting and `fn` together: pass `timeLeft()`
   * to the call.
   */
  withClient<T>(timeoutMs: number, fn: (client: VerbClient, timeLeft: () => number) => Promise<T>): Promise<T>;
  /** Runs `fn` with a control link to mesh NODE (a name the server knows, or host:port). */
  withControl<T>(node: string, timeoutMs: number, fn: (ctl: MeshControlClient) => Promise<T>): Promise<T>;
  /** The JSON body a `--data` value names. */
  readData(spec: string): Promise<Json>;
  /** A line on stdout, --json or not: a stream's records. */
  out(text: string): void;
  /** A line on stderr, --json or not: notices scripts wait for, the path a message took. */
  note(text: string): void;
  /** Until Ctrl-C or SIGTERM, stdout taking no more, or `until` settling. */
  untilStopped(until?: Promise<unknown>): Promise<StopReason>;
  /** A component chosen by the user, for a send without NAME; a usage error where none can be. */
  pickComponent(): Promise<string>;
  /** A full listing arrived: the REPL keeps its completion names current with it. */
  sawComponents?(list: ComponentInfo[]): void;
}

/** A verb: what the command, the fast path and the REPL each run. */
export interface Verb<F extends FlagSpecs = FlagSpecs, A extends ArgSpecs = ArgSpecs, R = unknown> {
  /** Its words: `send`, `mesh routes` (its oclif id and command file: `mesh:routes`, commands/mesh/routes.ts). */
  name: string;
  summary: string;
  description?: string;
  examples: string[];
  /** The usage line for --help, where oclif's own would not show repeated payload words. */
  usage?: string;
  flags: F;
  args: A;
  /** What an error line names: the component addressed, the --timeout it waited. */
  failure?(input: Input<F, A>): Pick<FailureContext, 'target' | 'timeoutMs'>;
  /**
   * Makes the library calls. The result is what --json prints; undefined for a stream, which
   * prints as it goes.
   */
  run(ctx: VerbContext, input: Input<F, A>): Promise<R>;
  /** The result for people; absent for a stream. */
  render?(result: Exclude<R, undefined>, style: OutputStyle, input: Input<F, A>): string | Promise<string>;
  /** A result printed, yet not a success (a broadcast someone missed): its exit code. */
  exitCode?(result: Exclude<R, undefined>): number;
  /** How the REPL shows it in `help`, where that differs from the command. */
  repl?: { usage?: string; note?: string };
}

/** Any verb, for code that handles them all (the table, the converters). */
export type AnyVerb = Verb<any, any, any>;

/** Types a verb from its spec, so `run` sees each flag's value type. */
export function defineVerb<const F extends FlagSpecs, const A extends ArgSpecs, R>(verb: Verb<F, A, R>): Verb<F, A, R> {
  return verb;
}

/** The oclif id of a verb: its words joined by `:`. */
export function verbId(verb: Pick<AnyVerb, 'name'>): string {
  return verb.name.replaceAll(' ', ':');
}

/** What running a verb gave: text for stdout (none for a stream) and the exit code. */
export interface VerbOutcome {
  text?: string;
  exit: number;
}

/** Runs a verb and says what to print, the same way for the command, the fast path and the REPL. */
export async function runVerb(verb: AnyVerb, ctx: VerbContext, input: AnyInput): Promise<VerbOutcome> {
  const result: unknown = await verb.run(ctx, input);
  if (result === undefined) return { exit: 0 };
  const text = input.json ? JSON.stringify(result, null, 2) : ((await verb.render?.(result, ctx.style, input)) ?? '');
  return { text, exit: verb.exitCode?.(result) ?? 0 };
}

/** How --help shows a flag's value: `<duration>`, `@file|-|json`, `<name>`. */
export function helpValueOf(name: string, spec: FlagSpec): string | undefined {
  if (spec.type === 'boolean') return undefined;
  if (spec.type === 'duration') return '<duration>';
  return spec.helpValue ?? `<${name}>`;
}

/** The argument that takes every remaining word, if the verb has one. */
export function restArg(args: ArgSpecs): string | undefined {
  return Object.entries(args).find(([, a]) => a.rest)?.[0];
}

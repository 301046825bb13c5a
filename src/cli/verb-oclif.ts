/**
 * The neutral flag and argument specs (verb.ts) as oclif's `Flags.*` and `Args.*`, for the
 * commands' --help and parsing and for the REPL, which parses its lines with oclif's parser so a
 * verb means there what it means on the command line.
 */
import { Args, Flags, Parser, type Interfaces } from '@oclif/core';
import { formatDuration, parseDuration } from './duration.js';
import { restArg, type ArgSpec, type ArgSpecs, type FlagSpec, type FlagSpecs, type AnyInput } from './verb.js';

/** A duration flag: `500ms`, `5s`, `2m`; a bare number is milliseconds. */
export const durationFlag = Flags.custom<number>({
  parse: async (input) => parseDuration(input),
  helpValue: '<duration>',
});

/** The keys of `o` whose values are set, so oclif sees exactly what the spec says. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** One flag spec as an oclif flag. */
export function oclifFlag(spec: FlagSpec): Interfaces.Flag<unknown> {
  const common = defined({
    char: spec.char as Interfaces.AlphabetLowercase | undefined,
    description: spec.description,
    env: spec.env,
    helpGroup: spec.helpGroup,
    exclusive: spec.exclusive && [...spec.exclusive],
    dependsOn: spec.dependsOn && [...spec.dependsOn],
  });
  switch (spec.type) {
    case 'boolean':
      return Flags.boolean({ ...common, ...defined({ default: spec.default }) }) as Interfaces.Flag<unknown>;
    case 'string':
      return (
        spec.multiple
          ? // Not greedy: `-H a:b k=v` leaves k=v to the arguments, as node's parseArgs does.
            Flags.string({ ...common, ...defined({ helpValue: spec.helpValue, options: spec.options && [...spec.options] }), multiple: true, multipleNonGreedy: true })
          : Flags.string({ ...common, ...defined({ helpValue: spec.helpValue, default: spec.default, options: spec.options && [...spec.options] }) })
      ) as Interfaces.Flag<unknown>;
    case 'integer':
      return Flags.integer({ ...common, ...defined({ helpValue: spec.helpValue, default: spec.default, min: spec.min, max: spec.max }) }) as Interfaces.Flag<unknown>;
    case 'duration': {
      const fallback = spec.default;
      return durationFlag({
        ...common,
        ...(fallback === undefined ? {} : { default: fallback, defaultHelp: async () => formatDuration(fallback) }),
      }) as Interfaces.Flag<unknown>;
    }
  }
}

/** Flag specs as oclif flags. */
export function oclifFlags(specs: FlagSpecs): Interfaces.FlagInput {
  return Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, oclifFlag(spec)])) as Interfaces.FlagInput;
}

/** One argument spec as an oclif argument. */
export function oclifArg(spec: ArgSpec, required = spec.required === true): Interfaces.Arg<string | undefined> {
  // ignoreStdin: oclif otherwise reads a missing argument from a piped stdin, which is the body
  // of `send --data -` and, in the REPL's script mode, the script itself.
  return Args.string({ ignoreStdin: true, description: spec.description, ...defined({ required: required || undefined, options: spec.options && [...spec.options] }) });
}

/** Argument specs as oclif arguments. A rest argument is one more word: oclif runs non-strict. */
export function oclifArgs(specs: ArgSpecs): Interfaces.ArgInput {
  return Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, oclifArg(spec)])) as Interfaces.ArgInput;
}

/** What oclif's parser gave, as the neutral input. */
export function inputFromOclif(
  flagSpecs: FlagSpecs,
  argSpecs: ArgSpecs,
  parsed: { flags: Record<string, unknown>; args: Record<string, unknown>; argv?: unknown[] },
  json: boolean,
): AnyInput {
  const flags: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(flagSpecs)) {
    const value = parsed.flags[name];
    flags[name] = spec.type === 'boolean' ? value === true : spec.type === 'string' && spec.multiple ? (value ?? []) : value;
  }
  const args: Record<string, unknown> = {};
  const rest = restArg(argSpecs);
  Object.keys(argSpecs).forEach((name, i) => {
    // Non-strict oclif keeps every positional word, in order, in argv: the rest argument's are those after its place.
    args[name] = name === rest ? ((parsed.argv ?? []) as string[]).slice(i) : parsed.args[name];
  });
  return { args, flags, json } as AnyInput;
}

export interface ParseOptions {
  /** Add the --json flag that oclif's commands get from `enableJsonFlag`. */
  json?: boolean;
  /** Read the line as the REPL does: an argument it may go without (`replOptional`) is not required. */
  repl?: boolean;
}

/** Parses `argv` with oclif's parser: its usage errors, its reading of every flag. */
export async function parseWithOclif(flagSpecs: FlagSpecs, argSpecs: ArgSpecs, argv: string[], options: ParseOptions = {}): Promise<AnyInput> {
  const flags = oclifFlags(flagSpecs);
  if (options.json) flags.json = Flags.boolean({ description: 'print the result as JSON' });
  const required = (spec: ArgSpec) => spec.required === true && !(options.repl && spec.replOptional);
  const args = Object.fromEntries(Object.entries(argSpecs).map(([name, spec]) => [name, oclifArg(spec, required(spec))]));
  const parsed = await Parser.parse(argv, { flags, args, strict: restArg(argSpecs) === undefined });
  return inputFromOclif(flagSpecs, argSpecs, parsed, parsed.flags.json === true);
}

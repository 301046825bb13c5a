/**
 * The neutral flag and argument specs (verb.ts) read with node's `parseArgs`, for the fast path
 * that runs a verb without loading oclif. It reads an argv exactly as oclif does (a test holds
 * the two to it, verb by verb), and where it cannot be sure — --help, an unknown flag, a missing
 * argument, a value flag repeated or empty, a value oclif would refuse — it gives up, returning
 * undefined, so that oclif runs the command and says what is wrong in its own words.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDuration } from './duration.js';
import { restArg, type ArgSpecs, type FlagSpec, type FlagSpecs, type AnyInput } from './verb.js';

/**
 * What oclif's boolean flags take as true from the environment: exactly its `isTruthy`
 * (@oclif/core lib/util/util.js), and an empty variable counts as unset.
 */
export function envIsTrue(value: string | undefined): boolean {
  return value !== undefined && value !== '' && ['1', 'true', 'y', 'yes'].includes(value.toLowerCase());
}

/** Thrown inside this module for anything oclif should judge. */
const DEFER = Symbol('defer to oclif');

/** One flag's value from its words (`given`, one per occurrence), its env variable, or its default. */
function flagValue(spec: FlagSpec, given: string[], env: NodeJS.ProcessEnv): unknown {
  if (spec.type === 'boolean') {
    if (given.length > 0) return true;
    const fromEnv = spec.env === undefined ? undefined : env[spec.env];
    return fromEnv ? envIsTrue(fromEnv) : (spec.default ?? false);
  }
  if (spec.type === 'string' && spec.multiple) return given.map((v) => checkOption(spec.options, v));
  // Like oclif, a set variable stands in for an absent flag, and an empty one does not.
  const raw = given.length > 0 ? given[0] : spec.env !== undefined && env[spec.env] ? env[spec.env] : undefined;
  if (raw === undefined) return spec.default;
  switch (spec.type) {
    case 'string':
      return checkOption(spec.options, raw);
    case 'integer': {
      // oclif's Flags.integer: digits only, then the bounds.
      if (!/^-?\d+$/.test(raw)) throw DEFER;
      const n = Number.parseInt(raw, 10);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) throw DEFER;
      return n;
    }
    case 'duration':
      try {
        return parseDuration(raw);
      } catch {
        throw DEFER;
      }
  }
}

function checkOption(options: readonly string[] | undefined, value: string): string {
  if (options && !options.includes(value)) throw DEFER;
  return value;
}

/**
 * Reads `argv` (the words after the verb) against the specs, with `--json` when `json`; the
 * input oclif would give, or undefined to let oclif run it.
 */
export function parseWithNode(flagSpecs: FlagSpecs, argSpecs: ArgSpecs, argv: string[], options: { json?: boolean; env?: NodeJS.ProcessEnv } = {}): AnyInput | undefined {
  const env = options.env ?? process.env;
  const specs: Record<string, FlagSpec> = { ...flagSpecs, ...(options.json ? { json: { type: 'boolean', description: '' } } : {}) };
  const config: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, spec] of Object.entries(specs)) {
    config[name] = { type: spec.type === 'boolean' ? 'boolean' : 'string', multiple: true, ...(spec.char ? { short: spec.char } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: config, allowPositionals: true, strict: true, tokens: true });
  } catch {
    return undefined; // unknown flag, --help, a value missing or looking like a flag, --json=true
  }
  const given: Record<string, string[]> = {};
  for (const t of parsed.tokens) {
    // After `--`, oclif's reading of the words differs in ways not worth copying.
    if (t.kind === 'option-terminator') return undefined;
    if (t.kind !== 'option') continue;
    const spec = specs[t.name];
    let value = t.value ?? '';
    // oclif reads `-d=x` as x, where parseArgs keeps the `=`.
    if (t.inlineValue && t.rawName.length === 2 && value.startsWith('=')) value = value.slice(1);
    const words = (given[t.name] ??= []);
    if (spec.type !== 'boolean' && ((!isMultiple(spec) && words.length > 0) || value === '')) return undefined;
    // oclif checks flags that need or exclude others in ways (defaults, env) not worth copying.
    if (spec.dependsOn || spec.exclusive) return undefined;
    words.push(value);
  }
  try {
    const flags: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(flagSpecs)) flags[name] = flagValue(spec, given[name] ?? [], env);
    const args = readArgs(argSpecs, parsed.positionals);
    return args && ({ args, flags, json: given.json !== undefined } as AnyInput);
  } catch (e) {
    if (e === DEFER) return undefined;
    throw e;
  }
}

function isMultiple(spec: FlagSpec): boolean {
  return spec.type === 'string' && spec.multiple === true;
}

/** The positional words as arguments; undefined when one is missing or left over. */
function readArgs(specs: ArgSpecs, words: string[]): Record<string, unknown> | undefined {
  const rest = restArg(specs);
  const names = Object.keys(specs);
  if (rest === undefined && words.length > names.length) return undefined;
  const args: Record<string, unknown> = {};
  for (const [i, name] of names.entries()) {
    const spec = specs[name];
    if (name === rest) {
      if (spec.required && words.length <= i) return undefined;
      args[name] = words.slice(i);
      continue;
    }
    const word = words[i];
    if (word === undefined && spec.required) return undefined;
    if (word !== undefined) checkOption(spec.options, word);
    args[name] = word;
  }
  return args;
}

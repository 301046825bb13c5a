/**
 * One REPL line → one typed invocation. The line is split like a shell (tokenize.ts), then parsed
 * by oclif's own parser with the commands' flag definitions (verbs.ts), so
 * `send echo a=1 b:=2 --timeout 2s` means exactly what `botz send echo a=1 b:=2 --timeout 2s` means.
 * Bodies are built later with buildBody (payload.ts), once any --data file is read.
 */
import { Parser } from '@oclif/core';
import { BotzError, ErrorCode } from '../lib/errors.js';
import { tokenize } from './tokenize.js';
import { findVerb, type VerbSpec } from './verbs.js';

/** Assignments and --data, before the body is built. */
export interface PayloadArgs {
  /** `key=value` / `key:=json` words, in order. */
  assignments: string[];
  /** The raw --data value (`@file` or inline JSON). */
  data?: string;
}

export type Invocation =
  | { verb: 'empty' }
  | ({ verb: 'send'; target?: string; timeoutMs: number; json: boolean } & PayloadArgs)
  | ({ verb: 'broadcast'; group?: string; timeoutMs: number; json: boolean } & PayloadArgs)
  | { verb: 'components'; group?: string; timeoutMs: number; json: boolean }
  | { verb: 'shutdown'; name: string; force: boolean; timeoutMs: number; json: boolean }
  | { verb: 'tail'; mode?: 'on' | 'off'; names: string[]; bodies: boolean }
  | { verb: 'mesh'; words: string[] }
  | { verb: 'help'; topic?: string }
  | { verb: 'exit' };

function usage(message: string, details: Record<string, unknown> = {}): BotzError {
  return new BotzError(ErrorCode.INVALID_ARGUMENT, message, { details });
}

/** Parse one line. Throws INVALID_ARGUMENT (bad quoting, unknown verb) or oclif's parse errors. */
export async function parseLine(line: string): Promise<Invocation> {
  const words = tokenize(line);
  if (words.length === 0 || words[0].startsWith('#')) return { verb: 'empty' };
  const [word, ...rest] = words;
  const spec = findVerb(word);
  if (!spec) throw usage(`unknown verb "${word}"; type \`help\` for the list`, { verb: word });
  return parseVerb(spec, rest);
}

/** The verb's words (after the verb itself) → its invocation. */
export async function parseVerb(spec: VerbSpec, argv: string[]): Promise<Invocation> {
  if (spec.name === 'mesh') return { verb: 'mesh', words: argv };
  const parsed = await Parser.parse(argv, { flags: spec.flags, args: spec.args, strict: spec.strict });
  const flags = parsed.flags as Record<string, unknown>;
  const positional = parsed.argv as string[];
  const timeoutMs = flags.timeout as number;
  const json = flags.json === true;
  const data = flags.data as string | undefined;
  if (data === '-') throw usage('--data - (stdin) is not available in the REPL; use --data @FILE or inline JSON', { flag: 'data' });
  switch (spec.name) {
    case 'send': {
      // No name has an "=", so `send a=1` names no target: the REPL then offers its pick-list.
      const named = positional.length > 0 && !positional[0].includes('=');
      return { verb: 'send', target: named ? positional[0] : undefined, assignments: positional.slice(named ? 1 : 0), data, timeoutMs, json };
    }
    case 'broadcast':
      return { verb: 'broadcast', assignments: positional, data, group: flags.group as string | undefined, timeoutMs, json };
    case 'components':
      return { verb: 'components', group: flags.group as string | undefined, timeoutMs, json };
    case 'shutdown':
      return { verb: 'shutdown', name: positional[0], force: flags.force === true, timeoutMs, json };
    case 'tail': {
      const mode = positional[0] as 'on' | 'off' | undefined;
      return { verb: 'tail', mode, names: positional.slice(1), bodies: flags.bodies === true };
    }
    case 'help':
      return { verb: 'help', topic: positional[0] };
    default:
      return { verb: 'exit' };
  }
}

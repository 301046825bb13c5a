/**
 * One REPL line → one verb and its input. The line is split like a shell (tokenize.ts), then
 * parsed by oclif's own parser from the verb's spec (verb-oclif.ts), as the commands are, so
 * `send echo a=1 b:=2 --timeout 2s` means exactly what `botz send echo a=1 b:=2 --timeout 2s`
 * means. Bodies are built when the verb runs, once any --data file is read.
 */
import { BotzError, ErrorCode } from '../lib/errors.js';
import { didYouMean } from '../cli/did-you-mean.js';
import { parseWithOclif } from '../cli/verb-oclif.js';
import { restArg, type AnyInput } from '../cli/verb.js';
import { tokenize } from './tokenize.js';
import { findVerb, isTopic, verbPhrases, type ReplVerb } from './verbs.js';

/** A line to run: its verb and what the line gave it. */
export interface Invocation {
  spec: ReplVerb;
  input: AnyInput;
}

function usage(message: string, details: Record<string, unknown> = {}): BotzError {
  return new BotzError(ErrorCode.INVALID_ARGUMENT, message, { details });
}

/**
 * Parse one line; undefined for a blank line or a comment. Throws INVALID_ARGUMENT (bad quoting,
 * unknown verb) or oclif's parse errors.
 */
export async function parseLine(line: string): Promise<Invocation | undefined> {
  const words = tokenize(line);
  if (words.length === 0 || words[0].startsWith('#')) return undefined;
  const found = findVerb(words);
  if (!found) {
    if (isTopic(words[0])) throw usage(`unknown ${words[0]} verb "${words[1] ?? ''}"${nearest(words.slice(0, 2).join(' '))}`, { verb: words.slice(0, 2).join(' ') });
    throw usage(`unknown verb "${words[0]}"${nearest(words[0])}; type \`help\` for the list`, { verb: words[0] });
  }
  return parseVerb(found.spec, words.slice(found.length));
}

/** `; did you mean \`send\`?` when a REPL verb is near `typed`. */
export function nearest(typed: string): string {
  const near = didYouMean(typed, verbPhrases());
  return near ? `; did you mean \`${near}\`?` : '';
}

/** The verb's words (after the verb itself) → its invocation. */
export async function parseVerb(spec: ReplVerb, argv: string[]): Promise<Invocation> {
  const input = await parseWithOclif(spec.flags, spec.args, argv, { repl: true });
  leaveOutName(spec, input);
  if (input.flags.data === '-') throw usage('--data - (stdin) is not available in the REPL; use --data @FILE or inline JSON', { flag: 'data' });
  return { spec, input };
}

/**
 * An argument the REPL lets go unsaid (send's NAME) never takes a word holding `=`: no name has
 * one, so `send a=1` names no target (the REPL then offers its pick-list) and a=1 is payload.
 */
function leaveOutName(spec: ReplVerb, input: AnyInput): void {
  const rest = restArg(spec.args);
  if (rest === undefined) return;
  for (const [name, arg] of Object.entries(spec.args)) {
    const word = input.args[name];
    if (!arg.replOptional || typeof word !== 'string' || !word.includes('=')) continue;
    input.args[name] = undefined;
    input.args[rest] = [word, ...(input.args[rest] as string[])];
  }
}

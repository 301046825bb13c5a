/**
 * `botz send` without oclif. A one-shot send is what people time and put in scripts, and
 * loading oclif costs more than the whole network round trip, so bin/run.js hands `send` here
 * first. It runs the very verb the oclif command runs (verbs/send.ts), in the same one-shot
 * context, reading the command line with node's parseArgs from the same spec; on anything that
 * reader gives up on (verb-node.ts: --help, unknown flags, a missing NAME, a value flag given
 * twice...) it returns undefined, and oclif runs the command instead.
 */
import type { FailureContext } from './exit-codes.js';
import { normalizeBooleanFlags } from './flag-forms.js';
import { OneShot, splitConnection } from './one-shot.js';
import { styleFor } from './output.js';
import { configDir } from './secret.js';
import { runVerb, verbId, type AnyVerb, type FlagSpecs } from './verb.js';
import { parseWithNode } from './verb-node.js';
import { CONNECTION_FLAGS } from './verbs/flags.js';
import { sendVerb } from './verbs/send.js';

/**
 * Runs `verb` with `argv` (what follows its words); resolves to the exit code, or undefined to
 * defer to oclif. The output may still be on its way to stdout's reader: see stdout-closed.ts
 * for waiting on it.
 */
export async function fastRun(verb: AnyVerb, argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number | undefined> {
  const specs: FlagSpecs = { ...CONNECTION_FLAGS, ...(verb.flags as FlagSpecs) };
  const booleans = new Set(['json', ...Object.entries(specs).filter(([, f]) => f.type === 'boolean').map(([name]) => name)]);
  const parsed = parseWithNode(specs, verb.args, normalizeBooleanFlags(argv, booleans), { json: true, env });
  if (parsed === undefined) return undefined;
  // As oclif's jsonEnabled(): --json, or BOTZ_CONTENT_TYPE=json.
  const json = parsed.json || env.BOTZ_CONTENT_TYPE?.toLowerCase() === 'json';
  const failure: FailureContext = { command: verbId(verb) };
  let ctx: OneShot | undefined;
  try {
    const { connection, own } = splitConnection(parsed.flags);
    const input = { ...parsed, flags: own, json };
    Object.assign(failure, verb.failure?.(input));
    ctx = new OneShot({ connection, configDir: configDir(env), style: styleFor(process.stdout, json), json, failure });
    const { text, exit } = await runVerb(verb, ctx, input);
    if (text !== undefined) process.stdout.write(text + '\n');
    return exit;
  } catch (error) {
    // Only a failure needs the exit codes and their lines.
    const { failureReport } = await import('./exit-codes.js');
    const report = failureReport(error, failure, ctx?.secret);
    if (json) process.stdout.write(JSON.stringify(report.json, null, 2) + '\n');
    process.stderr.write(report.line + '\n');
    return report.exit;
  }
}

/** `botz send ARGS`, as bin/run.js calls it. */
export function fastSend(argv: string[]): Promise<number | undefined> {
  return fastRun(sendVerb, argv);
}

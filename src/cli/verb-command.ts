/**
 * A verb of the table as an oclif command: its spec turned into oclif's flags and arguments (so
 * --help and the manifest see them), run in a one-shot context, printed the way the verb says.
 * A command file is one line: `export default commandFor(sendVerb)`.
 */
import { BotzCommand, connectionFlags } from './base-command.js';
import { describeSecretSource } from './secret.js';
import { OneShot, splitConnection } from './one-shot.js';
import { restArg, runVerb, type AnyVerb } from './verb.js';
import { inputFromOclif, oclifArgs, oclifFlags } from './verb-oclif.js';

export abstract class VerbCommand extends BotzCommand {
  /** The verb this command runs. (Not a static: oclif would copy it into the manifest.) */
  protected abstract readonly verb: AnyVerb;

  async run(): Promise<void> {
    const verb = this.verb;
    const parsed = await this.parse(this.constructor as typeof VerbCommand);
    const { connection, own } = splitConnection(parsed.flags);
    const input = inputFromOclif(verb.flags, verb.args, { ...parsed, flags: own }, this.jsonEnabled());
    Object.assign(this.failureContext, verb.failure?.(input));
    const ctx = new OneShot({
      connection,
      configDir: this.configDirectory,
      style: this.style,
      json: input.json,
      failure: this.failureContext,
      onSecret: (source) => this.rememberSecret(source.secret, describeSecretSource(source)),
    });
    const { text, exit } = await runVerb(verb, ctx, input);
    if (text !== undefined) process.stdout.write(text + '\n');
    // The result is printed either way; the exit code says how it went.
    if (exit !== 0) process.exitCode = exit;
  }
}

/** The oclif command of a verb. */
export function commandFor(verb: AnyVerb): typeof VerbCommand {
  const command = class extends VerbCommand {
    protected readonly verb = verb;
    // Every verb prints its result (or stream) as JSON on --json.
    static override enableJsonFlag = true;
    static override summary = verb.summary;
    static override description = verb.description;
    static override examples = verb.examples;
    static override usage = verb.usage;
    // oclif takes a rest argument's words as leftovers of a non-strict command.
    static override strict = restArg(verb.args) === undefined;
    static override args = oclifArgs(verb.args);
    static override flags = { ...connectionFlags, ...oclifFlags(verb.flags) };
  };
  // A name for stack traces and oclif's debug output: `MeshRoutes`.
  Object.defineProperty(command, 'name', { value: verb.name.replace(/(^|\s)(\w)/g, (_m: string, _s: string, c: string) => c.toUpperCase()) });
  return command;
}

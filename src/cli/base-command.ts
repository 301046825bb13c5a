/**
 * What every botz command shares: connection flags, secret resolution, output style, and one
 * `catch` that maps any failure to its exit code and a single line on stderr (exit-codes.ts).
 */
import { Command, Errors, type Interfaces } from '@oclif/core';
import { failureReport, type FailureContext } from './exit-codes.js';
import { normalizeBooleanFlags } from './flag-forms.js';
import { styleFor, type OutputStyle } from './output.js';
import { configDir, describeSecretSource, requireSecret } from './secret.js';
import { stdoutWatch } from './stdout-closed.js';
import { oclifFlag } from './verb-oclif.js';
import { CONNECTION_FLAGS } from './verbs/flags.js';

/** --server, --secret-file and --encrypt (verbs/flags.ts), for every command that talks to a server. */
export const connectionFlags = {
  server: oclifFlag(CONNECTION_FLAGS.server) as Interfaces.OptionFlag<string>,
  'secret-file': oclifFlag(CONNECTION_FLAGS['secret-file']) as Interfaces.OptionFlag<string | undefined>,
  encrypt: oclifFlag(CONNECTION_FLAGS.encrypt) as Interfaces.BooleanFlag<boolean>,
};

export abstract class BotzCommand extends Command {
  static override enableJsonFlag = true;

  /** Facts for the error line: the server tried, the secret's source, the target. */
  protected failureContext: FailureContext = {};
  /** Kept only to redact it from any line we print. */
  private secretForRedaction?: string;

  /** Tables on a terminal, colour unless NO_COLOR or --json. */
  protected get style(): OutputStyle {
    return styleFor(process.stdout, this.jsonEnabled());
  }

  /** The per-user config directory (env BOTZ_CONFIG_DIR overrides it). */
  protected get configDirectory(): string {
    return configDir(process.env, this.config.configDir);
  }

  /** The secret a client uses; remembers its source (not the secret) for error lines. */
  protected async secretFor(flags: { 'secret-file'?: string }): Promise<string> {
    const source = await requireSecret({ secretFile: flags['secret-file'], configDir: this.configDirectory });
    this.rememberSecret(source.secret, describeSecretSource(source));
    return source.secret;
  }

  protected rememberSecret(secret: string, source: string): void {
    this.secretForRedaction = secret;
    this.failureContext.secretSource = source;
  }

  /** oclif's parse, reading `--flag=true` / `--flag=false` of a boolean flag as other CLIs do (flag-forms.ts). */
  protected override async parse<F extends Record<string, any>, B extends Record<string, any>, A extends Record<string, any>>(
    options?: Interfaces.Input<F, B, A>,
    argv: string[] = this.argv,
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const flags = { ...(options?.flags ?? {}), ...(this.ctor.enableJsonFlag ? { json: { type: 'boolean' } } : {}) } as Record<string, { type?: string }>;
    const booleans = new Set(Object.entries(flags).filter(([, f]) => f.type === 'boolean').map(([name]) => name));
    return super.parse(options, normalizeBooleanFlags(argv, booleans));
  }

  /** A human line on stdout; nothing in --json mode. */
  protected line(text: string): void {
    if (!this.jsonEnabled()) process.stdout.write(text + '\n');
  }

  /** One NDJSON record on stdout (streams in --json mode). */
  protected ndjson(value: unknown): void {
    process.stdout.write(JSON.stringify(value) + '\n');
  }

  /** --json results: plain, never coloured, stable key order from the object. */
  override logJson(json: unknown): void {
    process.stdout.write(JSON.stringify(json, null, 2) + '\n');
  }

  /**
   * Runs after `run()` and `catch()`, before oclif ends the process: an error's exit is a
   * `process.exit()`, which would cut short output still on its way to a slow reader.
   */
  override async finally(error: Error | undefined): Promise<void> {
    await super.finally(error);
    await stdoutWatch.flush();
  }

  override async catch(err: Error & { exitCode?: number }): Promise<never> {
    // `this.exit(n)` throws ExitError: already decided, nothing to print.
    if (err instanceof Errors.ExitError) throw err;
    const report = failureReport(err, { ...this.failureContext, command: this.id }, this.secretForRedaction);
    if (this.jsonEnabled()) this.logJson(report.json);
    process.stderr.write(report.line + '\n');
    this.exit(report.exit);
    throw err; // unreachable: exit() throws
  }
}

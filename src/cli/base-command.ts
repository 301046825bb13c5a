/**
 * What every botz command shares: connection flags, secret resolution, output style, and one
 * `catch` that maps any failure to its exit code and a single line on stderr (exit-codes.ts).
 */
import { Command, Errors, Flags } from '@oclif/core';
import type { Client } from '../lib/component/client.js';
import { parseDuration } from './duration.js';
import { describeFailure, redact, type FailureContext } from './exit-codes.js';
import { styleFor, type OutputStyle } from './output.js';
import { configDir, describeSecretSource, requireSecret } from './secret.js';
import { stdoutWatch } from './stdout-closed.js';

/** Where clients look for the server when neither --server nor BOTZ_SERVER says. */
export const DEFAULT_SERVER = '127.0.0.1:7300';
/** How long a one-shot command waits for an answer unless --timeout says otherwise. */
export const DEFAULT_TIMEOUT_MS = 5_000;

/** A duration flag: `500ms`, `5s`, `2m`; a bare number is milliseconds. */
export const durationFlag = Flags.custom<number>({
  parse: async (input) => parseDuration(input),
  helpValue: '<duration>',
});

/** --server and --secret-file, for every command that talks to a server. */
export const connectionFlags = {
  server: Flags.string({
    env: 'BOTZ_SERVER',
    default: DEFAULT_SERVER,
    helpValue: '<host:port>',
    description: 'address of the botz server',
    helpGroup: 'CONNECTION',
  }),
  'secret-file': Flags.string({
    helpValue: '<path>',
    description: 'file holding the shared secret (default: env BOTZ_SECRET, else the secret `botz serve` created)',
    helpGroup: 'CONNECTION',
  }),
  encrypt: Flags.boolean({
    env: 'BOTZ_ENCRYPT',
    default: false,
    description: 'encrypt payloads on our links (AES-256 under a key derived from the secret); links are always authenticated',
    helpGroup: 'CONNECTION',
  }),
};

/** --timeout, for commands that wait for an answer. */
export const timeoutFlag = durationFlag({
  default: DEFAULT_TIMEOUT_MS,
  description: 'how long to wait for an answer, e.g. 500ms, 5s, 2m',
  defaultHelp: async () => '5s',
});

export interface ConnectionFlags {
  server: string;
  'secret-file'?: string;
  encrypt?: boolean;
}

export abstract class BotzCommand extends Command {
  static override enableJsonFlag = true;

  /** Facts for the error line: the server tried, the secret's source, the target. */
  protected failureContext: FailureContext = {};
  /** Kept only to redact it from any line we print. */
  private secretForRedaction?: string;
  /** When the --timeout that `connect()` started runs out: connecting and the call share it. */
  private deadline = Infinity;

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

  /**
   * An authenticated, unregistered link to the server, as one-shot commands use. `timeoutMs`
   * bounds connecting and what follows together: pass `timeLeft()` to the call.
   */
  protected async connect(flags: ConnectionFlags, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Client> {
    this.failureContext.server = flags.server;
    const secret = await this.secretFor(flags);
    // The library (ws, codecs) loads only once a command really needs the network.
    // Only the client: a one-shot command need not load the server, mesh or reliable layers.
    const { Client } = await import('../lib/component/client.js');
    // The clock starts with the network, as in fast-send.ts: loading code is not waiting for an answer.
    this.deadline = Date.now() + timeoutMs;
    // One-shot: no membership feed, and a name it never resolved goes through the relay at once.
    return Client.connect({ server: flags.server, secret, timeoutMs, encrypt: flags.encrypt, oneShot: true });
  }

  /** What is left of the timeout `connect()` started, in ms (at least 1). */
  protected timeLeft(): number {
    return Math.max(1, this.deadline - Date.now());
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
    const f = describeFailure(err, { ...this.failureContext, command: this.id });
    const secret = this.secretForRedaction;
    if (this.jsonEnabled()) {
      this.logJson({ error: { code: f.code, message: redact(f.message, secret), exit: f.exit } });
    }
    process.stderr.write(`botz: ${redact(f.line, secret)}\n`);
    this.exit(f.exit);
    throw err; // unreachable: exit() throws
  }
}

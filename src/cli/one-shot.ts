/**
 * How a verb runs in a one-shot process, the oclif command's and the fast path's alike: it
 * connects for the verb (connecting and the call share --timeout), writes to stdout and stderr,
 * and stops on Ctrl-C. No oclif here: the fast path loads it. What only some verbs need (--data,
 * mesh nodes) is imported when they need it: every module costs `botz send` start-up.
 */
import { BotzError, ErrorCode } from '../lib/errors.js';
import type { MeshControlClient } from '../lib/mesh/mesh-control-client.js';
import type { ComponentInfo, Json } from '../lib/wire/frames.js';
import type { FailureContext } from './exit-codes.js';
import type { OutputStyle } from './output.js';
import { checkServerAddress } from './server-address.js';
import { describeSecretSource, requireSecret, type SecretSource } from './secret.js';
// Not lazy: a stream must listen for Ctrl-C before it says it is streaming.
import { waitForStop, type StopReason } from './signals.js';
import type { VerbClient, VerbContext } from './verb.js';
import { CONNECTION_FLAGS, type Connection } from './verbs/flags.js';

export interface OneShotOptions {
  connection: Connection;
  /** Where `botz serve` keeps the secret it created. */
  configDir: string;
  style: OutputStyle;
  json: boolean;
  /** The error context to fill in; the caller reports failures with it. */
  failure: FailureContext;
  /** Told the secret once it is known (to redact it) and where it came from (to name it). */
  onSecret?: (source: SecretSource) => void;
}

export class OneShot implements VerbContext {
  readonly style: OutputStyle;
  readonly json: boolean;
  readonly failure: FailureContext;
  private source: SecretSource | undefined;

  constructor(private readonly o: OneShotOptions) {
    this.style = o.style;
    this.json = o.json;
    this.failure = o.failure;
  }

  get server(): string {
    return this.o.connection.server;
  }

  /** The secret, once a verb needed it: for redacting it from error lines. */
  get secret(): string | undefined {
    return this.source?.secret;
  }

  async withClient<T>(timeoutMs: number, fn: (client: VerbClient, timeLeft: () => number) => Promise<T>): Promise<T> {
    const { server, encrypt } = this.o.connection;
    this.failure.server = server;
    // env BOTZ_CREDENTIAL: prove a credential instead of the shared secret (issue 18).
    const { credentialFrom } = await import('./credentials.js');
    const credential = credentialFrom(undefined);
    const secret = credential ? undefined : await this.requireSecret();
    // The library (ws, codecs) loads only once a verb really needs the network, and only the
    // client: a one-shot command need not load the server, mesh or reliable layers.
    const { Client } = await import('../lib/component/client.js');
    // The clock starts with the network: loading code is not waiting for an answer.
    const deadline = Date.now() + timeoutMs;
    // One-shot: no membership feed, and a name it never resolved goes through the relay at once.
    const { secretsOf } = await import('./keyring-file.js');
    // env BOTZ_TLS_CA: the server speaks wss:// with a certificate this CA signed (issue 18).
    const { tlsTransport } = await import('./tls-files.js');
    const transport = await tlsTransport({});
    const client = await Client.connect({ server, secret: secret === undefined ? undefined : secretsOf(secret), timeoutMs, encrypt, oneShot: true, ...(credential ? { identity: { credential } } : {}), ...(transport ? { transport } : {}) });
    try {
      return await fn(client, () => Math.max(1, deadline - Date.now()));
    } finally {
      await client.close();
    }
  }

  async withControl<T>(node: string, timeoutMs: number, fn: (ctl: MeshControlClient) => Promise<T>): Promise<T> {
    // env BOTZ_CREDENTIAL: a credential mesh node answers what the credential's grant allows (its routes, graph and status with `list`).
    const { credentialFrom } = await import('./credentials.js');
    const credential = credentialFrom(undefined);
    const secret = credential ? undefined : await this.requireSecret();
    const list = (): Promise<ComponentInfo[]> => this.withClient(timeoutMs, (client, timeLeft) => client.components({ timeout: timeLeft() }));
    const { withMeshControl } = await import('./mesh-target.js');
    return withMeshControl(node, { secret, credential, timeoutMs, list, failure: this.failure }, fn);
  }

  async readData(spec: string): Promise<Json> {
    const { readData } = await import('./data-source.js');
    return readData(spec);
  }

  out(text: string): void {
    process.stdout.write(text + '\n');
  }

  note(text: string): void {
    process.stderr.write(text + '\n');
  }

  untilStopped(until?: Promise<unknown>): Promise<StopReason> {
    return waitForStop(until);
  }

  async pickComponent(): Promise<string> {
    // Only the REPL lets NAME be left out; the parsers refuse it here.
    throw new BotzError(ErrorCode.INVALID_ARGUMENT, 'a component NAME is needed');
  }

  private async requireSecret(): Promise<string> {
    const source = await requireSecret({ secretFile: this.o.connection['secret-file'], configDir: this.o.configDir });
    this.source = source;
    this.failure.secretSource = describeSecretSource(source);
    this.o.onSecret?.(source);
    return source.secret;
  }
}

/** A parsed command line's flags, parted into the connection's and the verb's own; a usage error for a --server that is not HOST:PORT. */
export function splitConnection(flags: Record<string, unknown>): { connection: Connection; own: Record<string, any> } {
  const own = { ...flags };
  for (const name of Object.keys(CONNECTION_FLAGS)) delete own[name];
  return { connection: { server: checkServerAddress(flags.server as string), 'secret-file': flags['secret-file'] as string | undefined, encrypt: flags.encrypt === true }, own };
}

/**
 * Joining the network as the REPL's component. When no server answers (or no secret exists yet
 * because no server ever ran here), a terminal user is offered a local server inside this
 * process, with the secret handling of `botz serve`: the configured secret, else the per-user one,
 * created (mode 0600) if missing, so other shells on this machine can join it.
 */
import { secretsOf } from '../cli/keyring-file.js';
import { userInfo } from 'node:os';
import { describeFailure } from '../cli/exit-codes.js';
import { describeSecretSource, ensureSecret, findSecret, requireSecret, type SecretSource } from '../cli/secret.js';
import type { Component, Message, Server } from '../index.js';
import { ErrorCode } from '../lib/errors.js';
import { DEFAULT_PORT } from '../lib/registry/defaults.js';
import { splitAddress } from '../lib/transport/transport.js';

/** `repl-<user>-<pid>`: unique per process, recognisable in `botz components`. */
export function defaultReplName(user?: string, pid = process.pid): string {
  let who = user;
  if (who === undefined) {
    try {
      who = userInfo().username;
    } catch {
      who = 'user'; // no passwd entry (containers)
    }
  }
  const clean = who.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 40) || 'user';
  return `repl-${clean}-${pid}`;
}

export interface JoinOptions {
  server: string;
  name: string;
  secretFile?: string;
  encrypt?: boolean;
  configDir: string;
  onMessage: (msg: Message) => void;
  /** Ask a yes/no question; absent without a terminal (then no local server is offered). */
  confirm?: (question: string) => Promise<boolean>;
  /** Lines for the user about what happened (stderr). */
  say: (line: string) => void;
}

export interface Joined {
  component: Component;
  /** The server joined (a local server's resolved address when one was started). */
  server: string;
  secret: SecretSource;
  /** The server started in this process, if the user asked for one; stop it on exit. */
  localServer?: Server;
}

/** Join `server`; throws the CLI's error when that fails and no local server is started. */
export async function join(o: JoinOptions): Promise<Joined> {
  const { Component, Server } = await import('../index.js');
  const start = (secret: string, server = o.server) =>
    Component.start({ server, secret: secretsOf(secret), name: o.name, encrypt: o.encrypt, onMessage: (m) => (o.onMessage(m), {}) });
  const source = await findSecret({ secretFile: o.secretFile, configDir: o.configDir });
  let failure: unknown;
  if (source) {
    try {
      return { component: await start(source.secret), secret: source, server: o.server };
    } catch (e) {
      if ((e as { code?: string }).code !== ErrorCode.SERVER_UNREACHABLE) throw e;
      failure = e;
    }
  }
  if (!o.confirm) {
    if (failure) throw failure;
    await requireSecret({ secretFile: o.secretFile, configDir: o.configDir }); // throws the usage line
  }
  const why = failure
    ? describeFailure(failure, { server: o.server, secretSource: source && describeSecretSource(source) }).line
    : `no secret is configured and no server has run on this machine`;
  o.say(`botz: ${why}`);
  if (!(await o.confirm!(`Start a local botz server on ${o.server} in this process?`))) {
    throw Object.assign(failure ?? new Error('no server to join'), { declined: true });
  }
  const secret = await ensureSecret({ secretFile: o.secretFile, configDir: o.configDir });
  // `--server localhost` names the host; the server it starts takes botz's port.
  const { host, port } = splitAddress(o.server, DEFAULT_PORT);
  const localServer = await Server.start({ host, port, secret: secret.secret, encrypt: o.encrypt });
  const where = describeSecretSource(secret);
  o.say(`started a local server on ${localServer.address} (it stops when you exit); ${secret.created ? `created a new secret in ${where}` : `secret from ${where}`}`);
  try {
    return { component: await start(secret.secret, localServer.address), secret, localServer, server: localServer.address };
  } catch (e) {
    await localServer.stop();
    throw e;
  }
}

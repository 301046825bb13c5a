/**
 * Where the shared secret comes from, in order: env BOTZ_SECRET, `--secret-file`, then the
 * per-user file `<config dir>/secret` that `botz serve` creates (mode 0600) when nothing else is
 * configured, so one machine works with zero setup and is still authenticated.
 * The secret itself is never printed: errors and logs name its source only (see `describe`).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BotzError, ErrorCode } from '../lib/errors.js';
import { fileProblem } from './system-errors.js';

/** A secret and where it was found. */
export interface SecretSource {
  secret: string;
  from: 'env' | 'secret-file' | 'config';
  /** The file it was read from, for `secret-file` and `config`. */
  path?: string;
}

/** 32 random bytes: as strong as the HMAC-SHA256 key it becomes. */
const GENERATED_SECRET_BYTES = 32;

/**
 * The per-user config directory: env BOTZ_CONFIG_DIR (so tests can isolate), else `fallback`
 * (oclif's `this.config.configDir`), else XDG_CONFIG_HOME/botz or ~/.config/botz.
 */
export function configDir(env: NodeJS.ProcessEnv = process.env, fallback?: string): string {
  if (env.BOTZ_CONFIG_DIR) return env.BOTZ_CONFIG_DIR;
  if (fallback) return fallback;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'botz');
}

/** The path of the secret `botz serve` creates. */
export function configSecretPath(dir: string): string {
  return join(dir, 'secret');
}

/** How to name the source in a message, without the secret. */
export function describeSecretSource(source: SecretSource): string {
  return source.from === 'env' ? 'env BOTZ_SECRET' : source.from === 'secret-file' ? `--secret-file ${source.path}` : `${source.path}`;
}

/** `label` names the file in an error: `--secret-file x`, or the config file's path. */
async function readSecretFile(path: string, label = path): Promise<string | undefined> {
  try {
    // A trailing newline from `echo ... > file` is not part of the secret.
    const text = (await readFile(path, 'utf8')).replace(/\r?\n$/, '');
    return text;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new BotzError(ErrorCode.INVALID_ARGUMENT, `${label} ${fileProblem(e)}`, { cause: e, details: { path } });
  }
}

export interface SecretOptions {
  env?: NodeJS.ProcessEnv;
  secretFile?: string;
  configDir: string;
}

/** The configured secret, or undefined when none is configured anywhere. */
export async function findSecret(options: SecretOptions): Promise<SecretSource | undefined> {
  const env = options.env ?? process.env;
  if (env.BOTZ_SECRET) return { secret: env.BOTZ_SECRET, from: 'env' };
  if (options.secretFile !== undefined) {
    const secret = await readSecretFile(options.secretFile, `--secret-file ${options.secretFile}`);
    if (secret === undefined) {
      throw new BotzError(ErrorCode.INVALID_ARGUMENT, `--secret-file ${options.secretFile} does not exist`, {
        details: { path: options.secretFile },
      });
    }
    if (secret === '') throw new BotzError(ErrorCode.INVALID_ARGUMENT, `--secret-file ${options.secretFile} is empty`);
    return { secret, from: 'secret-file', path: options.secretFile };
  }
  const path = configSecretPath(options.configDir);
  const secret = await readSecretFile(path);
  return secret ? { secret, from: 'config', path } : undefined;
}

/** The secret a client needs; a usage error (exit 2) that says how to configure one if none is. */
export async function requireSecret(options: SecretOptions): Promise<SecretSource> {
  const found = await findSecret(options);
  if (found) return found;
  throw new BotzError(
    ErrorCode.INVALID_ARGUMENT,
    `no secret configured: set BOTZ_SECRET, pass --secret-file, or run \`botz serve\` on this machine (it creates ${configSecretPath(options.configDir)})`,
    { details: { configDir: options.configDir } },
  );
}

/**
 * The secret `botz serve` uses: the configured one, else the config-dir secret, created now with
 * mode 0600 if it does not exist. `wx` makes two servers starting at once agree on one secret.
 */
export async function ensureSecret(options: SecretOptions): Promise<SecretSource & { created: boolean }> {
  const found = await findSecret(options);
  if (found) return { ...found, created: false };
  const path = configSecretPath(options.configDir);
  await mkdir(options.configDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(GENERATED_SECRET_BYTES).toString('base64url');
  try {
    const file = await open(path, 'wx', 0o600);
    try {
      await file.writeFile(secret + '\n');
    } finally {
      await file.close();
    }
    return { secret, from: 'config', path, created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const raced = await findSecret({ ...options, env: {} , secretFile: undefined });
    if (!raced) throw e;
    return { ...raced, created: false };
  }
}

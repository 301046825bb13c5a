/**
 * The secret a program shares with the botz CLI on the same machine, found where the CLI looks:
 * env BOTZ_SECRET, else the file `botz serve` creates in the per-user config directory
 * (BOTZ_CONFIG_DIR, else $XDG_CONFIG_HOME/botz, else ~/.config/botz). The library's answer to
 * "which secret?", so a newcomer's first program does not start with `process.env.BOTZ_SECRET!`.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BotzError, ErrorCode } from './errors.js';

export interface LoadSecretOptions {
  /** Where to read BOTZ_SECRET, BOTZ_CONFIG_DIR and XDG_CONFIG_HOME (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** The config directory to look in (default: from the environment, as the CLI does). */
  configDir?: string;
}

/** The per-user config directory the CLI uses: BOTZ_CONFIG_DIR, else XDG_CONFIG_HOME/botz, else ~/.config/botz. */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BOTZ_CONFIG_DIR) return env.BOTZ_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'botz');
}

/**
 * The shared secret: env BOTZ_SECRET, else `<config dir>/secret` (a trailing newline is not part
 * of it). Throws INVALID_ARGUMENT naming both places when neither has one.
 */
export async function loadSecret(options: LoadSecretOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  if (env.BOTZ_SECRET) return env.BOTZ_SECRET;
  const path = join(options.configDir ?? defaultConfigDir(env), 'secret');
  let text: string;
  try {
    text = (await readFile(path, 'utf8')).replace(/\r?\n$/, '');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new BotzError(ErrorCode.INVALID_ARGUMENT, `cannot read the secret in ${path}: ${(e as Error).message}`, { cause: e, details: { path } });
    }
    text = '';
  }
  if (text !== '') return text;
  throw new BotzError(ErrorCode.INVALID_ARGUMENT, `no secret: set BOTZ_SECRET, or run \`botz serve\` once on this machine (it creates ${path})`, { details: { path } });
}

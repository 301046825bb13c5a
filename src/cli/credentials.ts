/**
 * Credentials on the command line: where the issuer's store lives, reading a credential file
 * (`--credential` or env BOTZ_CREDENTIAL), and `--expires` durations in days.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BotzError, ErrorCode } from '../lib/errors.js';
import { loadCredential, type Credential, type CredentialFile } from '../lib/identity/credential.js';
import { parseDuration } from './duration.js';

/** The issuer's store: `<config dir>/identity` unless --identity-dir says otherwise. */
export function identityDir(configDir: string, flag?: string): string {
  return flag ?? join(configDir, 'identity');
}

/** Reads a credential file; refuses one that others than its owner may read (it holds a private key). */
export function readCredential(path: string): Credential {
  let text: string;
  try {
    if ((statSync(path).mode & 0o077) !== 0) {
      throw new BotzError(ErrorCode.INVALID_ARGUMENT, `${path} may be read by others than its owner: chmod 600 it (it holds a private key)`);
    }
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof BotzError) throw e;
    throw new BotzError(ErrorCode.INVALID_ARGUMENT, `cannot read the credential ${path}: ${(e as Error).message}`, { details: { path } });
  }
  try {
    return loadCredential(JSON.parse(text) as CredentialFile);
  } catch (e) {
    if (e instanceof BotzError) throw e;
    throw new BotzError(ErrorCode.CREDENTIAL_REJECTED, `${path} is not a botz credential file`);
  }
}

/** The credential a command connects with: the flag's file, else env BOTZ_CREDENTIAL's, else none. */
export function credentialFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Credential | undefined {
  const path = flag ?? (env.BOTZ_CREDENTIAL || undefined);
  return path === undefined ? undefined : readCredential(path);
}

/** `30d`, `12h`, `90m`...: milliseconds (a day is 24 h). */
export function parseExpiry(text: string): number {
  const days = /^(\d+(?:\.\d+)?)d$/.exec(text.trim());
  const ms = days ? Math.round(Number(days[1]) * 86_400_000) : parseDuration(text);
  if (ms <= 0) throw new BotzError(ErrorCode.INVALID_ARGUMENT, `--expires must be a positive duration, like 30d or 12h (got "${text}")`);
  return ms;
}

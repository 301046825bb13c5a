/**
 * The shared secret's file as a keyring (issue 18): one secret per line, the first one signs
 * (the primary), every one is accepted. A file of one line is the one secret, as before. `botz
 * keys` edits it in the three steps of PROTOCOL.md §3; a running `botz serve` or `botz
 * register` reloads it when it changes (polled every 500 ms) or at once on SIGUSR2, into its
 * keyring in place, so a network on one machine rotates its secret with no restart. Not SIGHUP:
 * that stops a foreground command (a closed terminal, issue 17).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, unwatchFile, watchFile, writeFileSync } from 'node:fs';
import { BotzError, ErrorCode } from '../lib/errors.js';
import { keyIdOf, type Keyring } from '../lib/wire/keyring.js';

/** The secrets a secret file's text holds, the primary first (blank lines ignored). */
export function secretsOf(text: string): string[] {
  const lines = text.split(/\r?\n/).filter((l) => l !== '');
  return lines.length > 1 ? lines : [text];
}

/** A key's id as PROTOCOL.md §3 shows it: 8 hex digits. */
export function keyIdHex(secret: string): string {
  return keyIdOf(Buffer.from(secret, 'utf8')).toString(16).padStart(8, '0');
}

export function readKeyringFile(path: string): string[] {
  try {
    return secretsOf(readFileSync(path, 'utf8').replace(/\r?\n$/, ''));
  } catch (e) {
    throw new BotzError(ErrorCode.INVALID_ARGUMENT, `cannot read the secret file ${path}: ${(e as Error).message}`, { details: { path } });
  }
}

/** Writes the secrets (primary first) through a temporary file and a rename, mode 0600. */
export function writeKeyringFile(path: string, secrets: string[]): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, secrets.join('\n') + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** A new random secret, as `botz serve` makes the first one. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Reloads `path` into `keyring` whenever the file changes, and on SIGUSR2. A file that cannot be
 * read or holds a bad secret changes nothing (told to `onError`). Returns what stops it.
 */
export function watchKeyringFile(path: string, keyring: Keyring, on: { reloaded?: (ids: string[]) => void; error?: (e: Error) => void } = {}): () => void {
  const reload = (): void => {
    try {
      const secrets = readKeyringFile(path);
      const before = keyring.ids.join();
      keyring.replace(secrets);
      if (keyring.ids.join() !== before) on.reloaded?.(secrets.map(keyIdHex));
    } catch (e) {
      on.error?.(e as Error);
    }
  };
  watchFile(path, { interval: 500, persistent: false }, reload);
  process.on('SIGUSR2', reload);
  return () => {
    unwatchFile(path, reload);
    process.off('SIGUSR2', reload);
  };
}

/**
 * What the `botz keys` commands share: the secret file they edit (--secret-file, else the one
 * `botz serve` created; never env BOTZ_SECRET, which no command can change), finding a key by
 * its id, and the pause between two steps of a rotation.
 */
import { statSync } from 'node:fs';
import { Flags } from '@oclif/core';
import { BotzError, ErrorCode } from '../lib/errors.js';
import { keyIdHex, readKeyringFile } from './keyring-file.js';
import { configSecretPath } from './secret.js';

export const keysFlags = {
  'secret-file': Flags.string({ helpValue: '<path>', description: 'the secret file to change (default: the one botz serve created in the config directory)' }),
};

/** Running processes poll the file every 500 ms: a step waits this long after the previous one, so every process has reloaded it. */
export const STEP_PAUSE_MS = 1_500;

export function keyringPath(flag: string | undefined, configDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag === undefined && env.BOTZ_SECRET) {
    throw new BotzError(ErrorCode.INVALID_ARGUMENT, 'the secret comes from env BOTZ_SECRET, which botz keys cannot change: use a secret file (--secret-file)');
  }
  return flag ?? configSecretPath(configDir);
}

/** The secrets of the file, and the index of the one whose key id is `id` (8 hex digits). */
export function findKey(path: string, id: string): { secrets: string[]; at: number } {
  const secrets = readKeyringFile(path);
  const at = secrets.findIndex((s) => keyIdHex(s) === id.toLowerCase());
  if (at < 0) throw new BotzError(ErrorCode.INVALID_ARGUMENT, `no key with the id ${id} in ${path} (botz keys ls)`);
  return { secrets, at };
}

/** Waits until the file last changed at least STEP_PAUSE_MS ago: the previous step has reached every process on this machine. */
export async function afterPreviousStep(path: string): Promise<void> {
  const since = Date.now() - statSync(path).mtimeMs;
  if (since < STEP_PAUSE_MS) await new Promise((r) => setTimeout(r, STEP_PAUSE_MS - since));
}

/** The Botzilla v1 key of `botz serve --botzilla-key-file`: read once, never mixed with botz's secret. */
import { readFile } from 'node:fs/promises';
import { DEFAULT_BOTZILLA_KEY } from '../lib/botzilla/frame.js';
import { BotzError, ErrorCode, isBotzError } from '../lib/errors.js';

export interface BotzillaKeySource {
  key: Buffer;
  /** The file it came from, or undefined for the original's hard-coded default. */
  path?: string;
}

/** The key in `path` (one trailing newline dropped), else the original's default, "ppap". */
export async function botzillaKeyFrom(path: string | undefined): Promise<BotzillaKeySource> {
  if (path === undefined) return { key: Buffer.from(DEFAULT_BOTZILLA_KEY) };
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new BotzError(ErrorCode.INVALID_ARGUMENT, `--botzilla-key-file ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      cause: error,
      details: { path },
    });
  }
  const key = bytes.subarray(0, bytes.length - (/\r?\n$/.exec(bytes.toString('latin1'))?.[0].length ?? 0));
  if (key.length === 0) throw new BotzError(ErrorCode.INVALID_ARGUMENT, `--botzilla-key-file ${path} is empty`, { details: { path } });
  return { key, path };
}

/** What `botz serve` says on stderr about the gateway's key: v1 frames are never safe beyond a trusted network. */
export function botzillaKeyNotice(source: BotzillaKeySource): string {
  const from = source.path ? `the Botzilla key from ${source.path}` : 'the Botzilla default key "ppap" (--botzilla-key-file to change it)';
  return `botzilla v1 gateway uses ${from}; v1 frames have no replay protection and replies no MAC: trusted networks only\n`;
}

/** The gateway starting, with an address in use blamed on --botzilla-port (not botz's --port). */
export async function onBotzillaPort<T>(starting: Promise<T>): Promise<T> {
  try {
    return await starting;
  } catch (error) {
    if (isBotzError(error) && error.code === ErrorCode.ADDRESS_IN_USE) {
      throw new BotzError(ErrorCode.ADDRESS_IN_USE, `cannot listen for Botzilla on ${String(error.details.address)}: the address is already in use`, {
        cause: error,
        details: { ...error.details, flag: '--botzilla-port' },
      });
    }
    throw error;
  }
}

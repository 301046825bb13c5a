/**
 * Named connection profiles, as `nats context`: a server address, a secret file and whether to
 * encrypt, saved under a name in `<config dir>/contexts/NAME.json`, one of them selected in
 * `<config dir>/context`. Synchronous file access: bin/run.js reads the selected one before any
 * command parses its flags, and it is one small file.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BotzError, ErrorCode } from '../lib/errors.js';
import { didYouMean } from './did-you-mean.js';

/** One profile. Every field is optional: what it leaves out keeps its default. */
export interface BotzContext {
  server?: string;
  secretFile?: string;
  encrypt?: boolean;
  description?: string;
}

/** A context name: a file name that cannot leave the directory. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function contextsDir(configDir: string): string {
  return join(configDir, 'contexts');
}

function selectionFile(configDir: string): string {
  return join(configDir, 'context');
}

function checkName(name: string): string {
  if (!NAME.test(name)) throw new BotzError(ErrorCode.INVALID_ARGUMENT, `"${name}" is not a context name: letters, digits, . _ - (up to 64)`);
  return name;
}

/** The names of the saved contexts, sorted. */
export function listContexts(configDir: string): string[] {
  try {
    return readdirSync(contextsDir(configDir))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length))
      .sort();
  } catch {
    return [];
  }
}

/** A saved context; a usage error naming the nearest one when there is none of that name. */
export function readContext(configDir: string, name: string): BotzContext {
  let text: string;
  try {
    text = readFileSync(join(contextsDir(configDir), `${checkName(name)}.json`), 'utf8');
  } catch (e) {
    if (e instanceof BotzError) throw e;
    const near = didYouMean(name, listContexts(configDir));
    throw new BotzError(ErrorCode.INVALID_ARGUMENT, `no context "${name}"${near ? `; did you mean \`${near}\`?` : ''}; \`botz context ls\` lists them`);
  }
  try {
    return JSON.parse(text) as BotzContext;
  } catch {
    throw new BotzError(ErrorCode.INVALID_ARGUMENT, `the context "${name}" (${join(contextsDir(configDir), `${name}.json`)}) is not valid JSON; fix it or \`botz context rm ${name}\``);
  }
}

/** Saves (or replaces) a context. */
export function writeContext(configDir: string, name: string, context: BotzContext): void {
  mkdirSync(contextsDir(configDir), { recursive: true, mode: 0o700 });
  writeFileSync(join(contextsDir(configDir), `${checkName(name)}.json`), JSON.stringify(context, null, 2) + '\n', { mode: 0o600 });
}

/** Removes a context (and the selection, if it was the selected one). */
export function removeContext(configDir: string, name: string): void {
  readContext(configDir, name);
  rmSync(join(contextsDir(configDir), `${name}.json`));
  if (selectedContext(configDir) === name) rmSync(selectionFile(configDir), { force: true });
}

/** The selected context's name, if any. */
export function selectedContext(configDir: string): string | undefined {
  try {
    return readFileSync(selectionFile(configDir), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Selects a saved context for every later command. */
export function selectContext(configDir: string, name: string): void {
  readContext(configDir, name);
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  writeFileSync(selectionFile(configDir), name + '\n');
}

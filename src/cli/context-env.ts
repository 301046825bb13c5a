/**
 * `--context NAME` on every command, BOTZ_CONTEXT, and the selected context: bin/run.js applies
 * the context before any command parses its flags, as the environment variables of its
 * settings (BOTZ_SERVER, BOTZ_SECRET_FILE, BOTZ_ENCRYPT) where those are not set. So a flag
 * wins over a set variable, which wins over the context, which wins over the defaults, the
 * same for the fast path, oclif and the REPL.
 */
import { readContext, selectedContext, type BotzContext } from './contexts.js';
import { configDir } from './secret.js';

/** The command line without `--context NAME`, and the context's name if one applies. */
function takeContextFlag(argv: readonly string[]): { argv: string[]; name?: string } {
  const out: string[] = [];
  let name: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === '--') return { argv: [...out, ...argv.slice(i)], name };
    if (word === '--context' && i + 1 < argv.length) {
      name = argv[++i];
      continue;
    }
    if (word.startsWith('--context=')) {
      name = word.slice('--context='.length);
      continue;
    }
    out.push(word);
  }
  return { argv: out, name };
}

/** The variables a context stands for. */
function contextEnv(context: BotzContext): Record<string, string> {
  return {
    ...(context.server ? { BOTZ_SERVER: context.server } : {}),
    ...(context.secretFile ? { BOTZ_SECRET_FILE: context.secretFile } : {}),
    ...(context.encrypt ? { BOTZ_ENCRYPT: '1' } : {}),
  };
}

/**
 * Applies the context that `argv` (`--context`), `env` (BOTZ_CONTEXT) or the selection names to
 * `env`, filling only variables that are unset; returns `argv` without `--context`. Throws a
 * usage error for a context that does not exist.
 */
export function applyContext(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const taken = takeContextFlag(argv);
  const dir = configDir(env);
  const name = taken.name ?? (env.BOTZ_CONTEXT || undefined) ?? selectedContext(dir);
  // `botz context ...` manages them: a broken selection must not lock the user out of fixing it.
  if (name === undefined || argv[0] === 'context') return taken.argv;
  for (const [key, value] of Object.entries(contextEnv(readContext(dir, name)))) if (!env[key]) env[key] = value;
  return taken.argv;
}

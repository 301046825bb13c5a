/**
 * `botz cheat [COMMAND]`: the examples of every command on one page, as `nats cheat` prints
 * them: a `# words: summary` heading, then command lines to copy. Pure.
 */
import { BotzError, ErrorCode } from '../lib/errors.js';
import type { CommandDoc } from './command-docs.js';
import { didYouMean } from './did-you-mean.js';

/** The sheet for every command with examples, or for those `only` names (`mesh` takes its topic). */
export function cheatSheet(docs: readonly CommandDoc[], only?: string): string {
  const chosen = only === undefined ? docs : docs.filter((d) => d.words === only || d.words.startsWith(`${only} `));
  if (chosen.length === 0) {
    const near = didYouMean(only ?? '', docs.map((d) => d.words));
    throw new BotzError(ErrorCode.INVALID_ARGUMENT, `no command "${only}"${near ? `; did you mean \`${near}\`?` : ''}; \`botz cheat\` lists them all`);
  }
  return chosen
    .filter((d) => d.examples.length > 0)
    .map((d) => [`# ${d.words}: ${d.summary}`, ...d.examples].join('\n'))
    .join('\n\n');
}

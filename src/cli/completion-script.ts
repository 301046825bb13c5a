/**
 * `botz completion bash|zsh`: a completion script for the commands, topic commands and flags
 * as they are now (run it again after an upgrade). zsh runs the bash function through
 * bashcompinit, so there is one script to keep right. Pure: text from the command list.
 */
import type { CommandDoc } from './command-docs.js';
import type { ArgSpecs } from './verb.js';
import { VERBS } from './verbs/table.js';

/** The verbs whose arguments name components (send, tail, ping, mesh routes...), by their words. */
export function componentTakingVerbs(): string[] {
  return VERBS.filter((v) => Object.values(v.args as ArgSpecs).some((a) => a.names === 'component' || a.names === 'components')).map((v) => v.name);
}

/** A word list for `compgen -W`, sorted so candidates come out in order. */
function wordList(words: Iterable<string>): string {
  return [...new Set(words)].sort().join(' ');
}

/**
 * The bash completion script for `bin`. After the commands in `takeComponents` (their words,
 * `send`, `mesh routes`), a word that is not a flag completes to the live component names: one
 * `components --json` with a short timeout, cheap enough for a Tab.
 */
export function bashCompletion(docs: readonly CommandDoc[], bin: string, takeComponents: readonly string[] = []): string {
  const topics = new Map<string, string[]>();
  for (const d of docs) {
    const [first, second] = d.words.split(' ');
    if (second !== undefined) topics.set(first, [...(topics.get(first) ?? []), second]);
  }
  const top = wordList(docs.map((d) => d.words.split(' ')[0]));
  const fn = `_${bin.replace(/\W/g, '_')}`;
  const topicCases = [...topics].map(([t, subs]) => `    ${t}) if [ "$COMP_CWORD" -eq 2 ]; then COMPREPLY=($(compgen -W "${wordList(subs)}" -- "$cur")); return; fi; cmd="${t} \${COMP_WORDS[2]}";;`);
  const flagCases = docs.map((d) => `      "${d.words}") COMPREPLY=($(compgen -W "${wordList(d.flags)}" -- "$cur"));;`);
  return [
    `# ${bin} completion for bash: eval "$(${bin} completion bash)" (or save it in /etc/bash_completion.d/${bin})`,
    `${fn}() {`,
    '  local cur="${COMP_WORDS[COMP_CWORD]}"',
    '  COMPREPLY=()',
    `  if [ "$COMP_CWORD" -eq 1 ]; then COMPREPLY=($(compgen -W "${top}" -- "$cur")); return; fi`,
    '  local cmd="${COMP_WORDS[1]}"',
    '  case "$cmd" in',
    ...topicCases,
    '  esac',
    '  if [[ "$cur" == -* ]]; then',
    '    case "$cmd" in',
    ...flagCases,
    '    esac',
    '    return',
    '  fi',
    ...(takeComponents.length === 0
      ? []
      : [
          '  case "$cmd" in',
          `    ${takeComponents.map((w) => `"${w}"`).join('|')})`,
          `      local names=$(${bin} components --json --timeout 500ms 2>/dev/null | sed -n 's/^ *"name": "\\(.*\\)",$/\\1/p')`,
          '      COMPREPLY=($(compgen -W "$names" -- "$cur"));;',
          '  esac',
        ]),
    '}',
    `complete -F ${fn} ${bin}`,
    '',
  ].join('\n');
}

/** The zsh script: bash's, run through bashcompinit. */
export function zshCompletion(docs: readonly CommandDoc[], bin: string, takeComponents: readonly string[] = []): string {
  return [
    `# ${bin} completion for zsh: eval "$(${bin} completion zsh)" in ~/.zshrc`,
    'autoload -U +X compinit && compinit',
    'autoload -U +X bashcompinit && bashcompinit',
    bashCompletion(docs, bin, takeComponents),
  ].join('\n');
}

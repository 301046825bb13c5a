/**
 * Tab completion: verbs, a verb's flags, and live component names where a verb takes one.
 * Pure: takes the line and what is known about the network, returns readline's
 * `[candidates, substringBeingCompleted]`, so it is tested with plain strings.
 */
import { scan } from './tokenize.js';
import type { ArgSpec } from '../cli/verb.js';
import { findVerb, flagWords, isTopic, REPL_VERBS, verbWords, type ReplVerb } from './verbs.js';

/** What the network looks like right now (kept current by membership events). */
export interface CompletionSources {
  components: readonly string[];
  groups: readonly string[];
}

/** The word being completed and the candidates that fit, in readline's shape. */
export type Completion = [string[], string];

/** Candidates for the end of `line`. A unique candidate gets a trailing space, as shells do. */
export function complete(line: string, sources: CompletionSources): Completion {
  const t = scan(line);
  if (t.danglingEscape) return [[], ''];
  const typing = t.current.start < line.length;
  const prior = typing ? t.words.slice(0, -1) : t.words;
  const raw = line.slice(t.current.start);
  const prefix = t.current.text;
  const options = candidates(prior, prefix, sources);
  const hits = [...new Set(options)].filter((c) => c.startsWith(prefix)).sort();
  // A word opened with a quote keeps it, so every candidate still starts with what was typed.
  const lead = t.openQuote && raw.startsWith(t.openQuote) ? t.openQuote : '';
  const shown = hits.map((h) => (hits.length === 1 ? `${lead}${h}${lead} ` : `${lead}${h}`));
  return [shown, raw];
}

function candidates(prior: string[], prefix: string, sources: CompletionSources): string[] {
  if (prior.length === 0) return verbWords();
  const found = findVerb(prior);
  // After a topic (`mesh rou<Tab>`): its verbs' second words.
  if (!found) return prior.length === 1 && isTopic(prior[0]) ? topicVerbs(prior[0]) : [];
  const { spec } = found;
  const words = prior.slice(found.length);
  const previous = words[words.length - 1];
  if (previous !== undefined && takesValue(spec, previous)) {
    return flagName(spec, previous) === 'group' ? [...sources.groups] : [];
  }
  if (prefix.startsWith('-')) return flagWords(spec);
  const arg = argAt(spec, positionalCount(spec, words));
  if (!arg) return [];
  if (arg.options) return [...arg.options];
  switch (arg.names) {
    case 'component':
      return [...sources.components, ...sources.groups.map((g) => `@${g}`)];
    case 'components':
      return sources.components.filter((c) => !words.includes(c));
    case 'verb':
      // `help mesh r<Tab>`: a topic's verbs, as after `mesh` itself.
      if (words.length === 1 && isTopic(words[0])) return topicVerbs(words[0]);
      return words.length === 0 ? verbWords().filter((w) => w !== '?') : [];
    default:
      return [];
  }
}

/** The verbs of a topic, by their second word: `routes`, `status`. */
function topicVerbs(topic: string): string[] {
  return REPL_VERBS.filter((v) => v.name.startsWith(`${topic} `)).map((v) => v.name.slice(topic.length + 1));
}

/** The argument the `index`th positional word fills: the rest argument takes every later one. */
function argAt(spec: ReplVerb, index: number): ArgSpec | undefined {
  const args = Object.values(spec.args);
  return args[index] ?? (args.at(-1)?.rest ? args.at(-1) : undefined);
}

/** The long name of a flag word (`-g` → `group`), if the verb has it. */
function flagName(spec: ReplVerb, word: string): string | undefined {
  if (word.startsWith('--')) {
    const name = word.slice(2);
    return Object.hasOwn(spec.flags, name) ? name : undefined;
  }
  if (word.startsWith('-') && word.length === 2) {
    return Object.entries(spec.flags).find(([, f]) => f.char === word[1])?.[0];
  }
  return undefined;
}

/** True for a flag word whose value is the next word (`--timeout`, not `--timeout=2s` or `--json`). */
function takesValue(spec: ReplVerb, word: string): boolean {
  const name = flagName(spec, word);
  return name !== undefined && spec.flags[name].type !== 'boolean';
}

/** How many positional words `words` holds, skipping flags and their values. */
function positionalCount(spec: ReplVerb, words: string[]): number {
  let count = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w.startsWith('-') && w.length > 1) {
      if (takesValue(spec, w)) i++;
      continue;
    }
    count++;
  }
  return count;
}

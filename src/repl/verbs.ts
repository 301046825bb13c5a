/**
 * The REPL's verbs: the CLI's verb table (src/cli/verbs) as the REPL has it — joined already, so
 * without connection flags or what only a one-shot process can do (flags marked commandOnly),
 * and with --json on every verb that prints a result — plus the REPL's own: `tail on|off`,
 * `help` and `exit`. A verb means here what it means on the command line because it is the same
 * verb: same spec, same run, same rendering. Pure data plus help text; parsing is in
 * parse-line.ts.
 */
import { TOPICS, VERBS } from '../cli/verbs/table.js';
import { tailVerb } from '../cli/verbs/tail.js';
import { helpValueOf, restArg, type AnyVerb, type ArgSpecs, type FlagSpecs } from '../cli/verb.js';
import { headerFlag, timeoutFlag } from '../cli/verbs/flags.js';

export interface ReplVerb {
  /** Its words: `send`, `mesh routes`. */
  name: string;
  aliases: readonly string[];
  summary: string;
  usage: string;
  /** The flags a line may give it. */
  flags: FlagSpecs;
  args: ArgSpecs;
  /** The table's verb it runs; absent for the REPL's own verbs. */
  verb?: AnyVerb;
}

/** --json, as every result command has it (oclif adds it to the commands at run time). */
const JSON_FLAG = { type: 'boolean', description: 'print the result as JSON' } as const;

const ALIASES: Readonly<Record<string, readonly string[]>> = { components: ['ls'] };

/** A verb of the table as the REPL has it. */
function fromTable(verb: AnyVerb): ReplVerb {
  const own = Object.entries(verb.flags as FlagSpecs).filter(([, f]) => !f.commandOnly);
  const flags: FlagSpecs = { ...Object.fromEntries(own), json: JSON_FLAG };
  const summary = verb.summary[0].toLowerCase() + verb.summary.slice(1) + (verb.repl?.note ? ` (${verb.repl.note})` : '');
  return { name: verb.name, aliases: ALIASES[verb.name] ?? [], summary, usage: verb.repl?.usage ?? usageOf(verb.name, flags, verb.args), flags, args: verb.args, verb };
}

/** The command's `tail` streams until Ctrl-C; the REPL's prints above the prompt while you work. */
const TAIL: ReplVerb = {
  name: 'tail',
  aliases: [],
  summary: 'print live traffic and membership above the prompt: tail on [NAME...], tail off [NAME...], tail',
  usage: 'tail [on|off] [NAME]... [--bodies]',
  flags: { bodies: tailVerb.flags.bodies },
  args: { mode: { options: ['on', 'off'], description: 'on or off; nothing shows what is tailed' }, names: tailVerb.args.names },
};

/** issue 15: the REPL's `connect` (connect-verb.ts runs it): one exchange over a stream. */
const CONNECT_VERB: ReplVerb = {
  name: 'connect',
  aliases: [],
  summary: 'open a stream to a component for PROTOCOL, send the LINEs, half-close, and print the lines it sends back until it ends (Ctrl-C aborts)',
  usage: 'connect NAME PROTOCOL [LINE]... [-H KEY:VALUE]... [--timeout 5s] [--json]',
  flags: {
    header: { ...headerFlag, description: 'a header to send with the open, KEY:VALUE (repeatable)' },
    timeout: { ...timeoutFlag, description: 'how long to wait for the accept, e.g. 5s; the stream itself has no timeout' },
    json: { type: 'boolean', description: 'print each line received as {"line": ...}' },
  },
  args: {
    name: { required: true, names: 'component', description: 'the component to open the stream to' },
    protocol: { required: true, description: 'the protocol its handler accepts' },
    lines: { rest: true, description: 'lines to send, each followed by a newline (quote one with spaces)' },
  },
};

export const REPL_VERBS: readonly ReplVerb[] = [
  ...VERBS.map((v) => (v === tailVerb ? TAIL : fromTable(v))),
  // issue 15: `botz connect` is a terminal session of its own; the REPL's is one exchange.
  CONNECT_VERB,
  {
    name: 'help',
    aliases: ['?'],
    summary: 'list the verbs, or show one verb in detail',
    usage: 'help [VERB]',
    flags: {},
    args: { topic: { rest: true, names: 'verb', description: 'a verb' } },
  },
  { name: 'clear', aliases: ['cls'], summary: 'clear the screen (or press Ctrl-L)', usage: 'clear', flags: {}, args: {} },
  { name: 'exit', aliases: ['quit'], summary: 'leave the REPL (or press Ctrl-D)', usage: 'exit', flags: {}, args: {} },
];

/** A usage line from the spec: `mesh dial NODE ADDRESS [--timeout <duration>] [--json]`. */
function usageOf(name: string, flags: FlagSpecs, args: ArgSpecs): string {
  const rest = restArg(args);
  const words = Object.entries(args).map(([a, spec]) => (a === rest ? `[${a.toUpperCase()}]...` : spec.required ? a.toUpperCase() : `[${a.toUpperCase()}]`));
  const options = Object.entries(flags).map(([f, spec]) => `[--${f}${spec.type === 'boolean' ? '' : ` ${helpValueOf(f, spec)}`}]`);
  return [name, ...words, ...options].join(' ');
}

/** The verb that `words` start with (by name or alias), and how many words name it. */
export function findVerb(words: readonly string[]): { spec: ReplVerb; length: number } | undefined {
  for (const spec of REPL_VERBS) {
    for (const name of [spec.name, ...spec.aliases]) {
      const parts = name.split(' ');
      if (parts.every((p, i) => words[i] === p)) return { spec, length: parts.length };
    }
  }
  return undefined;
}

/** True for a word that groups verbs (`mesh`). */
export function isTopic(word: string): boolean {
  return Object.hasOwn(TOPICS, word);
}

/** Every word that starts a command: names (a topic once) and aliases. */
export function verbWords(): string[] {
  return [...new Set(REPL_VERBS.flatMap((v) => [v.name.split(' ')[0], ...v.aliases]))];
}

/** `--timeout`, `-d`...: the flag words a verb accepts. */
export function flagWords(spec: ReplVerb): string[] {
  return Object.entries(spec.flags).flatMap(([name, f]) => [`--${name}`, ...(f.char ? [`-${f.char}`] : [])]);
}

/** True when `help TOPIC` has something to show: nothing, a verb's words, or a topic. */
export function helpTopicKnown(topic: string): boolean {
  const words = topic.split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return true;
  const found = findVerb(words);
  return (found !== undefined && found.length === words.length) || (words.length === 1 && isTopic(words[0]));
}

/** The verb words the REPL knows, for "did you mean": `send`, `ls`, `mesh routes`. */
export function verbPhrases(): string[] {
  return REPL_VERBS.flatMap((v) => [v.name, ...v.aliases]).filter((w) => w !== '?');
}

/** The text of `help` (no topic), `help VERB` or `help TOPIC`. */
export function helpText(topic?: string): string {
  if (topic === undefined || topic === '') {
    const entries = new Map<string, string>();
    for (const v of REPL_VERBS) {
      const word = v.name.split(' ')[0];
      if (!entries.has(word)) entries.set(word, isTopic(word) ? `${TOPICS[word]} (\`help ${word}\` for its verbs)` : `${v.summary}${v.aliases.length ? ` (alias: ${v.aliases.join(', ')})` : ''}`);
    }
    const width = Math.max(...[...entries.keys()].map((w) => w.length));
    return [
      'verbs:',
      ...[...entries].map(([word, summary]) => `  ${word.padEnd(width)}  ${summary}`),
      '',
      'Payloads are written as for `botz send`: key=value, key:=json, --data @file. Quote like a shell.',
      'Tab completes verbs, flags and live component names; Up/Down recall history, Ctrl-R searches it; Ctrl-C cancels; Ctrl-D exits.',
    ].join('\n');
  }
  const words = topic.split(/\s+/);
  const found = findVerb(words);
  if (found && found.length === words.length) return verbHelp(found.spec);
  if (words.length === 1 && isTopic(topic)) {
    const verbs = REPL_VERBS.filter((v) => v.name.startsWith(`${topic} `));
    const width = Math.max(...verbs.map((v) => v.name.length));
    return [`${topic}: ${TOPICS[topic]}`, '', ...verbs.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`), '', `\`help ${topic} VERB\` shows one in detail.`].join('\n');
  }
  return `no verb "${topic}"; type \`help\` for the list`;
}

function verbHelp(spec: ReplVerb): string {
  const args = Object.entries(spec.args).map(([name, a]) => `  ${name.toUpperCase().padEnd(28)}  ${a.description}`);
  const flags = Object.entries(spec.flags).map(([name, f]) => {
    const value = helpValueOf(name, f);
    const word = `${f.char ? `-${f.char}, ` : '    '}--${name}${value === undefined ? '' : ` ${value}`}`;
    return `  ${word.padEnd(28)}  ${f.description}`;
  });
  return [
    `usage: ${spec.usage}`,
    '',
    spec.summary,
    ...(args.length ? ['', 'arguments:', ...args] : []),
    ...(flags.length ? ['', 'flags:', ...flags] : []),
  ].join('\n');
}

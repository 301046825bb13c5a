/**
 * The REPL's verbs. Their flags are the very flag definitions of the commands (`Send.flags.timeout`
 * is the object `botz send` parses `--timeout` with), so a flag means the same in both places and
 * a change to a command's flag reaches the REPL. Connection flags are absent: the REPL is already
 * connected. Pure data plus help text; parsing is in parse-line.ts.
 */
import { Args, Flags, type Interfaces } from '@oclif/core';
import Broadcast from '../commands/broadcast.js';
import Components from '../commands/components.js';
import Send from '../commands/send.js';
import Shutdown from '../commands/shutdown.js';
import Tail from '../commands/tail.js';

/** What the positional words of a verb complete to. */
export type PositionalKind = 'component' | 'components' | 'tail' | 'verb' | 'none';

export interface VerbSpec {
  name: string;
  aliases: string[];
  summary: string;
  usage: string;
  flags: Interfaces.FlagInput;
  args: Interfaces.ArgInput;
  /** `component`: only the first positional is a component; `components`: every one is. */
  positional: PositionalKind;
  /** False where the command takes any number of words (payloads, names), as the commands do. */
  strict: boolean;
}

/*
 * Every arg sets ignoreStdin: oclif otherwise reads a missing arg from a piped stdin, which in
 * script mode is the script itself.
 */
/** --json, as every result command has it (oclif adds it to commands at run time). */
const json = Flags.boolean({ description: 'print the result as JSON' });
const payload = Args.string({ ignoreStdin: true, description: 'key=value (string) or key:=json (typed), repeated' });

export const VERBS: readonly VerbSpec[] = [
  {
    name: 'send',
    strict: false,
    aliases: [],
    summary: 'send a request to a component and print its reply (no NAME: pick one from a list)',
    usage: 'send [NAME|@GROUP] [KEY=VALUE | KEY:=JSON]... [--data @FILE|JSON] [--timeout 5s] [--json]',
    flags: { data: Send.flags.data, timeout: Send.flags.timeout, json },
    // Not required here: without a NAME the REPL offers a pick-list on a terminal.
    args: { name: Args.string({ ignoreStdin: true, description: 'component name, or @group' }), payload },
    positional: 'component',
  },
  {
    name: 'broadcast',
    strict: false,
    aliases: [],
    summary: 'send a message to every component (or one group) and print who got it',
    usage: 'broadcast [KEY=VALUE | KEY:=JSON]... [--group G] [--data @FILE|JSON] [--timeout 5s] [--json]',
    flags: { group: Broadcast.flags.group, data: Broadcast.flags.data, timeout: Broadcast.flags.timeout, json },
    args: { payload },
    positional: 'none',
  },
  {
    name: 'components',
    strict: true,
    aliases: ['ls'],
    summary: 'list the registered components',
    usage: 'components [--group G] [--timeout 5s] [--json]',
    flags: { group: Components.flags.group, timeout: Components.flags.timeout, json },
    args: {},
    positional: 'none',
  },
  {
    name: 'tail',
    strict: false,
    aliases: [],
    summary: 'print live traffic and membership above the prompt: tail on [NAME...], tail off [NAME...], tail',
    usage: 'tail [on|off] [NAME]... [--bodies]',
    flags: { bodies: Tail.flags.bodies },
    args: { mode: Args.string({ ignoreStdin: true, options: ['on', 'off'], description: 'on or off; nothing shows what is tailed' }), names: Tail.args.names },
    positional: 'tail',
  },
  {
    name: 'shutdown',
    strict: true,
    aliases: [],
    summary: 'ask a component to shut down and print its answer',
    usage: 'shutdown NAME [--force] [--timeout 5s] [--json]',
    flags: { force: Shutdown.flags.force, timeout: Shutdown.flags.timeout, json },
    args: { name: Shutdown.args.name },
    positional: 'component',
  },
  {
    name: 'mesh',
    strict: false,
    aliases: [],
    summary: "inspect and steer a mesh node's links and routes (NODE: a component name or host:port)",
    usage: 'mesh routes|dot|status NODE [--json] | mesh dial NODE ADDR | mesh hangup NODE NAME|ADDR',
    flags: {},
    args: {},
    positional: 'none',
  },
  {
    name: 'help',
    strict: true,
    aliases: ['?'],
    summary: 'list the verbs, or show one verb in detail',
    usage: 'help [VERB]',
    flags: {},
    args: { verb: Args.string({ ignoreStdin: true }) },
    positional: 'verb',
  },
  { name: 'exit', strict: true, aliases: ['quit'], summary: 'leave the REPL (or press Ctrl-D)', usage: 'exit', flags: {}, args: {}, positional: 'none' },
];

/** The verb a word names (by name or alias), if any. */
export function findVerb(word: string): VerbSpec | undefined {
  return VERBS.find((v) => v.name === word || v.aliases.includes(word));
}

/** Every word that starts a command: names and aliases. */
export function verbWords(): string[] {
  return VERBS.flatMap((v) => [v.name, ...v.aliases]);
}

/** `--timeout`, `-d`...: the flag words a verb accepts. */
export function flagWords(spec: VerbSpec): string[] {
  return Object.entries(spec.flags).flatMap(([name, f]) => [`--${name}`, ...(f.char ? [`-${f.char}`] : [])]);
}

/** The text of `help` (no topic) or `help VERB`. */
export function helpText(topic?: string): string {
  if (topic === undefined) {
    const width = Math.max(...VERBS.map((v) => v.name.length));
    const lines = VERBS.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}${v.aliases.length ? ` (alias: ${v.aliases.join(', ')})` : ''}`);
    return [
      'verbs:',
      ...lines,
      '',
      'Payloads are written as for `botz send`: key=value, key:=json, --data @file. Quote like a shell.',
      'Tab completes verbs, flags and live component names; Up/Down recall history; Ctrl-C cancels; Ctrl-D exits.',
    ].join('\n');
  }
  const spec = findVerb(topic);
  if (!spec) return `no verb "${topic}"; type \`help\` for the list`;
  const flags = Object.entries(spec.flags).map(([name, f]) => {
    const word = `${f.char ? `-${f.char}, ` : '    '}--${name}${f.type === 'option' ? ` ${f.helpValue ?? `<${name}>`}` : ''}`;
    return `  ${word.padEnd(28)}  ${f.description ?? ''}`;
  });
  return [`usage: ${spec.usage}`, '', spec.summary, ...(flags.length ? ['', 'flags:', ...flags] : [])].join('\n');
}

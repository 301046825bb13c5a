/**
 * One spec, two parsers: every verb's flags and arguments, read by oclif (the commands, the
 * REPL) and by node's parseArgs (the fast path), must mean the same for the same argv. Where the
 * fast path is unsure it defers to oclif (undefined); it must never read an argv differently.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CONNECTION_FLAGS } from '../../src/cli/verbs/flags.js';
import { VERBS } from '../../src/cli/verbs/table.js';
import { parseWithNode } from '../../src/cli/verb-node.js';
import { parseWithOclif } from '../../src/cli/verb-oclif.js';
import { defineVerb, restArg, type ArgSpecs, type FlagSpec, type FlagSpecs, type Input } from '../../src/cli/verb.js';

/** A value of each kind a flag can be given, good and bad. */
const SAMPLES: Record<FlagSpec['type'], string[]> = {
  boolean: [],
  string: ['x y', '@body.json', '{"a":1}', '-', 'a=b'],
  integer: ['3', '0', '-2', 'x', '1.5'],
  duration: ['2s', '1500', '1.5m', 'soon'],
};

/** Ways of writing one flag with a value. */
function flagForms(name: string, spec: FlagSpec, value: string): string[][] {
  if (spec.type === 'boolean') return [[`--${name}`], ...(spec.char ? [[`-${spec.char}`]] : [])];
  const forms = [[`--${name}`, value], [`--${name}=${value}`]];
  if (spec.char) forms.push([`-${spec.char}`, value], [`-${spec.char}${value}`], [`-${spec.char}=${value}`]);
  return forms;
}

/** Positional words: what each argument takes, and a bit more or less. */
function positionals(args: ArgSpecs): string[][] {
  const rest = restArg(args);
  const fixed = Object.entries(args)
    .filter(([name]) => name !== rest)
    .map(([name]) => (name === 'name' ? '@workers' : `${name}-1`));
  const all = [fixed, fixed.slice(0, -1), [...fixed, 'extra']];
  if (rest) all.push([...fixed, 'a=1', 'b:=[2]', 'c=x y']);
  return all;
}

/** Argv to try for a verb: every flag in every form among the positionals, and a few oddities. */
function argvs(flags: FlagSpecs, args: ArgSpecs): string[][] {
  const out: string[][] = [];
  for (const words of positionals(args)) {
    out.push(words, [...words, '--json'], ['--json', ...words]);
    for (const [name, spec] of Object.entries(flags)) {
      for (const value of spec.type === 'boolean' ? [''] : [...SAMPLES[spec.type], ...(spec.type === 'string' ? (spec.options ?? []) : [])]) {
        for (const form of flagForms(name, spec, value)) {
          out.push([...words, ...form], [...form, ...words], [...words.slice(0, 1), ...form, ...words.slice(1)]);
        }
      }
      if (spec.type !== 'boolean') {
        const v = spec.type === 'string' ? 'v' : SAMPLES[spec.type][0];
        out.push([...words, `--${name}`, v, `--${name}`, v], [...words, `--${name}`, ''], [...words, `--${name}`], [...words, `--${name}`, '--json']);
      }
    }
    out.push([...words, '--bogus'], [...words, '--help'], [...words, '--', '-x'], [...words, '-1'], [...words, '--json=true']);
  }
  return out;
}

/** oclif's reading, or its error. */
async function oclif(flags: FlagSpecs, args: ArgSpecs, argv: string[]): Promise<Input | { error: string }> {
  try {
    return await parseWithOclif(flags, args, argv, { json: true });
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/**
 * What the fast path may leave to oclif although oclif would accept it: words after `--`, an
 * empty value, a negative number, a value that looks like a flag, a value given to a boolean
 * (`--json=true`). Everything else it must read itself.
 */
function unusual(argv: string[], flags: FlagSpecs): boolean {
  const booleanWithValue = (w: string) => /^--[^=]+=/.test(w) && (w.startsWith('--json=') || flags[w.slice(2, w.indexOf('='))]?.type === 'boolean');
  return argv.some((w, i) => w === '--' || w === '' || /^-\d/.test(w) || booleanWithValue(w) || (i > 0 && argv[i - 1].startsWith('-') && w.startsWith('-') && w !== '-'));
}

/** Checks every argv; returns those the fast path handed to oclif. */
async function compare(flags: FlagSpecs, args: ArgSpecs, list: string[][]): Promise<string[][]> {
  const deferred: string[][] = [];
  for (const argv of list) {
    const fast = parseWithNode(flags, args, argv, { json: true });
    const slow = await oclif(flags, args, argv);
    if (fast === undefined) {
      deferred.push(argv);
      // Handed over: oclif refuses it (and says why), or it is one of the odd cases.
      if (!('error' in slow)) expect({ argv, unusual: unusual(argv, flags) }).toEqual({ argv, unusual: true });
      continue;
    }
    expect({ argv, parsed: fast }).toEqual({ argv, parsed: slow });
  }
  return deferred;
}

const savedEnv = { ...process.env };
afterEach(() => {
  for (const key of ['BOTZ_SERVER', 'BOTZ_ENCRYPT']) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
});

describe.each(VERBS.map((v) => [v.name, v] as const))('%s: the fast path reads an argv as oclif does', (_name, verb) => {
  // As the command has them: its own flags and the connection flags.
  const flags: FlagSpecs = { ...CONNECTION_FLAGS, ...verb.flags };

  it('for every flag in every form, before, between and after the arguments', async () => {
    const deferred = await compare(flags, verb.args, argvs(flags, verb.args));
    const words = positionals(verb.args)[0];
    expect(deferred).not.toContainEqual(words);
    expect(deferred).not.toContainEqual([...words, '--json']);
  });

  it.each([
    [{ BOTZ_SERVER: '10.0.0.1:7400' }],
    [{ BOTZ_SERVER: '' }],
    [{ BOTZ_ENCRYPT: '1' }],
    [{ BOTZ_ENCRYPT: 'Yes' }],
    [{ BOTZ_ENCRYPT: 'on' }],
    [{ BOTZ_ENCRYPT: '' }],
    [{ BOTZ_ENCRYPT: ' 1' }],
  ])('with env %j', async (env) => {
    Object.assign(process.env, env);
    const words = positionals(verb.args)[0];
    const deferred = await compare(flags, verb.args, [words, [...words, '--server', '127.0.0.1:1'], [...words, '--encrypt']]);
    expect(deferred).toEqual([]);
  });
});

describe('flags no verb has yet read alike too', () => {
  // A repeatable header flag beside payload words (a future `send -H k:v`), bounded integers, options.
  const probe = defineVerb({
    name: 'probe',
    summary: 'probe',
    examples: [],
    args: { name: { required: true, description: 'n' }, payload: { rest: true, description: 'p' } },
    flags: {
      header: { type: 'string', char: 'H', multiple: true, description: 'h' },
      level: { type: 'integer', char: 'l', min: 1, max: 5, description: 'l' },
      mode: { type: 'string', options: ['fast', 'slow'], default: 'fast', description: 'm' },
      quiet: { type: 'boolean', char: 'q', description: 'q' },
    },
    run: async () => undefined,
  });

  it('in every form', async () => {
    const list = [
      ...argvs(probe.flags, probe.args),
      ['n', '-H', 'a:b', 'k=v', '-H', 'c:d'],
      ['n', '-H', 'a:b', '-H', 'a:b'],
      ['n', '-ql', '3', 'k=v'],
      ['n', '-q', '-l3'],
    ];
    const deferred = await compare(probe.flags, probe.args, list);
    expect(deferred).not.toContainEqual(['n', '-H', 'a:b', 'k=v', '-H', 'c:d']);
  });
});

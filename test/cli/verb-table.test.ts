/**
 * The table and its three users stay in step: every verb has its oclif command (at its id's
 * path, with its spec's flags and arguments), the REPL has every verb but the streaming `tail`
 * (it has its own), and the REPL's verbs carry no command-only flag.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONNECTION_FLAGS } from '../../src/cli/verbs/flags.js';
import { MESH_TOPIC } from '../../src/cli/verbs/mesh.js';
import { TOPICS, VERBS } from '../../src/cli/verbs/table.js';
import { tailVerb } from '../../src/cli/verbs/tail.js';
import { restArg, verbId } from '../../src/cli/verb.js';
import { REPL_VERBS } from '../../src/repl/verbs.js';
import { ROOT } from '../e2e/harness.js';

describe.each(VERBS.map((v) => [v.name, v] as const))('%s', (_name, verb) => {
  it('has its oclif command, made from its spec', async () => {
    const file = join(ROOT, 'src', 'commands', ...verbId(verb).split(':')) + '.ts';
    const { default: command } = await import(file);
    expect(command.summary).toBe(verb.summary);
    expect(command.description).toBe(verb.description);
    expect(command.examples).toEqual(verb.examples);
    expect(command.enableJsonFlag).toBe(true);
    expect(command.strict).toBe(restArg(verb.args) === undefined);
    expect(Object.keys(command.flags)).toEqual([...Object.keys(CONNECTION_FLAGS), ...Object.keys(verb.flags)]);
    expect(Object.keys(command.args)).toEqual(Object.keys(verb.args));
    // A command stays thin: its file only hands the verb to commandFor.
    expect(readFileSync(file, 'utf8').trim().split('\n').filter((l) => l.trim() !== '')).toHaveLength(3);
  });

  it('is a REPL verb (but for the streaming tail), without command-only or connection flags', () => {
    const repl = REPL_VERBS.find((r) => r.verb === verb);
    if (verb === tailVerb) return expect(repl).toBeUndefined();
    expect(repl).toBeDefined();
    expect(repl!.name).toBe(verb.name);
    for (const [name, flag] of Object.entries(repl!.flags)) {
      expect({ name, commandOnly: flag.commandOnly ?? false }).toEqual({ name, commandOnly: false });
      expect(Object.keys(CONNECTION_FLAGS)).not.toContain(name);
    }
    expect(repl!.flags.json).toMatchObject({ type: 'boolean' });
  });
});

describe('topics', () => {
  it('are what package.json tells oclif', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { oclif: { topics: Record<string, { description: string }> } };
    // Every topic of the verbs is there as the verbs say; the CLI may have more (context: no REPL verbs).
    expect(Object.fromEntries(Object.entries(pkg.oclif.topics).map(([t, { description }]) => [t, description]))).toMatchObject(TOPICS);
    expect(TOPICS.mesh).toBe(MESH_TOPIC);
  });

  it('group verbs named `TOPIC VERB`', () => {
    for (const verb of VERBS.filter((v) => v.name.includes(' '))) expect(Object.keys(TOPICS)).toContain(verb.name.split(' ')[0]);
  });
});

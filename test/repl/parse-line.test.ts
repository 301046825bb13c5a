import { Parser } from '@oclif/core';
import { describe, expect, it } from 'vitest';
import Broadcast from '../../src/commands/broadcast.js';
import Send from '../../src/commands/send.js';
import { buildBody } from '../../src/cli/payload.js';
import { parseLine } from '../../src/repl/parse-line.js';
import { tokenize } from '../../src/repl/tokenize.js';

describe('parseLine', () => {
  it('send echo a=1 b:=2 --timeout 2s', async () => {
    const inv = await parseLine('send echo a=1 b:=2 --timeout 2s');
    expect(inv).toEqual({ verb: 'send', target: 'echo', assignments: ['a=1', 'b:=2'], data: undefined, timeoutMs: 2000, json: false });
  });

  it('means what `botz send` parses from the same words', async () => {
    const line = `send @workers 'msg=hello world' n:=3 -d '{"base":true}' --timeout=1.5s --json`;
    const words = tokenize(line).slice(1);
    // What oclif gives the send command for these words (minus --json, which oclif adds at run time).
    const cli = await Parser.parse(words.filter((w) => w !== '--json'), { flags: Send.flags, args: Send.args, strict: false });
    const inv = await parseLine(line);
    if (inv.verb !== 'send') throw new Error(inv.verb);
    expect(inv.target).toBe(cli.args.name);
    expect(inv.assignments).toEqual((cli.argv as string[]).slice(1));
    expect(inv.timeoutMs).toBe(cli.flags.timeout);
    expect(inv.data).toBe(cli.flags.data);
    expect(inv.json).toBe(true);
    expect(buildBody(inv.assignments, JSON.parse(inv.data!))).toEqual({ base: true, msg: 'hello world', n: 3 });
  });

  it('broadcast takes the group and timeout flags of `botz broadcast`', async () => {
    const inv = await parseLine('broadcast reload=now -g workers');
    const cli = await Parser.parse(['reload=now', '-g', 'workers'], { flags: Broadcast.flags, args: Broadcast.args, strict: false });
    expect(inv).toEqual({ verb: 'broadcast', assignments: ['reload=now'], group: 'workers', data: undefined, timeoutMs: cli.flags.timeout, json: false });
  });

  it.each([
    ['ls', { verb: 'components', group: undefined, timeoutMs: 5000, json: false }],
    ['components --group svc --json', { verb: 'components', group: 'svc', timeoutMs: 5000, json: true }],
    ['shutdown echo --force', { verb: 'shutdown', name: 'echo', force: true, timeoutMs: 5000, json: false }],
    ['tail', { verb: 'tail', mode: undefined, names: [], bodies: false }],
    ['tail on echo worker --bodies', { verb: 'tail', mode: 'on', names: ['echo', 'worker'], bodies: true }],
    ['tail off', { verb: 'tail', mode: 'off', names: [], bodies: false }],
    ['help send', { verb: 'help', topic: 'send' }],
    ['help', { verb: 'help', topic: undefined }],
    ['quit', { verb: 'exit' }],
    ['mesh routes', { verb: 'mesh', words: ['routes'] }],
    ['', { verb: 'empty' }],
    ['# a comment', { verb: 'empty' }],
  ])('%s', async (line, expected) => {
    expect(await parseLine(line)).toEqual(expected);
  });

  it('send without a name (or with a payload first) leaves the target to the pick-list', async () => {
    expect(await parseLine('send')).toMatchObject({ verb: 'send', target: undefined, assignments: [] });
    expect(await parseLine('send a=1')).toMatchObject({ verb: 'send', target: undefined, assignments: ['a=1'] });
  });

  it('an unknown verb and bad quoting are INVALID_ARGUMENT', async () => {
    await expect(parseLine('sned echo')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(parseLine(`send echo 'a=1`)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(parseLine('send echo --data -')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(parseLine('send echo --timeout soon')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('flag errors are oclif parse errors, as in the commands', async () => {
    await expect(parseLine('send echo --bogus')).rejects.toHaveProperty('parse');
    await expect(parseLine('components --bogus')).rejects.toHaveProperty('parse');
    await expect(parseLine('shutdown')).rejects.toHaveProperty('parse');
    await expect(parseLine('tail maybe')).rejects.toHaveProperty('parse');
  });
});

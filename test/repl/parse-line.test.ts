import { Parser } from '@oclif/core';
import { describe, expect, it } from 'vitest';
import Broadcast from '../../src/commands/broadcast.js';
import Send from '../../src/commands/send.js';
import { buildBody } from '../../src/cli/payload.js';
import { parseLine, type Invocation } from '../../src/repl/parse-line.js';
import { tokenize } from '../../src/repl/tokenize.js';

/** The verb a line named and what it gave it, as plain data. */
const shape = (inv: Invocation | undefined) => inv && { verb: inv.spec.name, ...inv.input };

describe('parseLine', () => {
  it('send echo a=1 b:=2 --timeout 2s', async () => {
    expect(shape(await parseLine('send echo a=1 b:=2 --timeout 2s'))).toEqual({
      verb: 'send',
      args: { name: 'echo', payload: ['a=1', 'b:=2'] },
      flags: { data: undefined, header: [], timeout: 2000, raw: false, stream: false, json: false },
      json: false,
    });
  });

  it('means what `botz send` parses from the same words', async () => {
    const line = `send @workers 'msg=hello world' n:=3 -d '{"base":true}' --timeout=1.5s --json`;
    const words = tokenize(line).slice(1);
    // What oclif gives the send command for these words (minus --json, which oclif adds at run time).
    const cli = await Parser.parse(words.filter((w) => w !== '--json'), { flags: Send.flags, args: Send.args, strict: Send.strict });
    const inv = (await parseLine(line))!;
    expect(inv.spec.name).toBe('send');
    expect(inv.input.args.name).toBe(cli.args.name);
    expect(inv.input.args.payload).toEqual((cli.argv as string[]).slice(1));
    expect(inv.input.flags.timeout).toBe(cli.flags.timeout);
    expect(inv.input.flags.data).toBe(cli.flags.data);
    expect(inv.input.json).toBe(true);
    expect(buildBody(inv.input.args.payload, JSON.parse(inv.input.flags.data))).toEqual({ base: true, msg: 'hello world', n: 3 });
  });

  it('broadcast takes the group and timeout flags of `botz broadcast`', async () => {
    const inv = await parseLine('broadcast reload=now -g workers');
    const cli = await Parser.parse(['reload=now', '-g', 'workers'], { flags: Broadcast.flags, args: Broadcast.args, strict: Broadcast.strict });
    expect(shape(inv)).toEqual({
      verb: 'broadcast',
      args: { payload: ['reload=now'] },
      flags: { group: 'workers', data: undefined, header: [], timeout: cli.flags.timeout, json: false },
      json: false,
    });
  });

  it.each([
    ['ls', { verb: 'components', args: {}, flags: { group: undefined, timeout: 5000, json: false }, json: false }],
    ['components --group svc --json', { verb: 'components', args: {}, flags: { group: 'svc', timeout: 5000, json: true }, json: true }],
    ['shutdown echo --force', { verb: 'shutdown', args: { name: 'echo' }, flags: { force: true, timeout: 5000, json: false }, json: false }],
    ['tail', { verb: 'tail', args: { mode: undefined, names: [] }, flags: { bodies: false }, json: false }],
    ['tail on echo worker --bodies', { verb: 'tail', args: { mode: 'on', names: ['echo', 'worker'] }, flags: { bodies: true }, json: false }],
    ['tail off', { verb: 'tail', args: { mode: 'off', names: [] }, flags: { bodies: false }, json: false }],
    ['help send', { verb: 'help', args: { topic: ['send'] }, flags: {}, json: false }],
    ['help mesh routes', { verb: 'help', args: { topic: ['mesh', 'routes'] }, flags: {}, json: false }],
    ['help', { verb: 'help', args: { topic: [] }, flags: {}, json: false }],
    ['quit', { verb: 'exit', args: {}, flags: {}, json: false }],
    ['mesh routes n1 --json', { verb: 'mesh routes', args: { node: 'n1' }, flags: { timeout: 5000, json: true }, json: true }],
    ['mesh dial n1 127.0.0.1:7413', { verb: 'mesh dial', args: { node: 'n1', address: '127.0.0.1:7413' }, flags: { timeout: 5000, json: false }, json: false }],
    ['mesh dot n1 --png g.png', { verb: 'mesh dot', args: { node: 'n1' }, flags: { timeout: 5000, png: 'g.png', json: false }, json: false }],
  ])('%s', async (line, expected) => {
    expect(shape(await parseLine(line))).toEqual(expected);
  });

  it.each([[''], ['   '], ['# a comment']])('%j is nothing to run', async (line) => {
    expect(await parseLine(line)).toBeUndefined();
  });

  it('send without a name (or with a payload first) leaves the target to the pick-list', async () => {
    expect(shape(await parseLine('send'))).toMatchObject({ verb: 'send', args: { name: undefined, payload: [] } });
    expect(shape(await parseLine('send a=1'))).toMatchObject({ verb: 'send', args: { name: undefined, payload: ['a=1'] } });
  });

  it('the REPL has no command-only flags: no connection flags, no --via, no --watch', async () => {
    for (const line of ['send echo --via 127.0.0.1:7411', 'send echo --server 127.0.0.1:1', 'ls --watch', 'components --encrypt']) {
      await expect(parseLine(line)).rejects.toHaveProperty('parse');
    }
  });

  it('an unknown verb and bad quoting are INVALID_ARGUMENT', async () => {
    await expect(parseLine('sned echo')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(parseLine(`send echo 'a=1`)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(parseLine('send echo --data -')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(parseLine('send echo --timeout soon')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(parseLine('mesh fly rm-a')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: 'unknown mesh verb "fly"' });
    await expect(parseLine('mesh')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('flag and argument errors are oclif parse errors, as in the commands', async () => {
    await expect(parseLine('send echo --bogus')).rejects.toHaveProperty('parse');
    await expect(parseLine('components --bogus')).rejects.toHaveProperty('parse');
    await expect(parseLine('shutdown')).rejects.toHaveProperty('parse');
    await expect(parseLine('tail maybe')).rejects.toHaveProperty('parse');
    await expect(parseLine('mesh routes')).rejects.toHaveProperty('parse');
    await expect(parseLine('mesh dial rm-a')).rejects.toHaveProperty('parse');
    await expect(parseLine('mesh routes rm-a extra')).rejects.toHaveProperty('parse');
  });
});

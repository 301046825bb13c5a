import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../src/cli/did-you-mean.js';
import { normalizeBooleanFlags } from '../../src/cli/flag-forms.js';
import { checkServerAddress } from '../../src/cli/server-address.js';
import { fileProblem, systemErrorSentence } from '../../src/cli/system-errors.js';
import { oclifUsageMessage } from '../../src/cli/usage-error.js';

describe('oclifUsageMessage', () => {
  const parse = (message: string, extra: object = {}) => Object.assign(new Error(message), { parse: {} }, extra);
  it.each([
    [parse('Missing 1 required arg:\nname  component name\nSee more help with --help', { args: [{ name: 'name', description: 'component name' }] }), 'missing NAME (component name)'],
    [new Error('Flag --timeout expects a value'), '--timeout needs a value'],
    [new Error('Flag --timeout can only be specified once'), '--timeout was given more than once; give it once'],
    [new Error('Parsing --count \n\tExpected an integer but received: abc\nSee more help with --help'), '--count: Expected an integer but received: abc'],
    [
      parse('The following errors occurred:\n  \x1b[2m--echo=true cannot also be provided when using --exec\n  --exec=cat cannot also be provided when using --echo\x1b[22m'),
      '--echo and --exec cannot be used together',
    ],
    [parse('The following error occurred:\n All of the following must be provided when using --degree: --mesh'), '--degree needs --mesh'],
    [new Error('boom'), undefined],
    ['text', undefined],
  ])('%#', (err, line) => {
    expect(oclifUsageMessage(err)).toBe(line);
  });
});

describe('didYouMean', () => {
  const verbs = ['send', 'broadcast', 'components', 'tail', 'serve', 'mesh routes', 'mesh status'];
  it.each([
    ['sned', 'send'],
    ['snd', 'send'],
    ['brodcast', 'broadcast'],
    ['tial', 'tail'],
    ['mesh rootes', 'mesh routes'],
    ['comp', 'components'],
    ['frobnicate', undefined],
    ['x', undefined],
  ])('%s → %s', (typed, near) => {
    expect(didYouMean(typed, verbs)).toBe(near);
  });
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('sned', 'send')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('normalizeBooleanFlags', () => {
  const booleans = new Set(['encrypt', 'json']);
  it.each([
    [['echo', 'a=1', '--encrypt=true'], ['echo', 'a=1', '--encrypt']],
    [['echo', '--encrypt=false', 'a=1'], ['echo', 'a=1']],
    [['echo', '--json=YES'], ['echo', '--json']],
    [['echo', '--timeout=1s'], ['echo', '--timeout=1s']],
    [['echo', '--encrypt=maybe'], ['echo', '--encrypt=maybe']],
    [['echo', '--', '--encrypt=true'], ['echo', '--', '--encrypt=true']],
  ])('%j', (argv, out) => {
    expect(normalizeBooleanFlags(argv, booleans)).toEqual(out);
  });
});

describe('checkServerAddress', () => {
  it.each(['127.0.0.1:7300', 'localhost:1', 'my-host.example.com:65535', '[::1]:7300'])('accepts %s', (a) => {
    expect(checkServerAddress(a)).toBe(a);
  });
  it.each([
    ['7300', /add the host/],
    ['http://127.0.0.1:7300', /drop the scheme/],
    ['127.0.0.1', /HOST:PORT/],
    ['127.0.0.1:0', /1 to 65535/],
    ['127.0.0.1:99999', /1 to 65535/],
    ['', /HOST:PORT/],
  ])('refuses %j', (a, hint) => {
    expect(() => checkServerAddress(a)).toThrow(hint);
    try {
      checkServerAddress(a);
    } catch (e) {
      expect((e as { code: string }).code).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('system errors', () => {
  it.each([
    ['EISDIR', 'is a directory, not a file'],
    ['ENOENT', 'does not exist (no such file)'],
    ['EACCES', 'cannot be read (permission denied)'],
  ])('%s', (code, text) => {
    expect(fileProblem(Object.assign(new Error('x'), { code }))).toBe(text);
  });
  it('names the address and the host', () => {
    expect(systemErrorSentence({ code: 'EADDRNOTAVAIL', address: '10.9.9.9' })).toMatch(/^10\.9\.9\.9 is not an address of this machine/);
    expect(systemErrorSentence({ code: 'ENOTFOUND', hostname: 'nosuch.invalid' })).toMatch(/^host nosuch\.invalid not found/);
    expect(systemErrorSentence({ code: 'EPIPE' })).toBeUndefined();
  });
});

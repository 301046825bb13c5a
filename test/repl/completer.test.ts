import { describe, expect, it } from 'vitest';
import { complete } from '../../src/repl/completer.js';

const net = { components: ['echo', 'echo-2', 'worker-1'], groups: ['svc'] };

describe('complete', () => {
  it.each([
    ['', ['?', 'broadcast', 'check', 'clear', 'cls', 'components', 'connect', 'exit', 'help', 'ls', 'mesh', 'ping', 'quit', 'send', 'shutdown', 'tail'], ''],
    ['se', ['send '], 'se'],
    ['s', ['send', 'shutdown'], 's'],
    ['send ', ['@svc', 'echo', 'echo-2', 'worker-1'], ''],
    ['send ec', ['echo', 'echo-2'], 'ec'],
    ['send wo', ['worker-1 '], 'wo'],
    ['send @', ['@svc '], '@'],
    ['send echo ', [], ''],
    ['send echo a=1 --t', ['--timeout '], '--t'],
    ['send echo --', ['--data', '--header', '--json', '--raw', '--stream', '--timeout'], '--'],
    ['send --timeout 2s ec', ['echo', 'echo-2'], 'ec'],
    ['send --timeout ', [], ''],
    ['broadcast --group ', ['svc '], ''],
    ['broadcast -g s', ['svc '], 's'],
    ['broadcast x', [], 'x'],
    ['shutdown w', ['worker-1 '], 'w'],
    ['shutdown echo --f', ['--force '], '--f'],
    ['tail ', ['off', 'on'], ''],
    ['tail on ', ['echo', 'echo-2', 'worker-1'], ''],
    ['tail on echo ', ['echo-2', 'worker-1'], ''],
    ['tail off w', ['worker-1 '], 'w'],
    ['help sh', ['shutdown '], 'sh'],
    ['ls --', ['--group', '--json', '--timeout'], '--'],
    ['nosuchverb ', [], ''],
    ['mesh rou', ['routes '], 'rou'],
    ['mesh routes w', ['worker-1 '], 'w'],
    ['help mesh r', ['routes '], 'r'],
    [`send 'wo`, [`'worker-1' `], `'wo`],
  ])('%j', (line, hits, word) => {
    expect(complete(line, net)).toEqual([hits, word]);
  });

  it('offers names that joined since, as the sources change', () => {
    const live = { components: ['echo'], groups: [] as string[] };
    expect(complete('send la', live)[0]).toEqual([]);
    live.components = ['echo', 'late'];
    expect(complete('send la', live)[0]).toEqual(['late ']);
  });

  it('every candidate starts with the word being completed (readline relies on it)', () => {
    for (const line of ['', 's', 'send e', 'tail on ', 'send --', `send 'e`]) {
      const [hits, word] = complete(line, net);
      for (const h of hits) expect(h.startsWith(word)).toBe(true);
    }
  });
});

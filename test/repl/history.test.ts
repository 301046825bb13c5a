import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryFile, historyPath, parseHistory, shouldRecord } from '../../src/repl/history.js';

describe('parseHistory', () => {
  it('turns the file (oldest first) into readline order (newest first) without blanks or repeats', () => {
    expect(parseHistory('ls\nsend echo a=1\n\nsend echo a=1\r\ntail on\n')).toEqual(['tail on', 'send echo a=1', 'ls']);
  });
  it('keeps the newest `max` entries', () => {
    expect(parseHistory('a\nb\nc\nd\n', 2)).toEqual(['d', 'c']);
  });
  it.each([
    ['', undefined, false],
    ['   ', undefined, false],
    ['ls', 'ls', false],
    ['ls', 'tail on', true],
  ])('shouldRecord(%j, %j) is %s', (line, newest, expected) => {
    expect(shouldRecord(line, newest)).toBe(expected);
  });
});

describe('HistoryFile', () => {
  it('appends entered lines to <config dir>/repl_history (0600) and loads them back newest first', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'botz-hist-')), 'nested');
    const first = new HistoryFile(historyPath(dir));
    expect(await first.load()).toEqual([]);
    await first.record('send echo a=1');
    await first.record('send echo a=1');
    await first.record('ls');
    expect(await readFile(historyPath(dir), 'utf8')).toBe('send echo a=1\nls\n');
    expect((await stat(historyPath(dir))).mode & 0o777).toBe(0o600);
    expect(await new HistoryFile(historyPath(dir)).load()).toEqual(['ls', 'send echo a=1']);
  });

  it('compacts a file that grew far past the limit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'botz-hist-'));
    await writeFile(historyPath(dir), Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n') + '\n');
    const h = new HistoryFile(historyPath(dir));
    expect(await h.load(10)).toHaveLength(10);
    expect((await readFile(historyPath(dir), 'utf8')).trim().split('\n')).toEqual(Array.from({ length: 10 }, (_, i) => `line ${40 + i}`));
  });
});

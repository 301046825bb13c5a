/**
 * The keyring file of a running process (issue 18): it follows the file when it changes, and at
 * once on SIGUSR2 (SIGHUP stops a foreground command, issue 17, so it cannot be the reload
 * signal). The signal is emitted in-process: its listeners run synchronously.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchKeyringFile } from '../../src/cli/keyring-file.js';
import { Keyring } from '../../src/lib/wire/keyring.js';

const OLD = 'old-secret-0123456789abcdef';
const NEW = 'new-secret-0123456789abcdef';
let dir: string;
let stop: (() => void) | undefined;
afterEach(() => {
  stop?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('watchKeyringFile', () => {
  it('reloads the file at once on SIGUSR2, and stops listening when told', () => {
    dir = mkdtempSync(join(tmpdir(), 'botz-keyring-'));
    const path = join(dir, 'secret');
    writeFileSync(path, `${OLD}\n`);
    const keyring = new Keyring([OLD]);
    const reloaded: string[][] = [];
    stop = watchKeyringFile(path, keyring, { reloaded: (ids) => reloaded.push(ids) });
    writeFileSync(path, `${NEW}\n${OLD}\n`);
    process.emit('SIGUSR2', 'SIGUSR2');
    expect(keyring.ids).toEqual(new Keyring([NEW, OLD]).ids);
    expect(reloaded).toHaveLength(1);
    stop();
    stop = undefined;
    writeFileSync(path, `${NEW}\n`);
    process.emit('SIGUSR2', 'SIGUSR2');
    expect(keyring.ids).toEqual(new Keyring([NEW, OLD]).ids);
  });
});

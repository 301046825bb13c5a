import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configDir, ensureSecret, findSecret, requireSecret } from '../../src/cli/secret.js';

const tmp = () => mkdtemp(join(tmpdir(), 'botz-secret-'));

describe('configDir', () => {
  it('prefers BOTZ_CONFIG_DIR, then oclif, then XDG_CONFIG_HOME', () => {
    expect(configDir({ BOTZ_CONFIG_DIR: '/a' }, '/b')).toBe('/a');
    expect(configDir({}, '/b')).toBe('/b');
    expect(configDir({ XDG_CONFIG_HOME: '/x' })).toBe('/x/botz');
  });
});

describe('secret resolution', () => {
  it('takes env BOTZ_SECRET first', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'file'), 'from-file');
    expect(await findSecret({ env: { BOTZ_SECRET: 'from-env' }, secretFile: join(dir, 'file'), configDir: dir })).toEqual({
      secret: 'from-env',
      from: 'env',
    });
  });

  it('then --secret-file, without its trailing newline', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'file'), 'from-file\n');
    expect(await findSecret({ env: {}, secretFile: join(dir, 'file'), configDir: dir })).toMatchObject({ secret: 'from-file', from: 'secret-file' });
  });

  it('rejects a missing --secret-file as usage', async () => {
    const dir = await tmp();
    await expect(findSecret({ env: {}, secretFile: join(dir, 'nope'), configDir: dir })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('requireSecret says how to configure one when there is none', async () => {
    const dir = await tmp();
    await expect(requireSecret({ env: {}, configDir: dir })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('ensureSecret creates a 0600 secret once, and clients then find it', async () => {
    const dir = join(await tmp(), 'nested');
    const first = await ensureSecret({ env: {}, configDir: dir });
    expect(first.created).toBe(true);
    expect(first.secret.length).toBeGreaterThanOrEqual(32);
    expect((await stat(join(dir, 'secret'))).mode & 0o777).toBe(0o600);
    expect((await readFile(join(dir, 'secret'), 'utf8')).trim()).toBe(first.secret);
    const second = await ensureSecret({ env: {}, configDir: dir });
    expect(second).toMatchObject({ created: false, secret: first.secret });
    expect(await requireSecret({ env: {}, configDir: dir })).toMatchObject({ secret: first.secret, from: 'config' });
  });
});

/** Issue 17: the library's way to the secret the CLI uses, and a missing secret as a BotzError. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BotzError, loadSecret, MemoryNetwork, Server } from '../../src/index.js';

describe('loadSecret', () => {
  it('takes BOTZ_SECRET first', async () => {
    expect(await loadSecret({ env: { BOTZ_SECRET: 'from-env' } })).toBe('from-env');
  });

  it('then the secret `botz serve` created in the config directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'botz-load-secret-'));
    await writeFile(join(dir, 'secret'), 'from-the-file-0123456789abcdef\n');
    expect(await loadSecret({ env: { BOTZ_CONFIG_DIR: dir } })).toBe('from-the-file-0123456789abcdef');
    expect(await loadSecret({ env: {}, configDir: dir })).toBe('from-the-file-0123456789abcdef');
  });

  it('throws INVALID_ARGUMENT saying where it looked when there is none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'botz-load-secret-'));
    const error = await loadSecret({ env: { BOTZ_CONFIG_DIR: dir } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BotzError);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((error as Error).message).toMatch(/BOTZ_SECRET/);
    expect((error as Error).message).toContain(join(dir, 'secret'));
  });
});

describe('Server.start without a secret', () => {
  it('is a BotzError INVALID_ARGUMENT, not a TypeError', async () => {
    const transport = new MemoryNetwork().transport();
    const error = await Server.start({ port: 0, secret: undefined as unknown as string, transport } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BotzError);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((error as Error).message).toMatch(/loadSecret/);
  });
});

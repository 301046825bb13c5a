/**
 * The browser build's entry (`botz/browser`) refuses at once what a page cannot do, saying why,
 * before it dials anything. (It runs in Node here: these checks come before any browser API.)
 */
import { describe, expect, it } from 'vitest';
import { Client, Component } from '../../../src/lib/browser/index.js';

const base = { server: '127.0.0.1:1', secret: 'a secret of sixteen bytes or more', name: 'page' };

describe('botz/browser', () => {
  it('refuses a per-component credential (not in the browser build yet) with INVALID_ARGUMENT', async () => {
    const identity = { credential: {} } as never;
    await expect(Component.start({ ...base, identity })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('credential') });
    await expect(Client.connect({ server: base.server, identity })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refuses a listener or a mesh: a page is relay-only', async () => {
    await expect(Component.start({ ...base, port: 0 } as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(Component.start({ ...base, mesh: {} } as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

/**
 * The browser build's entry (`botz/browser`) refuses at once what a page cannot do, saying why,
 * before it dials anything. (It runs in Node here: these checks come before any browser API.)
 */
import { describe, expect, it } from 'vitest';
import { Client, Component, loadCredential } from '../../../src/lib/browser/index.js';
import { ALL_PERMISSIONS } from '../../../src/lib/identity/grant.js';
import { issueCredential } from '../../../src/lib/identity/issuer.js';
import { newEd25519 } from '../../../src/lib/identity/keys.js';

const base = { server: '127.0.0.1:1', secret: 'a secret of sixteen bytes or more', name: 'page' };

describe('botz/browser', () => {
  const { file } = issueCredential(newEd25519(), { name: 'page', permissions: ALL_PERMISSIONS, now: 0, expiresAt: null });

  it('takes a credential file as its text or its JSON (loadCredential), and refuses what is not one with CREDENTIAL_REJECTED', () => {
    expect(loadCredential(JSON.stringify(file))).toMatchObject({ name: 'page', token: file.grant });
    expect(loadCredential(file)).toMatchObject({ name: 'page' });
    expect(() => loadCredential('{not json')).toThrow(expect.objectContaining({ code: 'CREDENTIAL_REJECTED' }));
    expect(() => loadCredential('{}')).toThrow(expect.objectContaining({ code: 'CREDENTIAL_REJECTED' }));
  });

  it('a component with a credential takes the credential’s name: another is refused before it dials (INVALID_ARGUMENT)', async () => {
    const identity = { credential: loadCredential(file) };
    await expect(Component.start({ server: base.server, name: 'other', identity })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('"page"') });
    // Its own name gets as far as dialing (nothing listens there).
    await expect(Component.start({ server: base.server, name: 'page', identity, connectTimeoutMs: 2000 })).rejects.toMatchObject({ code: 'SERVER_UNREACHABLE' });
    await expect(Client.connect({ server: base.server, identity, connectTimeoutMs: 2000 })).rejects.toMatchObject({ code: 'SERVER_UNREACHABLE' });
  });

  it('refuses a listener or a mesh: a page is relay-only', async () => {
    await expect(Component.start({ ...base, port: 0 } as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(Component.start({ ...base, mesh: {} } as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

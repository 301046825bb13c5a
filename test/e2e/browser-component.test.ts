/**
 * A botz component in a real Chromium page (the example page, examples/browser-component.html,
 * loading the browser build dist/browser/botz.js) against a real `botz serve`: it registers
 * through the relay, answers `botz send` from a CLI child process, and sends its own request
 * to a Node echo (`botz register --echo`); the same on a network that encrypts (`serve
 * --encrypt`, AES-256-GCM through WebCrypto), and the PROTOCOL.md packet vectors checked in
 * the page. Pages with a per-component credential (`botz creds issue`) instead of the secret:
 * they register under the credential's name and answer, and a credential for another name,
 * revoked, expired or of another issuer is refused with the error a Node component gets. One
 * Chromium and one file server for the whole file. Needs a build (dist/).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserPlugin } from '../../scripts/browser-plugin.mjs';
import { ALL_PERMISSIONS } from '../../src/lib/identity/grant.js';
import { issueCredential } from '../../src/lib/identity/issuer.js';
import { newEd25519 } from '../../src/lib/identity/keys.js';
import { IssuerStore } from '../../src/lib/identity/store.js';
import { launchChromium, staticServer } from '../helpers/chromium.js';
import { ROOT, runBotz, startNetwork, type Network } from './harness.js';

// What the functions passed to page.evaluate/waitForFunction name: they run in the page, which has the DOM (these files are checked without it).
declare const document: any;

let net: Network;
let encrypted: Network;
let browser: Browser;
let files: Awaited<ReturnType<typeof staticServer>>;
let page: Page;

beforeAll(async () => {
  [net, encrypted, browser, files] = await Promise.all([startNetwork(), startNetwork(['--encrypt']), launchChromium(), staticServer(ROOT)]);
  await Promise.all([net.register('echo', '--echo'), encrypted.register('echo', '--echo')]);
  page = await browser.newPage();
  await page.goto(`${files.origin}/examples/browser-component.html`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await files?.close();
  await net?.stop();
  await encrypted?.stop();
});

/** Joins the example page to `network` as `name`; resolves once it says it registered. */
async function joinPage(on: Page, network: Network, name: string): Promise<void> {
  const secret = (await readFile(join(network.configDir, 'secret'), 'utf8')).trim();
  await on.fill('#server', network.address);
  await on.fill('#secret', secret);
  await on.fill('#name', name);
  await on.click('#join button');
  await on.waitForFunction(() => /^(registered as|failed)/.test(document.getElementById('status')!.textContent!));
  expect(await on.textContent('#status')).toMatch(new RegExp(`^registered as ${name}`));
}

describe('a component in a browser page', () => {
  it('registers through the relay, answers botz send from the CLI, and sends its own request to a Node echo', async () => {
    const secret = (await readFile(join(net.configDir, 'secret'), 'utf8')).trim();
    await page.fill('#server', net.address);
    await page.fill('#secret', secret);
    await page.fill('#name', 'page-1');
    await page.click('#join button');
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('registered as page-1'));

    const listed = await runBotz(['components', '--json'], net.env);
    expect(JSON.parse(listed.stdout)).toContainEqual(expect.objectContaining({ name: 'page-1', address: null, state: 'ready' }));

    const sent = await runBotz(['send', 'page-1', 'greeting=hello', 'n:=3', '--json'], net.env);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout)).toEqual({ answeredBy: 'browser', got: { greeting: 'hello', n: 3 } });
    await page.waitForFunction(() => document.getElementById('log')!.textContent!.includes('{"greeting":"hello","n":3}'));

    await page.fill('#to', 'echo');
    await page.fill('#body', '{"from":"the page","list":[1,2]}');
    await page.click('#send button');
    await page.waitForFunction(() => document.getElementById('reply')!.textContent !== '');
    expect(JSON.parse((await page.textContent('#reply'))!)).toEqual({ from: 'the page', list: [1, 2] });
  }, 30_000);

  it('a wrong secret is refused with AUTH_FAILED, and the secret never reaches the URL', async () => {
    const other = await browser.newPage();
    await other.goto(`${files.origin}/examples/browser-component.html`);
    await other.fill('#server', net.address);
    await other.fill('#secret', 'not the secret of this network!');
    await other.fill('#name', 'page-2');
    await other.click('#join button');
    await other.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('failed'));
    expect(await other.textContent('#status')).toContain('AUTH_FAILED');
    expect(other.url()).not.toContain('secret');
    await other.close();
  }, 30_000);
});

describe('a component in a browser page on a network that encrypts (serve --encrypt)', () => {
  // The server's welcome says encrypt, and from the auth on it refuses any plaintext packet on the
  // link (ENCRYPTION_REQUIRED, closing the link in the handshake): a page that joins and answers encrypts.
  it('joins, answers botz send, and reaches a Node echo, every packet AES-256-GCM both ways', async () => {
    const other = await browser.newPage();
    await other.goto(`${files.origin}/examples/browser-component.html`);
    await joinPage(other, encrypted, 'page-3');

    const sent = await runBotz(['send', 'page-3', 'greeting=sealed', '--json'], encrypted.env);
    expect(sent.stderr).toBe('');
    expect(JSON.parse(sent.stdout)).toEqual({ answeredBy: 'browser', got: { greeting: 'sealed' } });

    await other.fill('#to', 'echo');
    await other.fill('#body', '{"secret":"stays secret"}');
    await other.click('#send button');
    await other.waitForFunction(() => document.getElementById('reply')!.textContent !== '');
    expect(JSON.parse((await other.textContent('#reply'))!)).toEqual({ secret: 'stays secret' });
    await other.close();
  }, 30_000);

  it('the browser build agrees with every PROTOCOL.md packet vector (sealing, opening, refusing), in Chromium', async () => {
    const vectors = (name: string) => readFile(join(ROOT, 'test/vectors', name), 'utf8').then((t) => JSON.parse(t));
    const [{ keys }, packets, rejected] = await Promise.all([vectors('keys.json'), vectors('packets.json'), vectors('rejected.json')]);
    const other = await pageWithScript('packet-vectors.ts');
    const found = await other.evaluate(([k, p, r]) => (globalThis as any).botzPacketVectors(k, p, r), [keys, packets, rejected] as const);
    await other.close();

    expect(packets.vectors.filter((v: { header: { encrypted: boolean } }) => v.header.encrypted).length).toBeGreaterThanOrEqual(2);
    for (const v of packets.vectors) {
      expect(found.sealed[v.name], v.name).toBe(v.packetHex);
      expect(found.opened[v.name], v.name).toEqual(v.frames);
    }
    for (const v of rejected.vectors) expect(found.rejected[v.name], v.name).toBe(v.code);
  }, 30_000);
});

/** A new page of the example site with `entry` (in test/browser/) bundled by the browser build and loaded. */
async function pageWithScript(entry: string): Promise<Page> {
  const bundle = await esbuild.build({
    entryPoints: [join(ROOT, 'test/browser', entry)],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
    plugins: [browserPlugin(ROOT)],
    inject: [join(ROOT, 'src/lib/browser/globals.ts')],
  });
  const opened = await browser.newPage();
  await opened.goto(`${files.origin}/examples/browser-component.html`);
  await opened.addScriptTag({ content: bundle.outputFiles[0].text });
  return opened;
}

/** Issues a credential on `network` with `botz creds issue` (extra flags after the name); its file's text. */
async function issued(network: Network, name: string, ...flags: string[]): Promise<string> {
  const out = join(network.configDir, `${name}.cred`);
  const run = await runBotz(['creds', 'issue', name, '--out', out, ...flags], network.env);
  expect(run.code, run.stderr).toBe(0);
  return readFile(out, 'utf8');
}

/** Opens the example page and joins `network` as `name` with a credential file's text (no secret); the status it ends with. */
async function joinWithCredential(network: Network, name: string, credential: string): Promise<{ page: Page; status: string }> {
  const on = await browser.newPage();
  await on.goto(`${files.origin}/examples/browser-component.html`);
  await on.fill('#server', network.address);
  await on.fill('#credential', credential);
  await on.fill('#name', name);
  await on.click('#join button');
  await on.waitForFunction(() => /^(registered as|failed)/.test(document.getElementById('status')!.textContent!));
  return { page: on, status: (await on.textContent('#status'))! };
}

describe('a component in a browser page with a per-component credential (botz creds issue)', () => {
  it('registers under its credential name, answers botz send, may send where its grant allows and nowhere else', async () => {
    const { page: on, status } = await joinWithCredential(net, 'page-c', await issued(net, 'page-c', '--allow-send', 'echo'));
    expect(status).toMatch(/^registered as page-c/);

    const sent = await runBotz(['send', 'page-c', 'greeting=vouched', '--json'], net.env);
    expect(sent.stderr).toBe('');
    expect(JSON.parse(sent.stdout)).toEqual({ answeredBy: 'browser', got: { greeting: 'vouched' } });

    await on.fill('#to', 'echo');
    await on.fill('#body', '{"from":"a credential page"}');
    await on.click('#send button');
    await on.waitForFunction(() => document.getElementById('reply')!.textContent !== '');
    expect(JSON.parse((await on.textContent('#reply'))!)).toEqual({ from: 'a credential page' });

    // Its grant allows sending to echo only: the server refuses the rest.
    await on.fill('#to', 'page-1');
    await on.click('#send button');
    await on.waitForFunction(() => document.getElementById('reply')!.textContent!.startsWith('error'));
    expect(await on.textContent('#reply')).toContain('FORBIDDEN');
    // And its name is closed to the shared secret while the credential is valid.
    const impostor = await runBotz(['register', 'page-c'], net.env);
    expect(impostor.code).toBe(6);
    await on.close();
  }, 30_000);

  it('on a network that encrypts, its link is sealed under the keys its handshake derived (AES-256-GCM both ways)', async () => {
    const { page: on, status } = await joinWithCredential(encrypted, 'page-ce', await issued(encrypted, 'page-ce', '--allow-send', 'echo'));
    expect(status).toMatch(/^registered as page-ce/);
    const sent = await runBotz(['send', 'page-ce', 'greeting=sealed', '--json'], encrypted.env);
    expect(sent.stderr).toBe('');
    expect(JSON.parse(sent.stdout)).toEqual({ answeredBy: 'browser', got: { greeting: 'sealed' } });
    await on.fill('#to', 'echo');
    await on.fill('#body', '{"sealed":true}');
    await on.click('#send button');
    await on.waitForFunction(() => document.getElementById('reply')!.textContent !== '');
    expect(JSON.parse((await on.textContent('#reply'))!)).toEqual({ sealed: true });
    await on.close();
  }, 30_000);

  it('a name other than its credential’s is refused before it dials (INVALID_ARGUMENT, as a Node component)', async () => {
    const { page: on, status } = await joinWithCredential(net, 'page-other', await issued(net, 'page-named'));
    expect(status).toMatch(/^failed: INVALID_ARGUMENT .*page-named/);
    await on.close();
  }, 30_000);

  it('the browser build agrees with the credential vectors (identity.json: keys, signatures, X25519, link keys), in Chromium', async () => {
    const v = JSON.parse(await readFile(join(ROOT, 'test/vectors/identity.json'), 'utf8'));
    const other = await pageWithScript('identity-vectors.ts');
    const found = await other.evaluate((vectors) => (globalThis as any).botzIdentityVectors(vectors), v);
    await other.close();
    expect(found).toEqual({
      handshakeSecretHex: v.handshakeSecretHex,
      issuerPublicHex: v.issuer.publicHex,
      componentPublicHex: v.component.publicHex,
      grant: v.grant,
      credentialName: v.component.name,
      th1Hex: v.th1Hex,
      welcomeSignedHex: v.welcomeSignedHex,
      welcomeProof: v.welcome.proof,
      welcomeProofVerifies: true,
      th2Hex: v.th2Hex,
      authProof: v.auth.proof,
      sharedSecretHex: v.sharedSecretHex,
      dialerKeyHex: v.dialerKeyHex,
      listenerKeyHex: v.listenerKeyHex,
      tampered: 'CREDENTIAL_REJECTED',
    });
  }, 30_000);

  it('revoking its credential cuts a live page off at the server, and the page cannot join with it again (CREDENTIAL_REJECTED)', async () => {
    const credential = await issued(net, 'page-revoked');
    const live = await joinWithCredential(net, 'page-revoked', credential);
    expect(live.status).toMatch(/^registered as page-revoked/);
    const revoke = await runBotz(['creds', 'revoke', 'page-revoked'], net.env);
    expect(revoke.code, revoke.stderr).toBe(0);
    // The running server takes revocations in at its next check of its live links, and cuts this one there.
    await net.server.waitFor(/suspect.*page-revoked|page-revoked.*suspect/);
    const again = await joinWithCredential(net, 'page-revoked', credential);
    expect(again.status).toMatch(/^failed: CREDENTIAL_REJECTED .*was revoked/);
    await Promise.all([live.page.close(), again.page.close()]);
  }, 30_000);

  it('an expired credential and one another issuer signed are refused by the server with CREDENTIAL_REJECTED, as for a Node component', async () => {
    const day = 24 * 60 * 60 * 1000;
    const ours = IssuerStore.open(join(net.configDir, 'identity'));
    const expired = issueCredential(ours, { name: 'page-expired', permissions: ALL_PERMISSIONS, now: Date.now() - 2 * day, expiresAt: Date.now() - day }).file;
    const foreign = issueCredential(newEd25519(), { name: 'page-foreign', permissions: ALL_PERMISSIONS, now: Date.now(), expiresAt: null }).file;
    // What `botz register NAME --credential FILE` says of each (exit 6, CREDENTIAL_REJECTED), the page says too.
    const cases = [
      ['page-expired', expired, /expired at/],
      ['page-foreign', foreign, /issuer signature does not verify/],
    ] as const;
    for (const [name, file, why] of cases) {
      const { page: on, status } = await joinWithCredential(net, name, JSON.stringify(file));
      expect(status, name).toMatch(/^failed: CREDENTIAL_REJECTED /);
      expect(status, name).toMatch(why);
      await on.close();
    }
  }, 30_000);
});

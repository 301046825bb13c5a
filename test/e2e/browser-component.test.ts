/**
 * A botz component in a real Chromium page (the example page, examples/browser-component.html,
 * loading the browser build dist/browser/botz.js) against a real `botz serve`: it registers
 * through the relay, answers `botz send` from a CLI child process, and sends its own request
 * to a Node echo (`botz register --echo`); the same on a network that encrypts (`serve
 * --encrypt`, AES-256-GCM through WebCrypto), and the PROTOCOL.md packet vectors checked in
 * the page. One Chromium and one file server for the whole file. Needs a build (dist/).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserPlugin } from '../../scripts/browser-plugin.mjs';
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
    const bundle = await esbuild.build({
      entryPoints: [join(ROOT, 'test/browser/packet-vectors.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      logLevel: 'silent',
      plugins: [browserPlugin(ROOT)],
      inject: [join(ROOT, 'src/lib/browser/globals.ts')],
    });
    const vectors = (name: string) => readFile(join(ROOT, 'test/vectors', name), 'utf8').then((t) => JSON.parse(t));
    const [{ keys }, packets, rejected] = await Promise.all([vectors('keys.json'), vectors('packets.json'), vectors('rejected.json')]);
    const other = await browser.newPage();
    await other.goto(`${files.origin}/examples/browser-component.html`);
    await other.addScriptTag({ content: bundle.outputFiles[0].text });
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

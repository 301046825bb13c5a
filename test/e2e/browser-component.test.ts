/**
 * A botz component in a real Chromium page (the example page, examples/browser-component.html,
 * loading the browser build dist/browser/botz.js) against a real `botz serve`: it registers
 * through the relay, answers `botz send` from a CLI child process, and sends its own request
 * to a Node echo (`botz register --echo`). Needs a build (dist/).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, staticServer } from '../helpers/chromium.js';
import { ROOT, runBotz, startNetwork, type Network } from './harness.js';

// What the functions passed to page.evaluate/waitForFunction name: they run in the page, which has the DOM (these files are checked without it).
declare const document: any;

let net: Network;
let browser: Browser;
let files: Awaited<ReturnType<typeof staticServer>>;
let page: Page;

beforeAll(async () => {
  [net, browser, files] = await Promise.all([startNetwork(), launchChromium(), staticServer(ROOT)]);
  await net.register('echo', '--echo');
  page = await browser.newPage();
  await page.goto(`${files.origin}/examples/browser-component.html`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await files?.close();
  await net?.stop();
});

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

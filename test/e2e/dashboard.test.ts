/**
 * The dashboard in a real Chromium against a real `botz serve --dashboard` (and `botz
 * dashboard` for a mesh): the token is required, a component that joins appears, its rate
 * rises under traffic, bodies come on demand, rejections show by reason, a leave shows, the
 * page is not blank, and a small mesh is drawn; a component is shut down from the page only
 * where the dashboard was started with --dashboard-shutdown, through its button and a confirm.
 * Needs a build (dist/).
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../src/lib/component/client.js';
import { launchChromium } from '../helpers/chromium.js';
import { isolatedEnv, startBotz, type Running } from './harness.js';

// What the functions passed to page.evaluate/waitForFunction name: they run in the page, which has the DOM (these files are checked without it).
declare const document: any;
declare const Image: any;
declare const OffscreenCanvas: any;

let server: Running;
let address: string;
let url: string;
let env: NodeJS.ProcessEnv;
let secret: string;
let browser: Browser;
const started: Running[] = [];

async function register(name: string, ...args: string[]): Promise<Running> {
  const r = startBotz(['register', name, ...args], env);
  started.push(r);
  await r.waitFor(/^registered /);
  return r;
}

/** The status of a GET naming another Host (fetch will not set one). */
function statusWithHost(at: string, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(at, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
    req.end();
  });
}

async function openDashboard(at: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(at);
  await page.waitForFunction(() => document.getElementById('status')!.textContent === 'live' && Number(document.body.dataset.updates ?? 0) > 0);
  return page;
}

beforeAll(async () => {
  const launched = launchChromium();
  const configDir = await mkdtemp(join(tmpdir(), 'botz-dashboard-'));
  // Updates every 200 ms, not every second: each step below waits for one.
  server = startBotz(['serve', '--port', '0', '--dashboard', '--dashboard-port', '0', '--dashboard-interval', '200ms'], isolatedEnv({ BOTZ_CONFIG_DIR: configDir }));
  address = (await server.waitFor(/^listening on /)).replace('listening on ', '').trim();
  url = (await server.waitFor(/^dashboard on /)).replace('dashboard on ', '').trim();
  env = isolatedEnv({ BOTZ_CONFIG_DIR: configDir, BOTZ_SERVER: address });
  secret = (await readFile(join(configDir, 'secret'), 'utf8')).trim();
  browser = await launched;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(started.map((r) => r.stop('SIGKILL')));
  await server?.stop('SIGTERM');
});

describe('botz serve --dashboard', () => {
  it('refuses everything that shows the network without the token of the printed URL, which is not the secret', async () => {
    const base = new URL(url);
    const token = base.searchParams.get('token')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    expect(url).not.toContain(secret);
    for (const path of ['/', '/events', '/api/body?seq=1', `/?token=${token.slice(1)}x`, '/events?token=']) {
      expect((await fetch(new URL(path, base))).status, path).toBe(401);
    }
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain(secret);
    // Another site's page (DNS rebinding) names its own host: refused whatever the token.
    expect(await statusWithHost(url, 'evil.example')).toBe(421);
    // Read-only by default: no action without --dashboard-actions (--dashboard-shutdown for a shutdown).
    expect((await fetch(new URL('/api/send', base), { method: 'POST', headers: { 'x-botz-token': token }, body: '{"to":"x"}' })).status).toBe(403);
    expect((await fetch(new URL('/api/shutdown', base), { method: 'POST', headers: { 'x-botz-token': token }, body: '{"name":"x"}' })).status).toBe(403);
  });

  it('shows a component that joins, its rate rising under traffic, bodies on demand, rejections by reason, and its leave', async () => {
    const page = await openDashboard(url);
    const alpha = await register('alpha', '--echo', '--group', 'demo');
    const row = page.locator('#components tr[data-name="alpha"]');
    await row.locator('td.ready').waitFor();
    expect(await row.textContent()).toContain('demo');
    expect(await page.locator('#components button').count()).toBe(0);

    const client = await Client.connect({ server: address, secret });
    let sending = true;
    const traffic = (async () => {
      for (let i = 0; sending; i++) await client.send('alpha', { i, secret: 'a body only shown on demand' });
    })();
    await page.waitForFunction(() => Number(document.querySelector('#components tr[data-name="alpha"] td.rate')?.getAttribute('data-rate')) > 0);
    expect(Number(await page.textContent('#rate'))).toBeGreaterThan(0);
    await page.locator('#traffic tbody tr', { hasText: 'alpha' }).first().waitFor();

    await page.fill('#traffic-filter', 'no-such-name');
    expect(await page.locator('#traffic tbody tr').count()).toBe(0);
    await page.fill('#traffic-filter', '');

    await page.check('#bodies');
    const withBody = page.locator('#traffic tbody tr', { hasText: 'alpha' }).locator('td.body', { hasText: 'show' }).first();
    await withBody.waitFor();
    // Traffic stops first: it would push the row's body out of the 500 kept before the click.
    sending = false;
    await traffic;
    await client.close();
    // The pointer over the tail holds it still (as for a person), so the row stays to be clicked.
    await page.hover('#traffic thead');
    await page.waitForFunction(() => document.getElementById('traffic-note')!.textContent!.startsWith('paused'));
    await withBody.click();
    await page.waitForFunction(() => document.getElementById('body-view')!.textContent!.includes('a body only shown on demand'));

    // A client with the wrong secret: the server refuses its packets (UNKNOWN_KEY: a key it does not hold), the page shows it.
    await expect(Client.connect({ server: address, secret: 'not the secret, sixteen+ bytes' })).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    await page.locator('#rejected td', { hasText: 'UNKNOWN_KEY' }).waitFor({ timeout: 15_000 });

    await alpha.stop('SIGTERM');
    await page.locator('#events li.leave', { hasText: 'alpha' }).waitFor();
    await row.waitFor({ state: 'detached' });

    // Pixels only where they must be: the page is drawn, not blank (many colours, not one).
    const png = (await page.screenshot()).toString('base64');
    const colours = await page.evaluate(async (data) => {
      // An <img>, not fetch(): the page's CSP lets images (not connections) come from data: URLs.
      const bitmap = new Image();
      bitmap.src = `data:image/png;base64,${data}`;
      await bitmap.decode();
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(bitmap, 0, 0);
      const pixels = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < pixels.length; i += 4 * 7) seen.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
      return seen.size;
    }, png);
    expect(colours).toBeGreaterThan(20);
    await page.close();
  }, 60_000);
});

describe('botz dashboard --dashboard-mesh --dashboard-shutdown', () => {
  let page: Page;
  let m3: Running;

  it('draws the topology of a small mesh', async () => {
    const n1 = await register('m1', '--mesh', '--echo');
    const n1Mesh = (await n1.waitFor(/^mesh node /)).split(' at ')[1].trim();
    // The dashboard starts while the rest of the mesh does (it needs only m1's address).
    const dashboard = startBotz(['dashboard', '--dashboard-port', '0', '--dashboard-mesh', n1Mesh, '--dashboard-shutdown', '--dashboard-interval', '200ms'], env);
    started.push(dashboard);
    const opened = dashboard.waitFor(/^dashboard on /).then((line) => openDashboard(line.replace('dashboard on ', '').trim()));
    [, m3] = await Promise.all([register('m2', '--mesh', '--echo', '--dial', n1Mesh), register('m3', '--mesh', '--echo', '--dial', n1Mesh)]);
    page = await opened;
    // The mesh converges while the page watches: three nodes, m1 linked to each of the others.
    await page.waitForFunction(() => document.getElementById('topology')!.dataset.edges === '2', undefined, { timeout: 20_000 });
    expect(await page.getAttribute('#topology', 'data-nodes')).toBe('3');
    expect(await page.locator('#topology canvas').count()).toBeGreaterThan(0);
    expect(await page.textContent('#topology-note')).toContain('as m1 sees it');
  }, 60_000);

  it('shuts a component down only through its button and a confirm, then shows it leave', async () => {
    const row = page.locator('#components tr[data-name="m3"]');
    await row.locator('td.ready').waitFor();
    // Test requests stay off: --dashboard-shutdown allows that one action only.
    expect(await row.locator('button', { hasText: 'ping' }).count()).toBe(0);

    page.once('dialog', (d) => void d.dismiss());
    await row.locator('button.shutdown').click();
    await page.waitForFunction(() => document.getElementById('action-result')!.textContent!.includes('m3: not shut down (cancelled)'));
    expect(m3.child.exitCode).toBe(null);

    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.accept();
    });
    await row.locator('button.shutdown').click();
    expect(await m3.exited).toBe(0);
    expect(asked).toContain('m3');
    await page.waitForFunction(() => document.getElementById('action-result')!.textContent!.includes('m3: ready, shutting down'));
    await page.locator('#events li.leave', { hasText: 'm3' }).waitFor();
    await page.close();
  }, 30_000);
});

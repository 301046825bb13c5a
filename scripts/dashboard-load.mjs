#!/usr/bin/env node
/* global document, window, performance, Event -- the functions given to page.evaluate run in the page */
// Measures the dashboard under load (issue 19): a real `botz serve --dashboard`, COMPONENTS
// components (relay-only, in one peer process) and RATE messages per second among them (a
// message is one traffic event: a request or its response), a real Chromium page.
//
// Three phases of DURATION seconds each: no page open, the page open, the page closed again
// (QUIET_DURATION, if given, for the two without a page: CI checks the page, not those figures).
// Reported per phase: the server process's CPU (from /proc), and with the page open, the
// bytes pushed to it per second, the time the page took per update (parse + draw), and the
// page's responsiveness: the worst lateness of a 50 ms timer in the page (a long task shows
// as a late timer) and how long a filter keystroke takes to redraw the components.
//
//   npm run build && npm run dashboard:load                       # 1,000 components, 5,000 msgs/s
//   COMPONENTS=50 RATE=500 DURATION=3 node scripts/dashboard-load.mjs --json
//   SCREENSHOT=docs/dashboard.png node scripts/dashboard-load.mjs  # also saves a screenshot
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const COMPONENTS = Number(process.env.COMPONENTS ?? 1000);
const RATE = Number(process.env.RATE ?? 5000);
const DURATION = Number(process.env.DURATION ?? 10);
const QUIET_DURATION = Number(process.env.QUIET_DURATION ?? DURATION);
const MESH = process.env.MESH !== '0';
const json = process.argv.includes('--json');
/** The load peer's pid, for its CPU beside the server's. */
let loadPid;

if (process.argv[2] === 'peer') await peer();
else await main();

/** The load: COMPONENTS components, requests among them at RATE / 2 per second (each answered). */
async function peer() {
  const { Component } = await import(join(root, 'dist/index.js'));
  const [server, secret] = [process.env.BOTZ_SERVER, process.env.BOTZ_SECRET];
  const components = [];
  for (let i = 0; i < COMPONENTS; i += 50) {
    const batch = [];
    for (let j = i; j < Math.min(COMPONENTS, i + 50); j++) {
      batch.push(Component.start({ server, secret, name: `worker-${String(j).padStart(4, '0')}`, groups: [j % 2 ? 'odd' : 'even'], onMessage: (m) => m.body }));
    }
    components.push(...(await Promise.all(batch)));
  }
  process.stdout.write('ready\n');
  // A tick every 20 ms sends what the rate asks for since the start (no drift, no catching up beyond it).
  const started = Date.now();
  let sent = 0;
  let errors = 0;
  setInterval(() => {
    const due = Math.floor(((Date.now() - started) / 1000) * (RATE / 2));
    for (; sent < due; sent++) {
      const from = components[sent % components.length];
      const to = components[(sent * 7919 + 13) % components.length];
      from.send(to.name, { n: sent }, { timeout: 10_000 }).catch(() => errors++);
    }
  }, 20);
  setInterval(() => process.stdout.write(`sent ${sent} errors ${errors}\n`), 1000);
}

function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
}

/** CPU of the server (and of the load peer, for context) over one phase, in % of one core. */
async function phase(pid, seconds) {
  const cpu0 = cpuSeconds(pid);
  const peer0 = cpuSeconds(loadPid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elapsed = (performance.now() - t0) / 1000;
  const pct = (d) => Math.round((d / elapsed) * 1000) / 10;
  return { cpuPercent: pct(cpuSeconds(pid) - cpu0), peerCpuPercent: pct(cpuSeconds(loadPid) - peer0) };
}

function lines(child, onLine) {
  let rest = '';
  child.stdout.on('data', (b) => {
    rest += b;
    const parts = rest.split('\n');
    rest = parts.pop();
    parts.forEach(onLine);
  });
}

async function main() {
  const { chromium } = await import('playwright-core');
  // Launched while the server starts (an idle browser with no page costs nothing to measure).
  const launching = chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  const configDir = await mkdtemp(join(tmpdir(), 'botz-dashboard-load-'));
  const env = { ...process.env, BOTZ_CONFIG_DIR: configDir, NO_COLOR: '1' };
  delete env.BOTZ_SECRET;
  const server = spawn(process.execPath, [join(root, 'bin/run.js'), 'serve', '--port', '0', '--dashboard', '--dashboard-port', '0'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const { address, url } = await new Promise((resolve) => {
    const got = {};
    lines(server, (l) => {
      if (l.startsWith('listening on ')) got.address = l.slice(13).trim();
      if (l.startsWith('dashboard on ')) resolve({ ...got, url: l.slice(13).trim() });
    });
  });
  const secret = (await readFile(join(configDir, 'secret'), 'utf8')).trim();
  const say = (s) => json || console.log(s);
  say(`server ${address}, dashboard ${url.replace(/token=.*/, 'token=…')}; starting ${COMPONENTS} components`);
  const load = spawn(process.execPath, [fileURLToPath(import.meta.url), 'peer'], { env: { ...env, BOTZ_SERVER: address, BOTZ_SECRET: secret }, stdio: ['ignore', 'pipe', 'inherit'] });
  loadPid = load.pid;
  let lastSent = '';
  await new Promise((resolve) => lines(load, (l) => (l === 'ready' ? resolve() : (lastSent = l))));
  const meshNodes = MESH ? await startMesh(env, address) : { procs: [] };
  say(`${COMPONENTS} components registered; ${RATE} msgs/s (${RATE / 2} requests/s, each answered) for ${DURATION} s per phase`);

  const idle = await phase(server.pid, QUIET_DURATION);
  say(`no page open:  server CPU ${idle.cpuPercent}% (load peer ${idle.peerCpuPercent}%)`);

  const browser = await launching;
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(url + (MESH ? '' : ''));
  await page.waitForFunction((n) => Number(document.getElementById('count').textContent) >= n, COMPONENTS, { timeout: 60_000 });
  // The lateness probe: a 50 ms timer that records how late it fires.
  await page.evaluate(() => {
    window.__late = 0;
    let expected = performance.now() + 50;
    const tick = () => {
      window.__late = Math.max(window.__late, performance.now() - expected);
      expected = performance.now() + 50;
      setTimeout(tick, 50);
    };
    setTimeout(tick, 50);
  });
  const before = await page.evaluate(() => ({ bytes: Number(document.body.dataset.bytes), updates: Number(document.body.dataset.updates) }));
  // The rate the page shows, sampled each second: its mean is what the page saw of the load.
  const samples = [];
  const sampler = setInterval(() => void page.textContent('#rate').then((t) => samples.push(Number(t))).catch(() => {}), 1000);
  const open = await phase(server.pid, DURATION);
  clearInterval(sampler);
  const after = await page.evaluate(() => ({
    bytes: Number(document.body.dataset.bytes),
    updates: Number(document.body.dataset.updates),
    meanRenderMs: Number(document.body.dataset.meanRenderMs),
    maxRenderMs: Number(document.body.dataset.maxRenderMs),
    lateMs: Math.round(window.__late),
    rows: document.querySelectorAll('#components tbody tr').length,
    trafficRows: document.querySelectorAll('#traffic tbody tr').length,
    networkRate: Number(document.getElementById('rate').textContent),
    count: Number(document.getElementById('count').textContent),
  }));
  const filterMs = await page.evaluate(async () => {
    const input = document.getElementById('component-filter');
    const t0 = performance.now();
    input.value = 'worker-09';
    input.dispatchEvent(new Event('input'));
    const took = performance.now() - t0;
    input.value = '';
    input.dispatchEvent(new Event('input'));
    return Math.round(took * 10) / 10;
  });
  const seconds = DURATION;
  const openReport = {
    ...open,
    pushesPerSecond: Math.round(((after.updates - before.updates) / seconds) * 10) / 10,
    kBytesPerSecond: Math.round((after.bytes - before.bytes) / seconds / 102.4) / 10,
    meanNetworkRate: Math.round(samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length)),
    ...after,
    filterMs,
  };
  say(`page open:     server CPU ${open.cpuPercent}% (load peer ${open.peerCpuPercent}%); ${openReport.pushesPerSecond} pushes/s, ${openReport.kBytesPerSecond} KB/s to the page; ` +
    `page: ${after.count} components (${after.rows} rows drawn), network ${openReport.meanNetworkRate} msgs/s (mean of the page's figure), update ${after.meanRenderMs} ms mean / ${after.maxRenderMs} ms max, ` +
    `50 ms timer late by ${after.lateMs} ms at worst, filter keystroke ${filterMs} ms`);
  await page.close();
  if (process.env.SCREENSHOT) await screenshot(browser, env, address, meshNodes.first, say);
  await browser.close();
  const closed = await phase(server.pid, QUIET_DURATION);
  say(`page closed:   server CPU ${closed.cpuPercent}% (load peer ${closed.peerCpuPercent}%)`);
  say(`load: ${lastSent}`);
  const report = { components: COMPONENTS, rate: RATE, durationS: DURATION, idle, open: openReport, closed, load: lastSent };
  if (json) console.log(JSON.stringify(report));
  if (process.env.REPORT) await writeFile(process.env.REPORT, JSON.stringify(report, null, 2) + '\n');
  for (const n of meshNodes.procs) n.kill('SIGKILL');
  load.kill('SIGKILL');
  server.kill('SIGTERM');
}

/** A small mesh (a ring of four) for the topology panel: registered components with --mesh. */
async function startMesh(env, address) {
  const procs = [];
  let previous;
  let first;
  for (const name of ['mesh-a', 'mesh-b', 'mesh-c', 'mesh-d']) {
    const dial = previous ? ['--dial', previous] : [];
    if (name === 'mesh-d') dial.push('--dial', first);
    const p = spawn(process.execPath, [join(root, 'bin/run.js'), 'register', name, '--mesh', '--echo', ...dial], { env: { ...env, BOTZ_SERVER: address }, stdio: ['ignore', 'pipe', 'inherit'] });
    procs.push(p);
    previous = await new Promise((resolve) => lines(p, (l) => l.startsWith('mesh node ') && resolve(l.split(' at ')[1].trim())));
    first ??= previous;
  }
  return { procs, first };
}

/** The README's picture: `botz dashboard` on the same network, with the mesh drawn. */
async function screenshot(browser, env, address, mesh, say) {
  const args = ['dashboard', '--server', address, '--dashboard-port', '0', ...(mesh ? ['--dashboard-mesh', mesh] : [])];
  const dashboard = spawn(process.execPath, [join(root, 'bin/run.js'), ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve) => lines(dashboard, (l) => l.startsWith('dashboard on ') && resolve(l.slice(13).trim())));
  const page = await browser.newPage({ viewport: { width: 1400, height: 1440 } });
  await page.goto(url);
  await page.waitForFunction(() => Number(document.body.dataset.updates ?? 0) > 8 && (document.getElementById('topology').dataset.edges ?? '0') !== '0', undefined, { timeout: 60_000 });
  await page.screenshot({ path: process.env.SCREENSHOT });
  say(`screenshot: ${process.env.SCREENSHOT}`);
  await page.close();
  dashboard.kill('SIGTERM');
}

/**
 * The dashboard page: one EventSource of updates (a full snapshot first, then one update per
 * interval), rendered with plain DOM (names come from the network: text only, never HTML), a
 * uPlot chart of the network's rate and, for a mesh, a cytoscape graph. The DOM it keeps is
 * bounded whatever the network's size: at most MAX_ROWS component rows and MAX_TRAFFIC_ROWS
 * traffic rows are drawn (the filters pick which), and drawing happens once per update.
 */
import uPlot from 'uplot';
import cytoscape from 'cytoscape';
import type { DashboardUpdate, MemberRow, RatePoint, TopologyView, TrafficRow } from '../../src/lib/dashboard/dashboard-model.js';
import type { ComponentInfo } from '../../src/lib/wire/frames.js';

const MAX_ROWS = 200;
const MAX_TRAFFIC_ROWS = 200;
const MAX_EVENTS = 100;
const CHART_POINTS = 120;

const token = new URLSearchParams(location.search).get('token') ?? '';
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const components = new Map<string, ComponentInfo>();
let rates: Record<string, number> = {};
let traffic: TrafficRow[] = [];
let events: MemberRow[] = [];
let history: RatePoint[] = [];
let lastAt = Date.now();
let updates = 0;

const chart = new uPlot(
  {
    width: Math.max(300, $('chart').clientWidth),
    height: 160,
    legend: { show: false },
    scales: { x: { time: true } },
    axes: [{ stroke: '#7d8896', grid: { stroke: '#26313d' } }, { stroke: '#7d8896', grid: { stroke: '#26313d' } }],
    series: [{}, { label: 'msgs/s', stroke: '#5fb3f9', fill: 'rgba(95,179,249,0.15)', width: 1.5 }],
  },
  [[], []],
  $('chart'),
);

function el(tag: string, text?: string | number, className?: string): HTMLElement {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = String(text);
  if (className) e.className = className;
  return e;
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 100) / 10);
  return s < 60 ? `${s}s ago` : `${Math.round(s / 60)}m ago`;
}

function apply(u: DashboardUpdate): void {
  if (u.full) {
    components.clear();
    traffic = [];
    events = [];
    history = [];
  }
  for (const c of u.components) components.set(c.name, c);
  for (const name of u.removed) components.delete(name);
  events = [...u.events.slice().reverse(), ...events].slice(0, MAX_EVENTS);
  traffic = [...u.traffic.slice().reverse(), ...traffic].slice(0, 500);
  history = [...history, ...u.rates].slice(-CHART_POINTS);
  rates = history.length > 0 ? history[history.length - 1].byComponent : {};
  lastAt = u.at;
  updates++;
  render(u);
}

function render(u: DashboardUpdate): void {
  const latest = history[history.length - 1];
  $('count').textContent = String(components.size);
  $('rate').textContent = String(latest?.network ?? 0);
  chart.setData([history.map((p) => p.at / 1000), history.map((p) => p.network)]);
  renderComponents();
  renderEvents();
  renderTraffic();
  if (u.rejected) renderRejected(u.rejected);
  $('dropped-note').textContent = u.trafficDropped > 0 ? `${u.trafficDropped} traffic events dropped by the server for this dashboard (it fell behind): counted in the network rate, not shown` : '';
  if (u.topology) renderTopology(u.topology);
  document.body.dataset.updates = String(updates);
}

function renderComponents(): void {
  const filter = ($('component-filter') as HTMLInputElement).value.trim().toLowerCase();
  const all = [...components.values()].filter(
    (c) => filter === '' || c.name.toLowerCase().includes(filter) || c.state.includes(filter) || c.groups.some((g) => g.toLowerCase().includes(filter)),
  );
  // The busiest first, then by name: with a thousand components, the rows drawn are the ones that matter.
  all.sort((a, b) => (rates[b.name] ?? 0) - (rates[a.name] ?? 0) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const body = document.createElement('tbody');
  for (const c of all.slice(0, MAX_ROWS)) {
    const tr = document.createElement('tr');
    tr.dataset.name = c.name;
    tr.append(el('td', c.name), el('td', c.address ?? 'relay'), el('td', c.groups.join(',') || '-'), el('td', c.state, c.state), el('td', age(lastAt - c.lastHeartbeat)));
    const rate = el('td', rates[c.name] ?? 0, 'rate');
    rate.dataset.rate = String(rates[c.name] ?? 0);
    tr.append(rate);
    const action = el('td');
    if (actionsOn) {
      const b = el('button', 'ping') as HTMLButtonElement;
      b.onclick = () => void sendTest(c.name, { ping: Date.now() });
      action.append(b);
    }
    if (shutdownOn) {
      const b = el('button', 'shut down', 'shutdown') as HTMLButtonElement;
      b.onclick = () => void shutDown(c.name);
      action.append(b);
    }
    tr.append(action);
    body.append(tr);
  }
  $('components').querySelector('tbody')!.replaceWith(body);
  $('component-note').textContent = all.length > MAX_ROWS ? `showing ${MAX_ROWS} of ${all.length} (busiest first; filter to find others)` : '';
}

function renderEvents(): void {
  const list = $('events');
  list.replaceChildren(...events.map((e) => el('li', `${new Date(e.at).toLocaleTimeString()}  ${e.type.padEnd(7)} ${e.name}`, e.type)));
}

/** The tail stands still while the pointer is over it, so a row can be clicked before it moves down. */
let trafficPaused = false;

function renderTraffic(): void {
  if (trafficPaused) return;
  const filter = ($('traffic-filter') as HTMLInputElement).value.trim().toLowerCase();
  const rows = traffic.filter((t) => filter === '' || [t.from, t.to, t.kind, t.path].some((s) => s.toLowerCase().includes(filter))).slice(0, MAX_TRAFFIC_ROWS);
  const body = document.createElement('tbody');
  for (const t of rows) {
    const tr = document.createElement('tr');
    tr.append(el('td', new Date(t.at).toLocaleTimeString()), el('td', t.from), el('td', t.to), el('td', t.kind), el('td', `${t.size}B`), el('td', t.path), el('td', t.latencyMs === undefined ? '' : `${t.latencyMs}ms`));
    const cell = el('td', t.hasBody ? 'show' : '', 'body');
    if (t.hasBody) cell.dataset.seq = String(t.seq);
    tr.append(cell);
    body.append(tr);
  }
  $('traffic').querySelector('tbody')!.replaceWith(body);
}

function renderRejected(counts: Record<string, number>): void {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const body = document.createElement('tbody');
  for (const [code, n] of entries) {
    const tr = document.createElement('tr');
    tr.append(el('td', code), el('td', n));
    body.append(tr);
  }
  $('rejected').querySelector('tbody')!.replaceWith(body);
  $('rejected-none').hidden = entries.length > 0;
}

let graph: cytoscape.Core | undefined;
function renderTopology(t: TopologyView): void {
  $('topology-section').hidden = false;
  const elements: cytoscape.ElementDefinition[] = [
    ...t.nodes.map((n) => ({ data: { id: n, label: n }, classes: n === t.self ? 'self' : '' })),
    ...t.edges.map(([a, b]) => ({ data: { id: `${a}\u0000${b}`, source: a, target: b } })),
  ];
  graph?.destroy();
  graph = cytoscape({
    container: $('topology'),
    elements,
    layout: { name: 'cose', animate: false },
    style: [
      { selector: 'node', style: { label: 'data(label)', color: '#d8dee9', 'background-color': '#5fb3f9', 'font-size': 11 } },
      { selector: 'node.self', style: { 'background-color': '#6fcf7f' } },
      { selector: 'edge', style: { 'line-color': '#4a5a6a', width: 2 } },
    ],
  });
  $('topology').dataset.nodes = String(t.nodes.length);
  $('topology').dataset.edges = String(t.edges.length);
  $('topology-note').textContent = `as ${t.self} sees it: ${t.nodes.length} nodes, ${t.edges.length} links`;
}

async function showBody(seq: number): Promise<void> {
  const res = await fetch(`api/body?seq=${seq}`, { headers: { 'x-botz-token': token } });
  const view = $('body-view');
  view.hidden = false;
  view.textContent = res.ok ? await res.text() : `(${await res.text()})`;
}

let actionsOn = false;
let shutdownOn = false;

/** Asks `name` to shut down, once the operator confirmed it (a stray click does nothing). */
async function shutDown(name: string): Promise<void> {
  const result = $('action-result');
  if (!confirm(`Shut down the component "${name}"? It is asked to stop (it may refuse).`)) {
    result.textContent = `${name}: not shut down (cancelled)`;
    return;
  }
  result.textContent = `${name}: asking it to shut down…`;
  const res = await fetch('api/shutdown', { method: 'POST', headers: { 'x-botz-token': token, 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
  if (!res.ok) return void (result.textContent = `${name}: ${await res.text()}`);
  const answer = (await res.json()) as { ok: boolean; ready?: boolean; error?: { code: string; message: string } };
  result.textContent = !answer.ok ? `${name}: ${answer.error!.code} ${answer.error!.message}` : answer.ready ? `${name}: ready, shutting down` : `${name}: not ready, refused to shut down`;
}

async function sendTest(to: string, body: unknown): Promise<void> {
  const res = await fetch('api/send', { method: 'POST', headers: { 'x-botz-token': token, 'content-type': 'application/json' }, body: JSON.stringify({ to, body }) });
  $('send-result').textContent = await res.text();
}

$('send-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = ($('send-body') as HTMLInputElement).value.trim();
  let body: unknown;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    $('send-result').textContent = 'the body is not JSON';
    return;
  }
  void sendTest(($('send-to') as HTMLInputElement).value, body);
});
$('component-filter').addEventListener('input', renderComponents);
$('traffic-filter').addEventListener('input', renderTraffic);
$('traffic').addEventListener('click', (e) => {
  const seq = (e.target as HTMLElement).dataset.seq;
  if (seq !== undefined) void showBody(Number(seq));
});
$('traffic').addEventListener('mouseenter', () => {
  trafficPaused = true;
  $('traffic-note').textContent = 'paused while the pointer is over it';
});
$('traffic').addEventListener('mouseleave', () => {
  trafficPaused = false;
  $('traffic-note').textContent = '';
  renderTraffic();
});
$('bodies').addEventListener('change', (e) => {
  const on = (e.target as HTMLInputElement).checked;
  void fetch(`api/bodies?on=${on ? 1 : 0}`, { method: 'POST', headers: { 'x-botz-token': token } });
});

const source = new EventSource(`events?token=${encodeURIComponent(token)}`);
source.addEventListener('hello', (e) => {
  const hello = JSON.parse((e as MessageEvent<string>).data) as { network: string; actions: boolean; shutdown: boolean };
  $('network').textContent = hello.network;
  actionsOn = hello.actions;
  shutdownOn = hello.shutdown;
  $('actions').hidden = !hello.actions;
});
source.onopen = () => {
  $('status').textContent = 'live';
  $('status').className = 'status live';
};
source.onerror = () => {
  $('status').textContent = 'reconnecting';
  $('status').className = 'status down';
};
// How long each update took to parse and draw, for whoever measures the page (the load script).
let maxRenderMs = 0;
let totalRenderMs = 0;
source.onmessage = (e: MessageEvent<string>) => {
  const started = performance.now();
  apply(JSON.parse(e.data) as DashboardUpdate);
  const took = performance.now() - started;
  maxRenderMs = Math.max(maxRenderMs, took);
  totalRenderMs += took;
  document.body.dataset.maxRenderMs = maxRenderMs.toFixed(1);
  document.body.dataset.meanRenderMs = (totalRenderMs / updates).toFixed(1);
  document.body.dataset.bytes = String(Number(document.body.dataset.bytes ?? 0) + e.data.length);
};

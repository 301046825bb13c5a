// The suite's report on stdout: a table per part, the round-to-round spreads, and the targets
// with their ranges and verdicts. bench/run.js measures; this prints what it measured.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { round } = await import(join(ROOT, 'dist', 'lib', 'bench', 'stats.js'));

/** Columns named in `left` (default the first) are left-aligned, the figures right-aligned. */
const table = (head, rows, left = [0]) => {
  const all = [head, ...rows].map((row) => row.map(String));
  const widths = head.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  return all.map((row) => row.map((c, i) => (left.includes(i) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
};

/** Prints `results` (as bench/run.js collects them); `bodyLabels`: large-body workload key to label. */
export function printResults(results, { bodyBytes, bodyLabels }) {
  const m = results.machine;
  console.log(`botz bench — ${m.cpuModel}, ${m.cores} CPUs, ${m.memoryMB} MB, node ${m.node}, ${m.date}`);
  console.log(`${m.pinning}; ${bodyBytes}-byte bodies unless stated; scale ${results.scale}; ${results.rounds} round${results.rounds === 1 ? '' : 's'}; parts: ${results.parts.join(', ')}\n`);
  if (results.requests.length > 0) console.log('request/response');
  if (results.requests.length > 0) console.log(
    table(
      ['round', 'target', 'in flight', 'msgs/s', 'MB/s', 'min ms', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors'],
      results.requests.map((r) => [r.round ?? '-', r.target, r.inFlight, Math.round(r.msgsPerSec), round(r.mbPerSec), round(r.latencyMs.min), round(r.latencyMs.p50), round(r.latencyMs.p90), round(r.latencyMs.p99), round(r.latencyMs.max), r.errors]),
    ),
  );
  if (results.bodies.length > 0) {
    console.log('\nlarge bodies, direct (MB/s one way: request bodies per second × size)');
    const label = (key) => bodyLabels[key] ?? key;
    console.log(
      table(
        ['round', 'body', 'target', 'in flight', 'MB/s', 'msgs/s', 'p50 ms', 'p99 ms', 'errors'],
        results.bodies.map((r) => [r.round, label(r.workload), r.target, r.inFlight, round(r.mbPerSec), round(r.msgsPerSec), round(r.latencyMs.p50), round(r.latencyMs.p99), r.errors]),
        [0, 1, 2],
      ),
    );
  }
  if (results.broadcast.length > 0) {
    console.log('\nbroadcast (time until all acknowledged; receivers spread over processes)');
    console.log(
      table(
        ['round', 'target', 'receivers', 'processes', 'broadcasts', 'min ms', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'failed'],
        results.broadcast.map((b) => [b.round, b.target, b.receivers, b.processes, b.rounds, round(b.latencyMs.min), round(b.latencyMs.p50), round(b.latencyMs.p90), round(b.latencyMs.p99), round(b.latencyMs.max), b.errors]),
      ),
    );
  }
  const g = results.registration;
  if (g) console.log(`\nregistration: ${g.registered}/${g.components} registered from ${g.processes} processes in ${Math.round(g.registerMs)} ms = ${Math.round(g.registrationsPerSec)}/s; server RSS ${(g.serverRssBefore / 2 ** 20).toFixed(1)} → ${(g.serverRssAfter / 2 ** 20).toFixed(1)} MB = ${(g.rssPerComponentBytes / 1000).toFixed(1)} KB per component${g.serverCpuUsPerRegistration === undefined ? '' : `; server CPU ${Math.round(g.serverCpuUsPerRegistration)} µs per registration`}`);
  for (const l of results.defaultLimit ?? []) console.log(`a ${l.bodyBytes / 2 ** 20} MiB body with default limits: ${l.ok ? 'went through' : `failed ${JSON.stringify(l.errorCodes)}`}`);
  const w = results.wsConnections;
  if (w) console.log(`bare ws connections (baseline): ${w.open}/${w.connections} open from ${w.processes} processes${w.connectionsPerSec === undefined ? '' : ` at ${Math.round(w.connectionsPerSec)}/s, server CPU ${Math.round(w.serverCpuUsPerConnection)} µs each`}; server RSS ${(w.serverRssBefore / 2 ** 20).toFixed(1)} → ${(w.serverRssAfter / 2 ** 20).toFixed(1)} MB = ${(w.rssPerConnectionBytes / 1000).toFixed(1)} KB per connection`);
  if (results.oneShot) {
    const o = results.oneShot;
    console.log(`CLI one-shot (median of ${o.send.runs}, ${o.tool}): botz send ${Math.round(o.send.medianMs)} ms, node -e 0 ${Math.round(o.node.medianMs)} ms`);
  }
  if (results.reliable.length > 0) {
    console.log('\nreliable delivery vs plain request/response (64 in flight, one process)');
    const rate = (pass, path, mode) => results.reliable.find((r) => r.round === pass && r.path === path && r.mode === mode)?.messagesPerSecond;
    const rows = [];
    for (let pass = 1; pass <= results.rounds; pass++) {
      for (const p of ['direct', 'relay']) {
        const send = rate(pass, p, 'send');
        const deliver = rate(pass, p, 'deliver');
        if (send !== undefined) rows.push([pass, p, send, deliver ?? '-', deliver === undefined ? '-' : `${round(deliver / send)}x`]);
      }
    }
    console.log(table(['round', 'path', 'send msgs/s', 'deliver msgs/s', 'deliver / send'], rows));
  }
  if (results.mesh) {
    const g = results.mesh;
    console.log(`\nmesh (in-memory links): ${g.nodes} nodes, ${g.links} links converged in ${Math.round(g.convergeMs)} ms; after stopping ${g.killed} nodes every survivor rerouted in ${Math.round(g.rerouteMs)} ms`);
  }
  const spreads = results.spreads.filter((x) => x.range !== null);
  if (spreads.length > 0) {
    console.log('\nround to round (median [range], highest / lowest)');
    console.log(table(['figure', 'median', 'range', 'swing'], spreads.map((x) => [x.name, round(x.median), `[${round(x.range[0])}–${round(x.range[1])}]`, x.swing === null ? '-' : `${round(x.swing)}x`])));
  }
  console.log(`\ntargets (median of ${results.rounds} round${results.rounds === 1 ? '' : 's'}, range in brackets)`);
  console.log(
    table(
      ['issue', 'target', 'measured', 'range', 'limit', 'verdict'],
      results.targets.map((t) => [
        t.issue,
        t.target,
        t.measured === null ? '-' : `${round(t.measured)}${t.unit}`,
        t.range === null || t.range[0] === t.range[1] ? '' : `[${round(t.range[0])}–${round(t.range[1])}]`,
        `${t.atLeast ? '>=' : '<='} ${t.limit}${t.unit}`,
        t.verdict,
      ]),
      [0, 1],
    ),
  );
  for (const i of results.informational) if (i.ratio !== null) console.log(`${i.name}: ${round(i.ratio)}x`);
  for (const n of results.notes) console.log(`note: ${n}`);
}

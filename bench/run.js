#!/usr/bin/env node
// The botz benchmark suite (issue 5): `npm run bench` (builds first). Runs every workload beside
// its raw ws baseline in the same run, prints a table and the targets with PASS/MISS, and writes
// bench/results.json. BENCH_SCALE=N makes every part N times longer (default 1: ~2-3 minutes).
// BENCH_ROUNDS=N (default 3) repeats the parts judged as ratios (request/response and broadcast,
// each beside its baseline) N times, interleaved; targets are judged on the median round.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const lib = (p) => import(join(ROOT, 'dist', 'lib', 'bench', p));
const { benchRequests } = await lib('request-bench.js');
const { benchBroadcast } = await lib('broadcast-bench.js');
const { benchRegistrations } = await lib('registration-bench.js');
const { childHost, canPin, pinSelf } = await lib('peer-host.js');
const { wallTime, hasHyperfine, hyperfineTimes } = await lib('wall-time.js');
const { reliableThroughput } = await lib('reliable-workload.js');
const { benchMeshConvergence } = await lib('mesh-convergence.js');
const { machineInfo } = await lib('machine.js');
const { judgeTargets, informationalRatios } = await lib('targets.js');
const { round } = await lib('stats.js');

const SCALE = Math.max(0.1, Number(process.env.BENCH_SCALE ?? 1) || 1);
const ROUNDS = Math.max(1, Math.round(Number(process.env.BENCH_ROUNDS ?? 3)) || 3);
const BODY = 100;
const pinned = canPin() && pinSelf(0);
const pinning = pinned ? 'taskset: measuring process on CPU 0, every peer process on CPU 1' : 'not pinned (taskset unavailable or 1 CPU)';
const host = childHost();
const gcHost = childHost({ exposeGc: true });
const results = { machine: machineInfo(pinning), scale: SCALE, rounds: ROUNDS, requests: [], broadcast: [], registration: null, oneShot: null, nats: null, targets: [], notes: [] };
const note = (text) => {
  results.notes.push(text);
  process.stderr.write(`note: ${text}\n`);
};
const progress = (text) => process.stderr.isTTY && process.stderr.write(`\r\x1b[K${text}`);
const done = () => process.stderr.isTTY && process.stderr.write('\r\x1b[K');

for (let pass = 1; pass <= ROUNDS; pass++) {
  const of = ROUNDS > 1 ? ` (round ${pass}/${ROUNDS})` : '';
  // 1. request/response, 1 and 64 in flight (mesh: across two mesh links, per-hop acked)
  for (const inFlight of [1, 64]) {
    for (const target of ['direct', 'relay', 'mesh', 'raw', 'raw-coalesced', 'raw-json']) {
      const label = `request/response ${target}, ${inFlight} in flight${of}`;
      progress(label);
      const r = await benchRequests({
        target,
        inFlight,
        bodyBytes: BODY,
        durationMs: 3000 * SCALE,
        warmup: inFlight === 1 || target === 'mesh' ? 500 : 5000,
        host,
        onProgress: (p) => progress(`${label}: ${p.done} answered, ${p.errors} errors, ${(p.elapsedMs / 1000).toFixed(1)}s`),
      });
      done();
      results.requests.push({ round: pass, ...r });
    }
  }

  // 2. broadcast to 100 components vs a raw ws fan-out to 100 connections
  for (const target of ['botz', 'raw']) {
    progress(`broadcast ${target}${of}`);
    const b = await benchBroadcast({ target, receivers: 100, rounds: Math.round(300 * SCALE), warmup: 30, bodyBytes: BODY, host, onProgress: (i) => progress(`broadcast ${target}${of}: round ${i}`) });
    results.broadcast.push({ round: pass, ...b });
    done();
  }
}

// 3. 5,000 registered heartbeating components (500 per process)
progress('registering 5000 components');
try {
  results.registration = await benchRegistrations({ components: 5000, perProcess: 500, concurrency: 16, heartbeatIntervalMs: 1000, settleHeartbeats: 3, serverHost: gcHost, host: childHost({ cpu: null }) });
} catch (error) {
  note(`registration of 5000 components failed: ${error.code ?? ''} ${error.message}`);
}
done();

// 4. CLI one-shot: `botz send` against a running network vs `node -e 0`
const BIN = join(ROOT, 'bin', 'run.js');
if (existsSync(BIN) && existsSync(join(ROOT, 'dist', 'commands', 'send.js'))) {
  progress('CLI one-shot');
  const secret = randomBytes(24).toString('base64url');
  const server = await host({ role: 'server', secret });
  const echo = await host({ role: 'echo', server: server.info.address, secret, names: ['echo'], direct: true });
  try {
    const env = { ...process.env, BOTZ_SECRET: secret, BOTZ_SERVER: server.info.address, NO_COLOR: '1' };
    const runs = Math.max(10, Math.round(20 * SCALE));
    if (hasHyperfine()) {
      const [send, node] = await hyperfineTimes([`${process.execPath} ${BIN} send echo a=1`, `${process.execPath} -e 0`], { runs, env });
      results.oneShot = { send, node, tool: 'hyperfine' };
    } else {
      const send = await wallTime(process.execPath, [BIN, 'send', 'echo', 'a=1'], { runs, env });
      const node = await wallTime(process.execPath, ['-e', '0'], { runs });
      results.oneShot = { send, node, tool: 'own timer (hyperfine not installed)' };
    }
    const send = results.oneShot.send;
    if (send.failures > 0) note(`botz send failed in ${send.failures} of ${send.runs} runs`);
  } finally {
    await echo.stop();
    await server.stop();
  }
  done();
} else note('bin/run.js or the send command is missing: CLI one-shot skipped');

// 5. Reliable delivery vs plain request/response, same traffic, 64 in flight (both ends in one
//    process: the ratio between the modes is the figure, not the absolute rate)
results.reliable = [];
for (const path of ['direct', 'relay']) {
  for (const mode of ['send', 'deliver']) {
    progress(`reliable: ${mode} over ${path}`);
    results.reliable.push(await reliableThroughput({ mode, path, count: Math.round(20_000 * SCALE), bodyBytes: BODY, inFlight: 64 }));
  }
}
done();

// 6. Mesh: 100 nodes on the in-memory network converge, then route around 4 stopped nodes
progress('mesh convergence, 100 nodes');
let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
results.mesh = await benchMeshConvergence({ nodes: 100, extraLinks: 50, kills: 4, random });
done();

// 7. NATS request/reply at 64 in flight, when both the server and the client are here
const natsServer = spawnSync('nats-server', ['--version'], { stdio: 'ignore' }).status === 0;
let natsClient = false;
try {
  await import('nats');
  natsClient = true;
} catch {
  // not installed
}
if (!natsServer) note('nats-server not installed: skipped (apt-get install nats-server)');
else if (!natsClient) note('the nats npm package is not installed: NATS skipped');
else {
  progress('NATS request/reply, 64 in flight');
  const { benchNats } = await import('./nats.js');
  const { runLoad, figures: loadFigures } = await lib('request-load.js');
  results.nats = await benchNats({ inFlight: 64, bodyBytes: BODY, count: Math.round(40_000 * SCALE), cpu: pinned ? 1 : null, runLoad, figures: loadFigures });
  results.requests.push(results.nats);
  done();
}

// Targets: one set of figures per round (the parts measured once are the same in each)
const figuresOf = (pass) => {
  const req = (target, inFlight) => results.requests.find((r) => r.target === target && r.inFlight === inFlight && (r.round === pass || target === 'nats'));
  const bc = (target) => results.broadcast.find((b) => b.target === target && b.round === pass);
  return {
    directThroughput64: req('direct', 64)?.msgsPerSec,
    relayThroughput64: req('relay', 64)?.msgsPerSec,
    rawThroughput64: req('raw', 64)?.msgsPerSec,
    rawCoalescedThroughput64: req('raw-coalesced', 64)?.msgsPerSec,
    directP50At1: req('direct', 1)?.latencyMs.p50,
    rawP50At1: req('raw', 1)?.latencyMs.p50,
    rawJsonP50At1: req('raw-json', 1)?.latencyMs.p50,
    broadcastP50: bc('botz')?.latencyMs.p50,
    rawFanoutP50: bc('raw')?.latencyMs.p50,
    rssPerComponentBytes: results.registration?.rssPerComponentBytes,
    sendOneShotMs: results.oneShot?.send.medianMs,
    nodeStartMs: results.oneShot?.node.medianMs,
    natsThroughput64: req('nats', 64)?.msgsPerSec,
  };
};
const perRound = Array.from({ length: ROUNDS }, (_, i) => figuresOf(i + 1));
results.targets = judgeTargets(perRound);
results.informational = informationalRatios(perRound);

// Output
const table = (head, rows) => {
  const all = [head, ...rows].map((row) => row.map(String));
  const widths = head.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  return all.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
};
const m = results.machine;
console.log(`botz bench — ${m.cpuModel}, ${m.cores} CPUs, ${m.memoryMB} MB, node ${m.node}, ${m.date}`);
console.log(`${pinning}; ${BODY}-byte bodies; scale ${SCALE}; ${ROUNDS} round${ROUNDS === 1 ? '' : 's'}\n`);
console.log('request/response');
console.log(
  table(
    ['round', 'target', 'in flight', 'msgs/s', 'MB/s', 'min ms', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors'],
    results.requests.map((r) => [r.round ?? '-', r.target, r.inFlight, Math.round(r.msgsPerSec), round(r.mbPerSec), round(r.latencyMs.min), round(r.latencyMs.p50), round(r.latencyMs.p90), round(r.latencyMs.p99), round(r.latencyMs.max), r.errors]),
  ),
);
console.log('\nbroadcast to 100 receivers (time until all acknowledged)');
console.log(
  table(
    ['round', 'target', 'broadcasts', 'min ms', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'failed'],
    results.broadcast.map((b) => [b.round, b.target, b.rounds, round(b.latencyMs.min), round(b.latencyMs.p50), round(b.latencyMs.p90), round(b.latencyMs.p99), round(b.latencyMs.max), b.errors]),
  ),
);
const g = results.registration;
if (g) console.log(`\nregistration: ${g.registered}/${g.components} registered from ${g.processes} processes in ${Math.round(g.registerMs)} ms = ${Math.round(g.registrationsPerSec)}/s; server RSS ${(g.serverRssBefore / 2 ** 20).toFixed(1)} → ${(g.serverRssAfter / 2 ** 20).toFixed(1)} MB = ${(g.rssPerComponentBytes / 1000).toFixed(1)} KB per component`);
if (results.oneShot) {
  const o = results.oneShot;
  console.log(`CLI one-shot (median of ${o.send.runs}, ${o.tool}): botz send ${Math.round(o.send.medianMs)} ms, node -e 0 ${Math.round(o.node.medianMs)} ms`);
}
if (results.reliable.length > 0) {
  console.log('\nreliable delivery vs plain request/response (64 in flight, one process)');
  const rate = (path, mode) => results.reliable.find((r) => r.path === path && r.mode === mode)?.messagesPerSecond;
  console.log(
    table(
      ['path', 'send msgs/s', 'deliver msgs/s', 'deliver / send'],
      ['direct', 'relay'].map((p) => [p, rate(p, 'send'), rate(p, 'deliver'), `${round(rate(p, 'deliver') / rate(p, 'send'))}x`]),
    ),
  );
}
if (results.mesh) {
  const g = results.mesh;
  console.log(`\nmesh (in-memory links): ${g.nodes} nodes, ${g.links} links converged in ${Math.round(g.convergeMs)} ms; after stopping ${g.killed} nodes every survivor rerouted in ${Math.round(g.rerouteMs)} ms`);
}
console.log(`\ntargets (median of ${ROUNDS} round${ROUNDS === 1 ? '' : 's'}, range in brackets)`);
console.log(
  table(
    ['target', 'measured', 'range', 'limit', 'verdict'],
    results.targets.map((t) => [
      t.target,
      t.measured === null ? '-' : `${round(t.measured)}${t.unit}`,
      t.range === null || t.range[0] === t.range[1] ? '' : `[${round(t.range[0])}–${round(t.range[1])}]`,
      `${t.atLeast ? '>=' : '<='} ${t.limit}${t.unit}`,
      t.verdict,
    ]),
  ),
);
for (const i of results.informational) console.log(`${i.name}: ${i.ratio === null ? '-' : round(i.ratio) + 'x'}`);
for (const n of results.notes) console.log(`note: ${n}`);
await writeFile(join(ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
console.log('\nwrote bench/results.json');

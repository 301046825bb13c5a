#!/usr/bin/env node
// The botz benchmark suite (issues 5 and 14): `npm run bench` (builds first). Runs every workload
// beside its baselines in the same run, prints tables and the targets with PASS/MISS, and writes
// the results to bench/out/results-<date>.json (git-ignored) or to `--out FILE`; it never
// rewrites a tracked file. BENCH_SCALE=N makes every part N times longer (default 1).
// BENCH_ROUNDS=N (default 3) repeats the parts judged as ratios (request/response, large bodies,
// broadcast, deliver vs send, each beside its baseline) N times, interleaved; targets are judged
// on the median round, with the range beside it. BENCH_ONLY=part,part runs only those parts
// (see SUITE_PARTS in src/lib/bench/suite-parts.ts). `node scripts/bench-readme.mjs FILE`
// turns a results file into README → Performance.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { mkdir, writeFile } from 'node:fs/promises';
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
const { selectParts, resultsPath } = await lib('suite-parts.js');
const { benchConnectionMemory } = await lib('connection-memory-bench.js');
const { roundSpreads } = await lib('targets.js');
const { printResults } = await import('./print-results.js');

const SCALE = Math.max(0.1, Number(process.env.BENCH_SCALE ?? 1) || 1);
const ROUNDS = Math.max(1, Math.round(Number(process.env.BENCH_ROUNDS ?? 3)) || 3);
const BODY = 100;
const MiB = 1024 * 1024;
const PARTS = selectParts(process.env.BENCH_ONLY);
const runs = (part) => PARTS.has(part);
const OUT = resultsPath(process.argv.slice(2), ROOT, new Date());
/**
 * Large-body workloads (MB/s one way): each beside a plain ws echo of the same bytes and, where
 * the issue compares with it, a ws echo that parses and encodes the JSON on both sides. The
 * binary body's baseline is the plain ws run of the 1 MiB workload.
 */
const BODY_WORKLOADS = [
  { key: '64k', label: '64 KiB', bodyBytes: 64 * 1024, inFlight: 4, warmup: 100, targets: ['direct', 'raw', 'raw-json'] },
  { key: '1m', label: '1 MiB', bodyBytes: MiB, inFlight: 4, warmup: 12, targets: ['direct', 'raw', 'raw-json'] },
  { key: '8m', label: '8 MiB', bodyBytes: 8 * MiB, inFlight: 2, warmup: 3, targets: ['direct', 'raw'] },
  { key: '1m-binary', label: '1 MiB Uint8Array', bodyBytes: MiB, inFlight: 4, warmup: 12, binary: true, targets: ['direct'] },
];
const BROADCASTS = [
  { receivers: 100, processes: 4, rounds: 300, warmup: 30 },
  { receivers: 1000, processes: 4, rounds: 60, warmup: 5 },
];
const pinned = canPin() && pinSelf(0);
const pinning = pinned ? 'taskset: measuring process on CPU 0, every peer process on CPU 1' : 'not pinned (taskset unavailable or 1 CPU)';
const host = childHost();
const gcHost = childHost({ exposeGc: true });
const results = { machine: machineInfo(pinning), scale: SCALE, rounds: ROUNDS, parts: [...PARTS], requests: [], bodies: [], broadcast: [], reliable: [], registration: null, wsConnections: null, oneShot: null, nats: null, moleculer: [], mesh: null, targets: [], notes: [] };
const started = performance.now();
const note = (text) => {
  results.notes.push(text);
  process.stderr.write(`note: ${text}\n`);
};
const progress = (text) => process.stderr.isTTY && process.stderr.write(`\r\x1b[K${text}`);
const done = () => process.stderr.isTTY && process.stderr.write('\r\x1b[K');

for (let pass = 1; pass <= ROUNDS; pass++) {
  const of = ROUNDS > 1 ? ` (round ${pass}/${ROUNDS})` : '';
  // 1. request/response, 1 and 64 in flight (mesh: across two mesh links, per-hop acked)
  if (runs('requests')) {
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
          // Every target alike: a count alone leaves the p99 of the JIT's first seconds in the measurement.
          warmupMs: 2000,
          host,
          onProgress: (p) => progress(`${label}: ${p.done} answered, ${p.errors} errors, ${(p.elapsedMs / 1000).toFixed(1)}s`),
        });
        done();
        results.requests.push({ round: pass, ...r });
      }
    }
  }

  // 2. large bodies, direct, beside plain ws and the JSON-parsing ws echo
  if (runs('bodies')) {
    for (const w of BODY_WORKLOADS) {
      for (const target of w.targets) {
        const label = `${w.label} bodies ${target}, ${w.inFlight} in flight${of}`;
        progress(label);
        try {
          const r = await benchRequests({
            target,
            inFlight: w.inFlight,
            bodyBytes: w.bodyBytes,
            binary: w.binary,
            durationMs: 2000 * SCALE,
            warmup: w.warmup,
            host,
            timeoutMs: 60_000,
            onProgress: (p) => progress(`${label}: ${p.done} answered, ${p.errors} errors, ${(p.elapsedMs / 1000).toFixed(1)}s`),
          });
          results.bodies.push({ round: pass, workload: w.key, ...r });
          if (r.errors > 0) note(`${label}: ${r.errors} errors ${JSON.stringify(r.errorCodes)}`);
        } catch (error) {
          note(`${label} failed: ${error.code ?? ''} ${error.message}`);
        }
        done();
      }
    }
  }

  // 3. broadcast to 100 and 1,000 components over 4 processes vs a raw ws fan-out to as many connections
  if (runs('broadcast')) {
    for (const spec of BROADCASTS) {
      for (const target of ['botz', 'raw']) {
        const label = `broadcast to ${spec.receivers} ${target}${of}`;
        progress(label);
        try {
          const b = await benchBroadcast({ target, receivers: spec.receivers, processes: spec.processes, rounds: Math.round(spec.rounds * SCALE), warmup: spec.warmup, bodyBytes: BODY, host, onProgress: (i) => progress(`${label}: round ${i}`) });
          results.broadcast.push({ round: pass, ...b });
          if (b.errors > 0) note(`${label}: ${b.errors} of ${b.rounds} broadcasts not acknowledged by every receiver ${JSON.stringify(b.failureCodes)}; not judged`);
        } catch (error) {
          note(`${label} failed: ${error.code ?? ''} ${error.message}`);
        }
        done();
      }
    }
  }

  // 4. reliable delivery vs plain request/response, same traffic, 64 in flight (both ends in one
  //    process: the ratio between the modes is the figure, not the absolute rate)
  if (runs('reliable')) {
    for (const path of ['direct', 'relay']) {
      for (const mode of ['send', 'deliver']) {
        progress(`reliable: ${mode} over ${path}${of}`);
        results.reliable.push({ round: pass, ...(await reliableThroughput({ mode, path, count: Math.round(10_000 * SCALE), bodyBytes: BODY, inFlight: 64 })) });
      }
    }
    done();
  }
}

// 5. The largest body the defaults carry: one 1 MiB and one 16 MiB body, direct, no limit raised
if (runs('limits')) {
  results.defaultLimit = [];
  for (const bodyBytes of [MiB, 16 * MiB]) {
    progress(`a ${bodyBytes / MiB} MiB body with default limits`);
    const r = await benchRequests({ target: 'direct', inFlight: 1, bodyBytes, count: 1, warmup: 0, host, timeoutMs: 60_000 }).catch((error) => ({ messages: 0, errors: 1, errorCodes: { [error.code ?? 'ERROR']: 1 } }));
    results.defaultLimit.push({ bodyBytes, ok: r.messages === 1 && r.errors === 0, errorCodes: r.errorCodes });
    done();
  }
}

// 6. 5,000 registered heartbeating components (500 per process), and the baseline: a plain ws
//    server holding 5,000 bare idle connections from as many processes
if (runs('registration')) {
  progress('registering 5000 components');
  try {
    // A busy machine can take minutes to admit 5,000 components: that is measured, not a failure.
    results.registration = await benchRegistrations({ components: 5000, perProcess: 500, concurrency: 16, heartbeatIntervalMs: 1000, settleHeartbeats: 3, serverHost: gcHost, host: childHost({ cpu: null, startTimeoutMs: 900_000 }) });
  } catch (error) {
    note(`registration of 5000 components failed: ${error.code ?? ''} ${error.message}`);
  }
  progress('5000 bare ws connections');
  try {
    results.wsConnections = await benchConnectionMemory({ connections: 5000, perProcess: 500, concurrency: 16, serverHost: gcHost, host: childHost({ cpu: null, startTimeoutMs: 900_000 }) });
  } catch (error) {
    note(`5000 bare ws connections failed: ${error.code ?? ''} ${error.message}`);
  }
  done();
}

// 7. CLI one-shot: `botz send` against a running network vs `node -e 0`
const BIN = join(ROOT, 'bin', 'run.js');
if (!runs('oneshot')) {
  // not selected
} else if (existsSync(BIN) && existsSync(join(ROOT, 'dist', 'commands', 'send.js'))) {
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

// 8. Mesh: 100 nodes on the in-memory network converge, then route around 4 stopped nodes
if (runs('mesh')) {
  progress('mesh convergence, 100 nodes');
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  results.mesh = await benchMeshConvergence({ nodes: 100, extraLinks: 50, kills: 4, random });
  done();
}

// 9. NATS request/reply at 64 in flight, when both the server and the client are here
const natsServer = runs('nats') && spawnSync('nats-server', ['--version'], { stdio: 'ignore' }).status === 0;
let natsClient = false;
try {
  await import('nats');
  natsClient = true;
} catch {
  // not installed
}
if (!runs('nats')) {
  // not selected
} else if (!natsServer) note('nats-server not installed: skipped (apt-get install nats-server)');
else if (!natsClient) note('the nats npm package is not installed: NATS skipped');
else {
  progress('NATS request/reply, 64 in flight');
  const { benchNats } = await import('./nats.js');
  const { runLoad, figures: loadFigures } = await lib('request-load.js');
  results.nats = await benchNats({ inFlight: 64, bodyBytes: BODY, count: Math.round(40_000 * SCALE), cpu: pinned ? 1 : null, runLoad, figures: loadFigures });
  results.requests.push(results.nats);
  done();
}

// 10. Moleculer 0.14 request/reply over its TCP transporter (loopback, no UDP discovery), 64 and 1 in flight
if (runs('moleculer')) {
  let moleculer = false;
  try {
    await import('moleculer');
    moleculer = true;
  } catch {
    note('the moleculer npm package is not installed: Moleculer skipped');
  }
  if (moleculer) {
    progress('Moleculer (TCP) request/reply');
    const { benchMoleculer } = await import('./moleculer.js');
    const { runLoad, figures: loadFigures } = await lib('request-load.js');
    try {
      results.moleculer = await benchMoleculer({ inFlights: [64, 1], bodyBytes: BODY, count: Math.round(40_000 * SCALE), cpu: pinned ? 1 : null, runLoad, figures: loadFigures });
      results.requests.push(...results.moleculer);
    } catch (error) {
      note(`Moleculer failed: ${error.code ?? ''} ${error.message}`);
    }
    done();
  }
}

// Targets: one set of figures per round (the parts measured once are the same in each)
const figuresOf = (pass) => {
  const once = (target) => target === 'nats' || target === 'moleculer-tcp';
  const req = (target, inFlight) => results.requests.find((r) => r.target === target && r.inFlight === inFlight && (r.round === pass || once(target)));
  const body = (workload, target) => results.bodies.find((r) => r.workload === workload && r.target === target && r.round === pass)?.mbPerSec;
  // A broadcast run in which some round missed a receiver is not judged (its timing is of a smaller fan-out).
  const bc = (target, receivers) => results.broadcast.find((b) => b.target === target && b.receivers === receivers && b.round === pass && b.errors === 0);
  const rel = (path, mode) => results.reliable.find((r) => r.path === path && r.mode === mode && r.round === pass)?.messagesPerSecond;
  return {
    directThroughput64: req('direct', 64)?.msgsPerSec,
    relayThroughput64: req('relay', 64)?.msgsPerSec,
    rawThroughput64: req('raw', 64)?.msgsPerSec,
    rawCoalescedThroughput64: req('raw-coalesced', 64)?.msgsPerSec,
    rawJsonThroughput64: req('raw-json', 64)?.msgsPerSec,
    directP50At1: req('direct', 1)?.latencyMs.p50,
    rawP50At1: req('raw', 1)?.latencyMs.p50,
    rawJsonP50At1: req('raw-json', 1)?.latencyMs.p50,
    directP99At1: req('direct', 1)?.latencyMs.p99,
    rawP99At1: req('raw', 1)?.latencyMs.p99,
    directP50At64: req('direct', 64)?.latencyMs.p50,
    directP99At64: req('direct', 64)?.latencyMs.p99,
    rawP50At64: req('raw', 64)?.latencyMs.p50,
    rawP99At64: req('raw', 64)?.latencyMs.p99,
    body64kMBps: body('64k', 'direct'),
    rawBody64kMBps: body('64k', 'raw'),
    rawJsonBody64kMBps: body('64k', 'raw-json'),
    body1mMBps: body('1m', 'direct'),
    rawBody1mMBps: body('1m', 'raw'),
    rawJsonBody1mMBps: body('1m', 'raw-json'),
    body8mMBps: body('8m', 'direct'),
    rawBody8mMBps: body('8m', 'raw'),
    binary1mMBps: body('1m-binary', 'direct'),
    broadcastP50: bc('botz', 100)?.latencyMs.p50,
    rawFanoutP50: bc('raw', 100)?.latencyMs.p50,
    broadcast1000P50: bc('botz', 1000)?.latencyMs.p50,
    rawFanout1000P50: bc('raw', 1000)?.latencyMs.p50,
    deliverDirect: rel('direct', 'deliver'),
    sendDirect: rel('direct', 'send'),
    deliverRelay: rel('relay', 'deliver'),
    sendRelay: rel('relay', 'send'),
    largestDefaultBodyMiB: results.defaultLimit ? Math.max(0, ...results.defaultLimit.filter((l) => l.ok).map((l) => l.bodyBytes / MiB)) : undefined,
    registrationsPerSec: results.registration?.registrationsPerSec,
    rssPerComponentBytes: results.registration?.rssPerComponentBytes,
    rssPerWsConnectionBytes: results.wsConnections?.rssPerConnectionBytes,
    wsConnectionsPerSec: results.wsConnections?.connectionsPerSec,
    serverCpuUsPerRegistration: results.registration?.serverCpuUsPerRegistration,
    serverCpuUsPerWsConnection: results.wsConnections?.serverCpuUsPerConnection,
    sendOneShotMs: results.oneShot?.send.medianMs,
    nodeStartMs: results.oneShot?.node.medianMs,
    natsThroughput64: req('nats', 64)?.msgsPerSec,
    moleculerThroughput64: req('moleculer-tcp', 64)?.msgsPerSec,
  };
};
const perRound = Array.from({ length: ROUNDS }, (_, i) => figuresOf(i + 1));
results.targets = judgeTargets(perRound);
results.informational = informationalRatios(perRound);
results.spreads = roundSpreads(perRound);
results.elapsedSeconds = Math.round((performance.now() - started) / 1000);

// Output
printResults(results, { bodyBytes: BODY, bodyLabels: Object.fromEntries(BODY_WORKLOADS.map((w) => [w.key, w.label])) });
await mkdir(dirname(OUT), { recursive: true });
await writeFile(OUT, JSON.stringify(results, null, 2) + '\n');
console.log(`\n${results.elapsedSeconds} s; wrote ${OUT} (README → Performance from it: node scripts/bench-readme.mjs ${OUT})`);

/**
 * End to end over real sockets: five `botz register --mesh` processes in a line plus one chord,
 *
 *   n1 ── n2 ── n3 ── n4 ── n5
 *          └──────────────┘
 *
 * n1 → n4 has two 3-hop paths, n1>n2>n3>n4 and n1>n2>n5>n4; the tie goes to n3 (the smaller
 * name), the middle node. Killing n3 must move the traffic to n5. Also `botz mesh` commands,
 * `botz send --via` and `botz tail --via`. Needs a build (dist/), like cli.test.ts.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeshControlClient } from '../../src/lib/mesh/mesh-control-client.js';
import type { Route } from '../../src/lib/mesh/routing.js';
import { NOTHING_LISTENS, runBotz, startBotz, startNetwork, type Network, type Running } from './harness.js';

let net: Network;
let secret: string;
const nodes = new Map<string, { proc: Running; mesh: string }>();
const mesh = (name: string) => nodes.get(name)!.mesh;

async function start(name: string, ...dial: string[]): Promise<void> {
  const proc = await net.register(name, '--mesh', '--echo', ...dial.flatMap((d) => ['--dial', mesh(d)]));
  const line = await proc.waitFor(/^mesh node /);
  nodes.set(name, { proc, mesh: line.split(' at ')[1].trim() });
}

/** Polls a node's routes (one control link, every 5 ms) until `ok` holds; ms waited. */
async function routesUntil(ctl: MeshControlClient, ok: (routes: Route[]) => boolean, timeoutMs = 10_000): Promise<number> {
  const started = performance.now();
  while (!ok(await ctl.routes())) {
    if (performance.now() - started > timeoutMs) throw new Error(`routes at ${ctl.address} did not settle: ${JSON.stringify(await ctl.routes())}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - started;
}

const pathTo = (routes: Route[], d: string) => routes.find((r) => r.destination === d)?.path.join('>');

beforeAll(async () => {
  net = await startNetwork();
  const { readFile } = await import('node:fs/promises');
  secret = (await readFile(join(net.configDir, 'secret'), 'utf8')).trim();
  await start('n1');
  await start('n2', 'n1');
  await start('n3', 'n2');
  await start('n4', 'n3');
  await start('n5', 'n4', 'n2');
  const ctl = await MeshControlClient.connect({ address: mesh('n1'), secret });
  try {
    await routesUntil(ctl, (r) => r.length === 4 && pathTo(r, 'n4') === 'n1>n2>n3>n4');
  } finally {
    await ctl.close();
  }
}, 60_000);

afterAll(async () => {
  await net?.stop();
});

describe('botz mesh inspection', () => {
  it('routes NODE by name prints the table; --json the routes', async () => {
    const r = await runBotz(['mesh', 'routes', 'n1'], net.env);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^DESTINATION\s+NEXT HOP\s+HOPS\s+PATH$/);
    expect(lines).toContainEqual(expect.stringMatching(/^n4\s+n2\s+3\s+n1 > n2 > n3 > n4$/));
    const json = await runBotz(['mesh', 'routes', mesh('n1'), '--json'], net.env);
    expect(JSON.parse(json.stdout).map((x: Route) => x.destination)).toEqual(['n2', 'n3', 'n4', 'n5']);
  });

  it('dot prints a graph with every name quoted and every link once', async () => {
    const r = await runBotz(['mesh', 'dot', 'n3'], net.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^graph "mesh seen by n3" \{\n/);
    expect(r.stdout).toContain('  "n3" [style=filled];');
    const edges = r.stdout.split('\n').filter((l) => l.includes(' -- '));
    expect(edges.sort()).toEqual(['  "n1" -- "n2";', '  "n2" -- "n3";', '  "n2" -- "n5";', '  "n3" -- "n4";', '  "n4" -- "n5";']);
  });

  it('dot --png pipes the graph into graphviz `dot -Tpng -o FILE`', async () => {
    // A stand-in `dot` first on PATH: it checks what it is given and writes the file, so the
    // test does not depend on graphviz being installed here.
    const dir = await mkdtemp(join(tmpdir(), 'botz-dot-'));
    const fake = join(dir, 'dot');
    await writeFile(
      fake,
      `#!/bin/sh\n[ "$1" = "-Tpng" ] && [ "$2" = "-o" ] || exit 9\ninput=$(cat)\ncase "$input" in *graph*'"n1"'*) printf 'PNG %s' "$input" > "$3";; *) exit 8;; esac\n`,
      { mode: 0o755 },
    );
    const file = join(dir, 'mesh.png');
    const r = await runBotz(['mesh', 'dot', 'n1', '--png', file], { ...net.env, PATH: `${dir}:${process.env.PATH}` });
    expect(r).toMatchObject({ code: 0, stdout: `wrote ${file}\n` });
    expect(await readFile(file, 'utf8')).toMatch(/^PNG (strict )?graph /);
  });

  it('dot --png without graphviz names the package to install (exit 1)', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'botz-dot-')), 'mesh.png');
    const r = await runBotz(['mesh', 'dot', 'n1', '--png', file], { ...net.env, PATH: '/nonexistent' });
    expect(r).toMatchObject({ code: 1, stderr: expect.stringMatching(/graphviz is not installed .*apt-get install graphviz/) });
    expect(existsSync(file)).toBe(false);
  });

  it('status shows links, degree, announcement period and counters', async () => {
    const r = await runBotz(['mesh', 'status', 'n2', '--json'], net.env);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ name: 'n2', degree: 0, msaIntervalMs: 2000, known: 5, reachable: 4 });
    expect(s.links.map((l: { peer: string }) => l.peer)).toEqual(['n1', 'n3', 'n5']);
    expect(s.counters.msaSent).toBeGreaterThan(0);
    const plain = await runBotz(['mesh', 'status', 'n2'], net.env);
    expect(plain.stdout).toMatch(/^announcement period\s+2s$/m);
  });

  it('dial links two nodes (routes shorten); hangup drops the link again', async () => {
    const dial = await runBotz(['mesh', 'dial', 'n1', mesh('n4'), '--json'], net.env);
    expect(dial.code).toBe(0);
    expect(JSON.parse(dial.stdout)).toMatchObject({ peer: 'n4' });
    const ctl = await MeshControlClient.connect({ address: mesh('n1'), secret });
    try {
      await routesUntil(ctl, (r) => pathTo(r, 'n4') === 'n1>n4');
      const hangup = await runBotz(['mesh', 'hangup', 'n1', 'n4'], net.env);
      expect(hangup).toMatchObject({ code: 0, stdout: 'n1 hung up on n4\n' });
      await routesUntil(ctl, (r) => pathTo(r, 'n4') === 'n1>n2>n3>n4');
    } finally {
      await ctl.close();
    }
  });

  it.each([
    [['mesh', 'routes', 'no-such-node'], 3],
    [['mesh', 'hangup', 'n1', 'stranger'], 3],
    [['send', 'nobody', 'a=1', '--via', 'MESH_N1'], 3],
  ])('%j exits %i', async (args, exit) => {
    const r = await runBotz(args.map((a) => (a === 'MESH_N1' ? mesh('n1') : a)), net.env);
    expect(r.code).toBe(exit);
    expect(r.stderr).toMatch(/^botz: /);
  });

  it('a mesh address where nothing listens exits 7', async () => {
    const r = await runBotz(['mesh', 'status', NOTHING_LISTENS], net.env);
    expect(r.code).toBe(7);
  });
});

describe('send and tail across the mesh, and the reroute when the middle node dies', () => {
  it('tail --via shows the request leaving and the reply coming back, with paths', async () => {
    const tail = startBotz(['tail', '--via', mesh('n1'), '--json', '--count', '2'], net.env);
    await tail.waitFor(/^tailing mesh traffic/, 'err');
    const sent = await runBotz(['send', 'n4', 'k=v', '--via', mesh('n1')], net.env);
    expect(sent).toMatchObject({ code: 0, stdout: '{"k":"v"}\n' });
    expect(sent.stderr).toBe('mesh path n1>n2>n3>n4, reply n4>n3>n2>n1\n');
    expect(await tail.exited).toBe(0);
    const events = tail.lines.map((l) => JSON.parse(l));
    // The request leaves n1 bound along n1>n2>n3>n4; the reply comes back along the reverse.
    expect(events[0]).toMatchObject({ kind: 'request', action: 'originate', node: 'n1', from: 'n1', to: 'n4', path: 'mesh', hops: ['n1'], route: ['n1', 'n2', 'n3', 'n4'] });
    expect(events[1]).toMatchObject({ kind: 'response', action: 'deliver', node: 'n1', from: 'n4', to: 'n1', path: 'mesh', hops: ['n4', 'n3', 'n2', 'n1'] });
    await nodes.get('n4')!.proc.waitFor(/n1 → n4 {2}request {2}\{"k":"v"\} {2}mesh via n1>n2>n3>n4$/);
  });

  it('after the middle node is killed, the next send goes round it and routes show the new path', async () => {
    const ctl = await MeshControlClient.connect({ address: mesh('n1'), secret });
    try {
      const killedAt = performance.now();
      await nodes.get('n3')!.proc.stop('SIGKILL');
      const exitedMs = performance.now() - killedAt;
      // A send issued the moment the process is gone. If it overtakes the mesh's noticing that
      // n3 died (n2 then hands it to the dead link), it fails and says so; once n1's routes go
      // round n3, the next send must too.
      const send = () => ctl.send('n4', { right: 'after' }, { timeoutMs: 5_000 });
      const first = await send().catch(async (error: unknown) => {
        expect(error).toMatchObject({ code: expect.stringMatching(/^(UNREACHABLE|CLOSED|NO_ROUTE)$/) });
        console.log(`mesh reroute: the first send raced n3's death and failed with ${(error as { code: string }).code}; sending again once n1 routes round n3`);
        await routesUntil(ctl, (r) => pathTo(r, 'n4') === 'n1>n2>n5>n4');
        return send();
      });
      const firstSendMs = performance.now() - killedAt;
      const rerouteMs = (await routesUntil(ctl, (r) => pathTo(r, 'n4') === 'n1>n2>n5>n4')) + firstSendMs;
      console.log(`mesh reroute: process gone after ${exitedMs.toFixed(0)} ms; first send after kill answered in ${firstSendMs.toFixed(0)} ms via ${first.hops.join('>')}; n1's route to n4 changed within ${rerouteMs.toFixed(0)} ms`);
      expect(first.hops).toEqual(['n1', 'n2', 'n5', 'n4']);
      expect(firstSendMs).toBeLessThan(1_000);
    } finally {
      await ctl.close();
    }
    const sent = await runBotz(['send', 'n4', 'again=1', '--via', mesh('n1'), '--json'], net.env);
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout)).toEqual({ again: '1' });
    expect(sent.stderr).toMatch(/^mesh path n1>n2>n5>n4,/);
    const routes = await runBotz(['mesh', 'routes', 'n1'], net.env);
    expect(routes.stdout).toMatch(/^n4\s+n2\s+3\s+n1 > n2 > n5 > n4$/m);
    expect(routes.stdout).not.toMatch(/^n3 /m);
  });
});

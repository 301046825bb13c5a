/** The REPL's `mesh` verb against real mesh nodes on loopback. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Component } from '../../src/index.js';
import { ErrorCode } from '../../src/lib/errors.js';
import type { MeshNode } from '../../src/lib/mesh/mesh-node.js';
import { wsTransport } from '../../src/lib/transport/ws.js';
import type { ComponentInfo } from '../../src/lib/wire/frames.js';
import { runMeshVerb } from '../../src/repl/mesh-verb.js';

const secret = 'repl-mesh-verb-secret-0123456789';
const nodes: Component[] = [];
let a: MeshNode;
let b: MeshNode;

beforeAll(async () => {
  for (const name of ['rm-a', 'rm-b']) nodes.push(await Component.start({ name, secret, server: null, transport: wsTransport, mesh: { port: 0 } }));
  [a, b] = nodes.map((n) => n.mesh!.node);
});
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
});

const registry = (): Promise<ComponentInfo[]> =>
  Promise.resolve([{ name: 'rm-a', address: null, groups: [], state: 'ready', meta: { mesh: a.address! }, lastHeartbeat: 0, registeredAt: 0 }]);
const run = (line: string) => runMeshVerb(line.split(' '), { secret, components: registry });

describe('mesh verb', () => {
  it('dials by NODE name, shows routes, status and dot, and hangs up', async () => {
    expect(await run(`dial rm-a ${b.address}`)).toBe(`rm-a linked to rm-b at ${b.address}`);
    expect(await run('routes rm-a')).toMatch(/^DESTINATION\s+NEXT HOP\s+HOPS\s+PATH\nrm-b\s+rm-b\s+1\s+rm-a > rm-b$/);
    expect(JSON.parse(await run(`status ${a.address} --json`))).toMatchObject({ name: 'rm-a', links: [{ peer: 'rm-b' }] });
    expect(await run('dot rm-a')).toContain('"rm-a" -- "rm-b";');
    expect(await run('hangup rm-a rm-b')).toBe('rm-a hung up on rm-b');
    await expect(run('hangup rm-a rm-b')).rejects.toMatchObject({ code: ErrorCode.NO_ROUTE });
  });

  it.each([['routes'], ['fly rm-a'], ['dial rm-a'], ['routes rm-a extra']])('"%s" is a usage error', async (line) => {
    await expect(run(line)).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
  });

  it('an unknown NODE name is NO_SUCH_COMPONENT', async () => {
    await expect(run('routes nobody')).rejects.toMatchObject({ code: ErrorCode.NO_SUCH_COMPONENT });
  });
});

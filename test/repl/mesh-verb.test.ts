/**
 * The REPL's `mesh` verbs against real mesh nodes on loopback: the table's verbs (the ones
 * `botz mesh ...` runs) in the REPL's context, on a line as the REPL parses it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Component } from '../../src/index.js';
import { ErrorCode } from '../../src/lib/errors.js';
import type { MeshNode } from '../../src/lib/mesh/mesh-node.js';
import { wsTransport } from '../../src/lib/transport/ws.js';
import type { ComponentInfo } from '../../src/lib/wire/frames.js';
import { describeFailure } from '../../src/cli/exit-codes.js';
import { runVerb, type VerbClient } from '../../src/cli/verb.js';
import { LiveComponents } from '../../src/repl/live-components.js';
import type { ReplOutput } from '../../src/repl/output.js';
import { parseLine } from '../../src/repl/parse-line.js';
import { ReplContext } from '../../src/repl/repl-context.js';
import { Session } from '../../src/repl/session.js';

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
const client = { components: registry } as unknown as VerbClient;
const plain = { tty: false, color: false };

/** Runs `mesh LINE` as the REPL would; its text, or the verb's error as thrown. */
async function run(line: string): Promise<string> {
  const inv = await parseLine(`mesh ${line}`);
  if (!inv?.spec.verb) throw new Error(`not a verb: ${line}`);
  const quiet: ReplOutput = { out: () => {}, err: () => {}, notice: () => {}, hold: () => {}, release: () => {} };
  const ctx = new ReplContext({ client, output: quiet, style: plain, json: inv.input.json, server: '127.0.0.1:7300', secret, failure: {} });
  return (await runVerb(inv.spec.verb, ctx, inv.input)).text ?? '';
}

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
    // An unknown mesh verb is INVALID_ARGUMENT; a missing or extra argument oclif's parse error, as for `botz mesh`.
    const error = await run(line).then(() => undefined, (e: unknown) => e);
    expect(describeFailure(error)).toMatchObject({ exit: 2, code: expect.stringMatching(/^(INVALID_ARGUMENT|USAGE)$/) });
  });

  it('an unknown NODE name is NO_SUCH_COMPONENT', async () => {
    await expect(run('routes nobody')).rejects.toMatchObject({ code: ErrorCode.NO_SUCH_COMPONENT });
  });

  it('takes the flags of `botz mesh`: --timeout, and --json anywhere on the line', async () => {
    expect(JSON.parse(await run(`routes --json ${a.address} --timeout 2s`))).toEqual([]);
  });

  it('without the secret, says so', async () => {
    const inv = (await parseLine('mesh routes rm-a'))!;
    const quiet: ReplOutput = { out: () => {}, err: () => {}, notice: () => {}, hold: () => {}, release: () => {} };
    const ctx = new ReplContext({ client, output: quiet, style: plain, json: false, server: '127.0.0.1:7300', failure: {} });
    await expect(runVerb(inv.spec.verb!, ctx, inv.input)).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT, message: expect.stringMatching(/shared secret/) });
  });
});

describe('mesh verbs in a session', () => {
  it('print what `botz mesh` prints; failures are the CLI one-liners, naming the mesh node', async () => {
    const lines = { out: [] as string[], err: [] as string[] };
    const output: ReplOutput = { out: (t) => lines.out.push(t), err: (t) => lines.err.push(t), notice: () => {}, hold: () => {}, release: () => {} };
    const session = new Session({ client: client as never, output, live: new LiveComponents(), style: plain, server: '127.0.0.1:7300', secret });
    expect(await session.run(`mesh status ${b.address}`)).toEqual({ exit: 0, quit: false });
    expect(lines.out[0]).toMatch(/^name\s+rm-b$/m);
    expect(await session.run('mesh hangup rm-a nobody')).toEqual({ exit: 3, quit: false });
    expect(lines.err[0]).toMatch(/^botz: rm-a has no link to nobody; /);
    expect(await session.run('mesh routes')).toEqual({ exit: 2, quit: false });
    expect(lines.err[1]).toMatch(/^botz: .*\(see `help mesh routes`\)$/);
    expect(await session.run('mesh fly rm-a')).toEqual({ exit: 2, quit: false });
    expect(lines.err[2]).toBe('botz: unknown mesh verb "fly" (see `help mesh`)');
    expect(await session.run(`mesh routes 127.0.0.1:1`)).toEqual({ exit: 7, quit: false });
    expect(lines.err[3]).toMatch(/^botz: cannot reach the mesh node at 127\.0\.0\.1:1/);
  });
});

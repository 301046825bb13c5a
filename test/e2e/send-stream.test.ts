/**
 * `botz send NAME ... --stream` against a component in its own process whose handler streams:
 * each chunk is printed as it comes (the first before the handler has made the rest), NDJSON
 * when piped; a handler that throws after some chunks exits 5 after printing them; SIGINT stops
 * the stream early and the handler is told. Over a direct link and through the relay.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runBotz, Running, startBotz, startNetwork, type Network } from './harness.js';

let net: Network;
const fixtures: Running[] = [];

beforeAll(async () => {
  net = await startNetwork();
});
afterAll(async () => {
  await Promise.all(fixtures.map((f) => f.stop('SIGKILL')));
  await net?.stop();
});

async function streamer(name: string, port: string[]): Promise<Running> {
  const child = spawn(process.execPath, ['test/fixtures/streaming-component.mjs', net.address, name, ...port], { cwd: ROOT, env: net.env, stdio: ['pipe', 'pipe', 'pipe'] });
  const running = new Running(child);
  fixtures.push(running);
  await running.waitFor(/^ready /);
  return running;
}

describe.each([
  ['direct', ['0']],
  ['relay', []],
])('botz send --stream, %s', (path, port) => {
  it('prints each chunk as it comes, one NDJSON line each when piped', async () => {
    const name = `e2e-streamer-${path}`;
    const component = await streamer(name, port);
    const send = startBotz(['send', name, 'wait:=true', '--stream'], net.env);
    // The handler is waiting for the release: these lines came before it made the next.
    await send.waitFor(/^\{"n":2\}$/);
    expect(send.lines).toEqual(['"first"', '{"n":2}']);
    expect((await runBotz(['send', name, 'release:=true'], net.env)).code).toBe(0);
    expect(await send.exited).toBe(0);
    expect(send.lines).toEqual(['"first"', '{"n":2}', '{"n":3,"bytes":"AQI="}']);
    expect(send.errLines).toEqual([]);
    await component.waitFor(/^handler done$/);
  });

  it('a handler that throws after some chunks: they are printed, then exit 5 with its message', async () => {
    const name = `e2e-failer-${path}`;
    await streamer(name, port);
    const r = await runBotz(['send', name, 'fail:=true', '--stream', '--json'], net.env);
    expect(r.code).toBe(5);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual(['"first"', '{"n":2}', '{"n":3,"bytes":"AQI="}']);
    expect(r.stderr).toMatch(/went wrong/);
  });
});

it('SIGINT stops a streamed send early (exit 0) and the handler is told', async () => {
  const name = 'e2e-streamer-stop';
  const component = await streamer(name, ['0']);
  const send = startBotz(['send', name, 'wait:=true', '--stream'], net.env);
  await send.waitFor(/^\{"n":2\}$/);
  expect(await send.stop('SIGINT')).toBe(0);
  await component.waitFor(/^handler done \(caller left\)$/);
});

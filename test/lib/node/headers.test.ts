/**
 * Headers travel the same whichever way a message goes: a request's reach the handler as
 * `msg.headers` and the reply's come back to the caller, over a direct link, through the
 * server's relay and across the mesh; a reliable message's reach its reader; a broadcast's
 * reach every receiver. One table of paths, the same assertions for each.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Component, MemoryNetwork, Server, reply, type Message } from '../../../src/index.js';
import { SECRET } from '../../helpers/network.js';
import { until } from '../../helpers/wait.js';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
});

type Path = 'direct' | 'relay' | 'mesh';

/** `a` calls `b` by `path`; `b` answers every request with the headers it saw and one of its own. */
async function pair(path: Path) {
  const net = new MemoryNetwork();
  const seen: Message[] = [];
  const onMessage = (m: Message) => {
    seen.push(m);
    return reply({ saw: m.headers }, { headers: { 'x-answer': `from b by ${m.path}` } });
  };
  const common = { secret: SECRET, reliable: {} };
  let server: Server | undefined;
  if (path !== 'mesh') {
    server = await Server.start({ secret: SECRET, transport: net.transport('server') });
    stops.push(() => server!.stop());
  }
  const at = path === 'mesh' ? { server: null, mesh: {} } : { server: server!.address };
  const b = await Component.start({ ...common, ...at, name: 'b', transport: net.transport('b'), onMessage, ...(path === 'direct' ? { port: 0 } : {}) });
  const a = await Component.start({ ...common, ...at, name: 'a', transport: net.transport('a'), onMessage: () => null });
  stops.push(() => b.stop(), () => a.stop());
  if (path === 'mesh') {
    await a.mesh!.node.dial(b.mesh!.address);
    await until('a route to b', () => a.mesh!.hasRoute('b'));
  }
  return { a, b, seen };
}

describe.each<Path>(['direct', 'relay', 'mesh'])('headers over the %s path', (path) => {
  it('a request carries its headers to the handler, and the reply its own back', async () => {
    const { a, seen } = await pair(path);
    const answer = await a.request('b', { q: 1 }, { headers: { 'trace-id': 'abc', 'x-empty': '' } });
    expect(answer.path).toBe(path);
    expect(answer.body).toEqual({ saw: { 'trace-id': 'abc', 'x-empty': '' } });
    expect(answer.headers).toEqual({ 'x-answer': `from b by ${path}` });
    expect(seen.map((m) => [m.kind, m.headers])).toEqual([['request', { 'trace-id': 'abc', 'x-empty': '' }]]);
  });

  it('a request without headers arrives with {} and its reply says the same', async () => {
    const { a, seen } = await pair(path);
    const answer = await a.request('b', null);
    expect(answer.body).toEqual({ saw: {} });
    expect(seen[0].headers).toEqual({});
  });

  it('a reliable message carries its headers to the reader', async () => {
    const { a, seen } = await pair(path);
    await a.deliver('b', { n: 1 }, { headers: { 'idempotency-key': 'k1' } });
    await a.deliver('b', { n: 2 });
    expect(seen.filter((m) => m.kind === 'message').map((m) => [m.body, m.headers])).toEqual([
      [{ n: 1 }, { 'idempotency-key': 'k1' }],
      [{ n: 2 }, {}],
    ]);
  });
});

describe('headers on a broadcast', () => {
  it.each<Path>(['direct', 'relay'])('reach every receiver (%s)', async (path) => {
    const { a, seen } = await pair(path);
    const result = await a.broadcast({ all: 1 }, { headers: { reason: 'deploy' } });
    expect(result.delivered).toEqual(['b']);
    expect(seen.filter((m) => m.kind === 'broadcast').map((m) => m.headers)).toEqual([{ reason: 'deploy' }]);
  });
});

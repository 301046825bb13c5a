// Two components that send to each other at the same moment dial each other at the same
// moment. Each uses only its own dial as its route (a link the other dialed is answered on, never
// sent on: see peer-pool.ts), so they end up with two sockets. Stopping one of them must close
// both: the one it dialed and the one its peer dialed, or it would go on answering.
import { afterEach, describe, expect, it } from 'vitest';
import { Component } from '../../../src/lib/component/component.js';
import { Server } from '../../../src/lib/registry/server.js';
import { MemoryNetwork } from '../../../src/lib/transport/memory.js';

const SECRET = 'crossed dials test secret 0123';
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
});

describe('crossed dials', () => {
  it('a stopped component answers nothing more, on either of the crossed links', async () => {
    const memory = new MemoryNetwork();
    const server = await Server.start({ secret: SECRET, transport: memory.transport('server') });
    stops.push(() => server.stop());
    const handled: Record<string, number> = { a: 0, b: 0 };
    const start = async (name: string) => {
      const c = await Component.start({
        server: server.address,
        secret: SECRET,
        name,
        port: 0,
        transport: memory.transport(name),
        onMessage: () => (handled[name]++, name),
      });
      stops.push(() => c.stop());
      return c;
    };
    const a = await start('a');
    const b = await start('b');
    memory.delayMs = 20; // the two lookups, then the two dials, overlap
    expect(await Promise.all([a.send('b', {}), b.send('a', {})])).toEqual(['b', 'a']);
    memory.delayMs = 0;
    await a.stop();
    const before = handled.a;
    const after = await b.send('a', {}, { timeout: 500 }).catch((e: unknown) => e);
    expect(after).toMatchObject({ code: expect.stringMatching(/NO_SUCH_COMPONENT|UNREACHABLE|TIMEOUT|CLOSED/) as string });
    expect(handled.a).toBe(before);
  });
});

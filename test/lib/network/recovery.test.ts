import { afterEach, describe, expect, it } from 'vitest';
import { Client, Component, MemoryNetwork, Server } from '../../../src/index.js';
import { Network, SECRET, nextMember } from '../../helpers/network.js';

const net = new Network();
afterEach(() => net.stopAll());

describe('address cache', () => {
  it('follows a component that re-registers at a new address, without the sender doing anything', async () => {
    await net.serve();
    const alice = await net.component({ name: 'alice' });
    const first = await net.echo('echo', { onMessage: () => 'first' });
    expect(await alice.send('echo', {})).toBe('first');
    const left = nextMember(alice, (e) => e.type === 'leave' && e.component.name === 'echo');
    await first.stop();
    await left;
    const second = await net.echo('echo', { onMessage: () => 'second' });
    expect(second.address).not.toBe(first.address);
    expect(await alice.send('echo', {})).toBe('second');
  });
});

describe('on the in-memory network', () => {
  it('runs the same server and components, and a client notices a server gone silent and reconnects', async () => {
    const network = new MemoryNetwork();
    const server = await Server.start({ secret: SECRET, transport: network.transport('server'), heartbeatIntervalMs: 30 });
    net.add(() => server.stop());
    const echo = await Component.start({
      server: server.address,
      secret: SECRET,
      name: 'echo',
      port: 0,
      transport: network.transport('host-a'),
      onMessage: (m) => m.body,
    });
    net.add(() => echo.stop());
    const client = await Client.connect({ server: server.address, secret: SECRET, transport: network.transport('host-b') });
    net.add(() => client.close());
    expect(await client.send('echo', { over: 'memory' })).toEqual({ over: 'memory' });

    // The server's packets to host-a vanish (a one-way failure): echo's watchdog must act.
    const restore = network.lose((m) => m.from.startsWith('server:') && m.to.startsWith('host-a:'));
    const down = new Promise((r) => echo.once('disconnected', r));
    await down;
    restore();
    await new Promise((r) => echo.once('reconnected', r));
    expect(await client.send('echo', { after: 'reconnect' })).toEqual({ after: 'reconnect' });
  });
});

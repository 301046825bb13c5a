import { afterEach, describe, expect, it } from 'vitest';
import { Component, Server } from '../../../src/index.js';
import { Network, SECRET, nextMember } from '../../helpers/network.js';
import { rawChannel } from '../../helpers/raw-peer.js';

const net = new Network();
afterEach(() => net.stopAll());

describe('Botica lifecycle', () => {
  it('does not offer a component to senders before it is ready', async () => {
    const server = await net.serve();
    const raw = await rawChannel(server.address, 'starting', SECRET);
    net.add(async () => raw.channel.close());
    await raw.channel.request({ type: 'register', address: null, port: null, groups: [], meta: {} }, { timeoutMs: 1000 });
    const client = await net.client();
    expect((await client.components()).find((c) => c.name === 'starting')?.state).toBe('registered');
    await expect(client.send('starting', {})).rejects.toMatchObject({ code: 'NO_SUCH_COMPONENT' });
    await raw.channel.request({ type: 'ready' }, { timeoutMs: 1000 });
    expect((await client.components()).find((c) => c.name === 'starting')?.state).toBe('ready');
  });

  // Heartbeats, suspect and removal run in virtual time: see liveness.test.ts.

  it('answers shutdownRequest from its hook, deregisters and stops when ready', async () => {
    await net.serve();
    const echo = await net.echo('victim');
    const stopped = new Promise((r) => echo.once('shutdown', r));
    const client = await net.client();
    const left = nextMember(client, (e) => e.type === 'leave' && e.component.name === 'victim');
    expect(await client.shutdown('victim')).toEqual({ ready: true });
    expect(await stopped).toEqual({ forced: false, from: client.name });
    await left;
  });

  it('stays up when not ready for a polite shutdown, and stops after the grace period when forced', async () => {
    await net.serve();
    const echo = await net.echo('busy', { onShutdown: () => false, shutdownGraceMs: 50 });
    const client = await net.client();
    expect(await client.shutdown('busy')).toEqual({ ready: false });
    expect(await client.send('busy', { still: 'here' })).toEqual({ still: 'here' });
    const stopped = new Promise((r) => echo.once('shutdown', r));
    expect(await client.shutdown('busy', { forced: true })).toEqual({ ready: false });
    expect(await stopped).toMatchObject({ forced: true });
  });
});

describe('server restart', () => {
  it('components reconnect and re-register by themselves; senders recover without help', async () => {
    const first = await Server.start({ host: '127.0.0.1', port: 0, secret: SECRET });
    const port = Number(first.address.split(':')[1]);
    const echo = await Component.start({ server: first.address, secret: SECRET, name: 'echo', port: 0, onMessage: (m) => m.body });
    const natted = await Component.start({ server: first.address, secret: SECRET, name: 'natted', onMessage: (m) => m.body });
    net.add(() => echo.stop());
    net.add(() => natted.stop());
    const alice = await Component.start({ server: first.address, secret: SECRET, name: 'alice', timeoutMs: 5000 });
    net.add(() => alice.stop());
    expect(await alice.send('echo', { n: '1' })).toEqual({ n: '1' });

    const back = Promise.all([echo, natted, alice].map((c) => new Promise((r) => c.once('reconnected', r))));
    await first.stop();
    const second = await Server.start({ host: '127.0.0.1', port, secret: SECRET });
    net.add(() => second.stop());
    await back;
    expect(second.components().map((c) => c.name).sort()).toEqual(['alice', 'echo', 'natted']);
    expect(await alice.send('echo', { n: '2' })).toEqual({ n: '2' });
    expect(await alice.send('natted', { n: '3' })).toEqual({ n: '3' });
  });
});

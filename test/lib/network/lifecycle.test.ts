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

  it('marks a component that stops heartbeating suspect, then removes it, and tells everyone', async () => {
    await net.serve({ heartbeatIntervalMs: 40 });
    const raw = await rawChannel(net.server.address, 'hung', SECRET);
    net.add(async () => raw.channel.close());
    await raw.channel.request({ type: 'register', address: null, port: null, groups: [], meta: {} }, { timeoutMs: 1000 });
    await raw.channel.request({ type: 'ready' }, { timeoutMs: 1000 });
    const watcher = await net.client();
    const suspect = nextMember(watcher, (e) => e.type === 'suspect' && e.component.name === 'hung');
    const leave = nextMember(watcher, (e) => e.type === 'leave' && e.component.name === 'hung');
    // `hung` never answers the server's heartbeats.
    expect((await suspect).component.state).toBe('suspect');
    await leave;
    expect((await watcher.components()).map((c) => c.name)).not.toContain('hung');
    expect(raw.frames.some((f) => f.type === 'heartbeat')).toBe(true);
  });

  it('keeps a heartbeating component alive well past the suspect timeout', async () => {
    await net.serve({ heartbeatIntervalMs: 30 });
    await net.echo('steady');
    const watcher = await net.client();
    const events: string[] = [];
    await watcher.watch((e) => events.push(e.type));
    // Ten heartbeat rounds (two full removal timeouts), counted on a peer that hears them.
    const observer = await rawChannel(net.server.address, 'observer', SECRET, { role: 'client', answerHeartbeats: true });
    net.add(async () => observer.channel.close());
    await observer.waitFor((frames) => frames.filter((f) => f.type === 'heartbeat').length >= 10);
    expect(events).toEqual([]);
    expect((await watcher.components())[0].state).toBe('ready');
  });

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

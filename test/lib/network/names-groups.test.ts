import { afterEach, describe, expect, it } from 'vitest';
import { Component } from '../../../src/index.js';
import { Network, SECRET, nextMember } from '../../helpers/network.js';

const net = new Network();
afterEach(() => net.stopAll());

describe('names', () => {
  it('refuses a second live registration of a taken name with NAME_TAKEN', async () => {
    await net.serve();
    await net.echo('echo');
    await expect(net.echo('echo')).rejects.toMatchObject({ code: 'NAME_TAKEN' });
    const client = await net.client();
    expect(await client.send('echo', { still: 'works' })).toEqual({ still: 'works' });
  });

  it('refuses invalid names before touching the network', async () => {
    await net.serve();
    await expect(net.component({ name: 'has space' })).rejects.toMatchObject({ code: 'INVALID_NAME' });
    await expect(net.component({ name: '$server' })).rejects.toMatchObject({ code: 'INVALID_NAME' });
  });

  it('lets the owner reclaim its name after its link drops, without a leave', async () => {
    const server = await net.serve();
    await net.echo('echo');
    const watcher = await net.client();
    const events: string[] = [];
    await watcher.watch((e) => events.push(`${e.type}:${e.component.name}`));
    const echo = await Component.start({ server: server.address, secret: SECRET, name: 'flappy', port: 0, onMessage: (m) => m.body });
    net.add(() => echo.stop());
    const reconnected = new Promise((r) => echo.once('reconnected', r));
    // Cut the component's control link from the server side, as a network blip would.
    (server as unknown as { channels: Map<string, { link: { close(c: number): void } }> }).channels.get('flappy')!.link.close(1006);
    await reconnected;
    expect(await watcher.send('flappy', { back: 'yes' })).toEqual({ back: 'yes' });
    expect(events.filter((e) => e.endsWith(':flappy'))).not.toContain('leave:flappy');
  });

  it('gives a dead owner\'s name to a new process of the same name', async () => {
    const server = await net.serve({ heartbeatIntervalMs: 60_000 });
    const first = await net.echo('worker');
    // Simulate a crash: the link closes without a bye.
    (first as unknown as { node: { serverLink: { channel: { link: { close(c: number): void } } } } }).node.serverLink.channel.link.close(1006);
    await first.stop();
    const second = await net.echo('worker', { onMessage: () => ({ second: true }) });
    expect(second.name).toBe('worker');
    expect(server.components().find((c) => c.name === 'worker')?.state).toBe('ready');
    const client = await net.client();
    expect(await client.send('worker', {})).toEqual({ second: true });
  });
});

describe('groups', () => {
  it('sends to one ready member of a group, round robin', async () => {
    await net.serve();
    for (const name of ['w1', 'w2', 'w3']) await net.component({ name, port: 0, groups: ['workers'], onMessage: () => name });
    await net.echo('other');
    const client = await net.client();
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await client.send('@workers', {}));
    expect(answers).toEqual(['w1', 'w2', 'w3', 'w1', 'w2', 'w3']);
    await expect(client.send('@nobody', {})).rejects.toMatchObject({ code: 'NO_SUCH_COMPONENT', message: 'no ready component is in group "nobody"' });
  });

  it('broadcasts to a group only, and reports failures per component', async () => {
    await net.serve();
    const got: string[] = [];
    await net.component({ name: 'g1', port: 0, groups: ['g'], onMessage: () => void got.push('g1') });
    await net.component({
      name: 'g2',
      groups: ['g'],
      onMessage: () => {
        throw new Error('broken');
      },
    });
    await net.component({ name: 'deaf', groups: ['g'], port: 0, broadcasts: false, onMessage: () => null });
    await net.component({ name: 'outsider', port: 0, onMessage: () => void got.push('outsider') });
    const client = await net.client();
    const report = await client.broadcast({ hi: '1' }, { group: 'g' });
    expect(report.delivered).toEqual(['g1']);
    expect(report.ignored).toEqual(['deaf']);
    expect(report.failed).toEqual([{ name: 'g2', error: { code: 'REMOTE_ERROR', message: 'broken' } }]);
    expect(got).toEqual(['g1']);
    const all = await client.broadcast({ hi: '2' });
    expect(all.delivered.sort()).toEqual(['g1', 'outsider']);
  });
});

describe('membership events', () => {
  it('tells watchers of join, ready and leave', async () => {
    await net.serve();
    const watcher = await net.client();
    const events: string[] = [];
    await watcher.watch((e) => events.push(`${e.type}:${e.component.name}`));
    const c = await net.echo('newcomer');
    const left = nextMember(watcher, (e) => e.type === 'leave' && e.component.name === 'newcomer');
    await c.stop();
    await left;
    expect(events).toEqual(['join:newcomer', 'ready:newcomer', 'leave:newcomer']);
  });
});

// A hello's `from` is only a claim: every holder of the shared secret can dial a component and
// say it is anyone. A component must never take such a link as its route to the claimed name:
// its own traffic to a name goes over its own dial to the address the server registered for it.
import { afterEach, describe, expect, it } from 'vitest';
import { Channel } from '../../../src/lib/channel/channel.js';
import { NodeContext } from '../../../src/lib/channel/node-context.js';
import { wsTransport } from '../../../src/lib/transport/ws.js';
import type { Frame } from '../../../src/lib/wire/frames.js';
import type { Component } from '../../../src/index.js';
import { until } from '../../helpers/wait.js';
import { Network, SECRET } from '../../helpers/network.js';

const net = new Network();
afterEach(() => net.stopAll());

/** Dials `address` as `claim`, expecting `expect` there, and records every frame it is sent. */
async function impostor(address: string, claim: string, expect: string) {
  const ctx = new NodeContext({ name: claim, secret: SECRET });
  const received: Frame[] = [];
  const { channel } = await Channel.connect(ctx, wsTransport, address, {
    expect,
    role: 'component',
    handlers: { onFrame: (frame) => received.push(frame) },
  });
  net.add(async () => channel.close());
  return { channel, received };
}

describe('a direct link that claims a name', () => {
  it('does not take over the traffic to that name: it still reaches the registered component', async () => {
    await net.serve();
    const alice = await net.echo('alice', { onMessage: () => 'the real alice' });
    const victim = await net.echo('victim');
    const attacker = await impostor(victim.address!, 'alice', 'victim');

    // The link is up and usable for what the dialer asks: answers go back on it.
    const echoed = await attacker.channel.request({ type: 'request', body: 'hi' }, { to: 'victim', timeoutMs: 2000 });
    expect(echoed).toMatchObject({ type: 'response', body: 'hi' });

    expect(await victim.send('alice', 'for alice', { timeout: 2000 })).toBe('the real alice');
    expect(await victim.send('alice', 'again', { timeout: 2000 })).toBe('the real alice');
    expect(attacker.received.filter((f) => f.type === 'request')).toEqual([]);
    expect(alice.address).not.toBeNull();
  });

  it('closing such a link is no path of ours going down: reliable delivery does not resume for it', async () => {
    await net.serve();
    const bob = await net.echo('bob');
    const victim = await net.echo('victim');
    await victim.deliver('bob', 'first');
    const bobsOwnLinks = acceptedLinks(victim); // bob dialed victim to confirm
    const attacker = await impostor(victim.address!, 'bob', 'victim');
    await attacker.channel.request({ type: 'request', body: 'hi' }, { to: 'victim', timeoutMs: 2000 });
    const resumes = tapResumes(bob);
    attacker.channel.close();
    await until('victim saw the link close', () => acceptedLinks(victim) === bobsOwnLinks);
    await victim.deliver('bob', 'second');
    expect(resumes).toEqual([]);
  });
});

/** Resume frames `component` receives from now on. */
function tapResumes(component: Component): Frame[] {
  const resumes: Frame[] = [];
  const inbound = (component as unknown as { node: { inbound: { receive(f: Frame, ...rest: unknown[]): void } } }).node.inbound;
  const original = inbound.receive.bind(inbound);
  inbound.receive = (f: Frame, ...rest: unknown[]) => {
    if (f.type === 'resume') resumes.push(f);
    original(f, ...rest);
  };
  return resumes;
}

/** Links other nodes dialed to `component` that are still open. */
function acceptedLinks(component: Component): number {
  return (component as unknown as { node: { peers: { accepted: Set<unknown> } } }).node.peers.accepted.size;
}

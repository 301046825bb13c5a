import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Component } from '../../../src/index.js';
import { Network, SECRET, nextMember } from '../../helpers/network.js';

const net = new Network();
afterEach(() => net.stopAll());

describe('many components', () => {
  it('50 components register, message each other and broadcast, with every reply accounted for', async () => {
    await net.serve();
    const names = Array.from({ length: 50 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    const received = new Map<string, number>();
    const components: Component[] = [];
    for (const [i, name] of names.entries()) {
      components.push(
        await net.component({
          name,
          // Half accept direct links, half are reached through the relay.
          ...(i % 2 === 0 ? { port: 0 } : {}),
          onMessage: (m) => {
            received.set(name, (received.get(name) ?? 0) + 1);
            return { from: m.from, to: name };
          },
        }),
      );
    }
    // Each component sends to the next five.
    const sends = components.flatMap((c, i) =>
      [1, 2, 3, 4, 5].map(async (k) => {
        const target = names[(i + k) % names.length];
        expect(await c.send(target, { k })).toEqual({ from: c.name, to: target });
      }),
    );
    await Promise.all(sends);
    const report = await components[0].broadcast({ all: 'hands' });
    expect(report.failed).toEqual([]);
    expect(report.delivered.sort()).toEqual(names.slice(1));
    const total = [...received.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(50 * 5 + 49);
  });
});

describe('a component process that dies', () => {
  it('is noticed within the heartbeat timeout when killed', async () => {
    expect(existsSync(new URL('../../../dist/index.js', import.meta.url)), 'run `npm run build` first').toBe(true);
    const heartbeatIntervalMs = 200;
    await net.serve({ heartbeatIntervalMs });
    const watcher = await net.client();
    const child = spawn(process.execPath, ['test/fixtures/echo-component.mjs', net.server.address, 'mortal'], {
      env: { ...process.env, BOTZ_SECRET: SECRET },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    net.add(async () => child.kill('SIGKILL'));
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    expect(line.toString()).toMatch(/^ready 127\.0\.0\.1:\d+/);
    expect(await watcher.send('mortal', { alive: '?' })).toEqual({ alive: '?' });

    const suspect = nextMember(watcher, (e) => e.type === 'suspect' && e.component.name === 'mortal');
    const leave = nextMember(watcher, (e) => e.type === 'leave' && e.component.name === 'mortal');
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await suspect;
    await leave;
    // Removal comes within the grace a dropped link gets (2 heartbeats), plus one sweep.
    expect(Date.now() - killedAt).toBeLessThan(5 * heartbeatIntervalMs + 1000);
    await expect(watcher.send('mortal', {})).rejects.toMatchObject({ code: 'NO_SUCH_COMPONENT' });
  });
});

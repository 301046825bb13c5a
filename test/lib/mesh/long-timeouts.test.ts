/**
 * Timeouts of 2^31 ms or more (`--timeout 1000h`): Node's timers overflow them to 1 ms, so a
 * mesh request or a control call would fail at once. They must wait, and succeed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Component } from '../../../src/index.js';
import { MeshControlClient } from '../../../src/lib/mesh/mesh-control-client.js';
import { wsTransport } from '../../../src/lib/transport/ws.js';
import { MESH_SECRET as SECRET, meshOfComponents, type MeshOfComponents } from '../../helpers/mesh.js';

const HUGE = [2 ** 31, 1000 * 3_600_000];

let warnings: string[];
const onWarning = (w: Error) => warnings.push(w.name);
beforeEach(() => {
  warnings = [];
  process.on('warning', onWarning);
});
afterEach(() => {
  process.off('warning', onWarning);
});

/** Resolves after every timer due within `ms` from now has fired (a 1 ms overflow among them). */
const afterTimersDueWithin = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mesh requests with timeouts beyond what a timer holds', () => {
  let mesh: MeshOfComponents | undefined;
  afterEach(async () => {
    await mesh?.stopAll();
    mesh = undefined;
  });

  it.each(HUGE)('a mesh request with timeoutMs %d succeeds and, unanswered, keeps waiting', async (timeoutMs) => {
    mesh = await meshOfComponents(['a', 'b', 'c']);
    const a = mesh.node('a');
    const outcome: string[] = [];
    const waiting = a.mesh!.request('c', { hang: true }, { timeoutMs });
    waiting.then(
      () => outcome.push('answered'),
      (e: { code: string }) => outcome.push(e.code),
    );
    expect(await a.mesh!.request('c', { q: 1 }, { timeoutMs })).toMatchObject({ body: { at: 'c' }, hops: ['a', 'b', 'c'] });
    await afterTimersDueWithin(5);
    expect(outcome).toEqual([]);
    expect(warnings).not.toContain('TimeoutOverflowWarning');
    await mesh.kill('a');
    await waiting.catch(() => {});
    expect(outcome).toEqual(['CLOSED']);
  });

  it.each(HUGE)('a control client send with timeoutMs %d is carried by the node and answered', async (timeoutMs) => {
    mesh = await meshOfComponents(['a', 'b', 'c']);
    const ctl = await MeshControlClient.connect({ address: mesh.node('a').mesh!.address, secret: SECRET, transport: mesh.network.transport('ctl'), timeoutMs });
    try {
      expect(await ctl.send('c', { q: 1 }, { timeoutMs })).toMatchObject({ body: { at: 'c' }, hops: ['a', 'b', 'c'] });
      expect((await ctl.routes()).map((r) => r.destination)).toEqual(['b', 'c']);
    } finally {
      await ctl.close();
    }
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });
});

describe('the control client over WebSockets with a timeout beyond what a timer holds', () => {
  let node: Component | undefined;
  afterEach(async () => {
    await node?.stop();
    node = undefined;
  });

  it.each(HUGE)('connects with timeoutMs %d and answers routes and status', async (timeoutMs) => {
    node = await Component.start({ name: 'solo', secret: SECRET, server: null, transport: wsTransport, mesh: { host: '127.0.0.1', port: 0 } });
    const ctl = await MeshControlClient.connect({ address: node.mesh!.address, secret: SECRET, timeoutMs });
    try {
      expect(await ctl.routes()).toEqual([]);
      expect(await ctl.status()).toMatchObject({ name: 'solo' });
    } finally {
      await ctl.close();
    }
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });
});

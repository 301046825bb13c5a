/**
 * Live rotation of the shared secret (PROTOCOL.md §3, issue 18): every node's keyring is
 * changed in place while requests (direct and relayed) and reliable messages flow, one node
 * after another as separate processes would reload their keyring files, in the three steps of
 * §3: add the new secret, promote it, retire the old one. Nothing may fail and nothing be lost.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, Component, Keyring, Server } from '../../../src/index.js';

const OLD = 'rotation-old-secret-0123456789';
const NEW = 'rotation-new-secret-9876543210';

let stop: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const s of stop.reverse()) await s().catch(() => {});
  stop = [];
});

describe('live key rotation', () => {
  it('add, promote, retire under steady request and reliable traffic: zero failed requests, zero lost messages', async () => {
    const keyrings = { server: new Keyring([OLD]), echo: new Keyring([OLD]), sink: new Keyring([OLD]), caller: new Keyring([OLD]) };
    const server = await Server.start({ port: 0, secret: keyrings.server });
    stop.push(() => server.stop());
    const echo = await Component.start({ server: server.address, name: 'echo', port: 0, secret: keyrings.echo, onMessage: (m) => m.body });
    stop.push(() => echo.stop());
    const received: number[] = [];
    const sink = await Component.start({ server: server.address, name: 'sink', secret: keyrings.sink, onMessage: (m) => void received.push(m.body as number) });
    stop.push(() => sink.stop());
    const caller = await Component.start({ server: server.address, name: 'caller', secret: keyrings.caller, onMessage: () => null });
    stop.push(() => caller.stop());
    const watcher = await Client.connect({ server: server.address, secret: keyrings.caller });
    stop.push(() => watcher.close());

    let answered = 0;
    let failed = 0;
    let running = true;
    const requests = Promise.all(
      Array.from({ length: 16 }, async (_, i) => {
        while (running) {
          // Half direct (echo has a port), half relayed (sink has none, and answers null).
          await (i % 2 ? caller.send('echo', { i }) : caller.send('sink', -1)).then(
            () => answered++,
            () => failed++,
          );
        }
      }),
    );
    let delivered = 0;
    const N = 400;
    const reliable = (async () => {
      for (let n = 0; n < N; n++) await caller.deliver('sink', n, { timeout: 30_000 }).then(() => delivered++);
    })();
    /** Waits until `more` further requests were answered: traffic went on under the keyrings as they are. */
    const traffic = async (more: number) => {
      const target = answered + more;
      // A failure ends the wait: the test fails on it below instead of hanging.
      while (answered < target && failed === 0) await new Promise((r) => setImmediate(r));
    };

    await traffic(200);
    for (const step of [[OLD, NEW], [NEW, OLD], [NEW]]) {
      // One node after another, traffic flowing between each reload.
      for (const keyring of Object.values(keyrings)) {
        keyring.replace(step);
        await traffic(50);
      }
    }
    expect(keyrings.server.ids).toEqual(new Keyring([NEW]).ids);
    await traffic(200);
    running = false;
    await requests;
    expect(failed).toBe(0);
    await reliable;
    expect(delivered).toBe(N);
    expect(received.filter((n) => n >= 0)).toEqual(Array.from({ length: N }, (_, n) => n));
    // The old secret is gone: a node holding only it is refused.
    await expect(Client.connect({ server: server.address, secret: OLD, timeoutMs: 2000 })).rejects.toMatchObject({ code: 'AUTH_FAILED' });
  }, 60_000);
});

/**
 * Streams, streamed replies and reliable delivery between credential components (PROTOCOL.md
 * §12 Credentials, Streams), direct and through the relay: they travel like requests do, under
 * the same grants, attributed to the credential's name.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, Issuer, loadCredential, type Permissions } from '../../../src/index.js';
import { Network } from '../../helpers/network.js';

const PEER: Permissions = { register: true, send: ['*'], broadcast: [], shutdown: [], tail: [], tailBodies: false, list: true };

let net: Network;
afterEach(() => net.stopAll());

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function setup(direct: boolean) {
  net = new Network();
  const issuer = new Issuer(undefined, false);
  await net.serve({ identity: { authority: issuer } });
  const opened: { from: string; protocol: string }[] = [];
  const delivered: { from: string; body: unknown }[] = [];
  const credentialed = (name: string, permissions: Permissions = PEER, listen = false) =>
    net.component({
      name,
      ...(listen ? { port: 0 } : {}),
      secret: undefined,
      identity: { credential: loadCredential(issuer.issue(name, permissions).file) },
      onMessage: (m) => {
        if (m.kind === 'message') return void delivered.push({ from: m.from, body: m.body });
        return (async function* () {
          for (let i = 0; i < 3; i++) yield { i, from: m.from };
        })();
      },
    });
  const b = await credentialed('b', PEER, direct);
  b.accept('echo', (ch, info) => {
    opened.push({ from: info.peer, protocol: info.protocol });
    void pipeline(ch, ch).catch(() => {});
  });
  return { b, opened, delivered, credentialed };
}

describe.each([
  ['direct', true],
  ['through the relay', false],
])('between credential components, %s', (_path, direct) => {
  it('a stream carries bytes both ways, opened under the credential name', async () => {
    const { opened, credentialed } = await setup(direct);
    const a = await credentialed('a');
    const ch = await a.connect('b', 'echo');
    const data = randomBytes(1024 * 1024);
    const parts: Buffer[] = [];
    await Promise.all([pipeline(Readable.from([data.subarray(0, 300_000), data.subarray(300_000)]), ch), (async () => { for await (const p of ch) parts.push(p as Buffer); })()]);
    expect(sha(Buffer.concat(parts))).toBe(sha(data));
    expect(opened).toEqual([{ from: 'a', protocol: 'echo' }]);
  });

  it('a streamed reply and a reliable delivery arrive, attributed to the credential name', async () => {
    const { delivered, credentialed } = await setup(direct);
    const a = await credentialed('a');
    const chunks: unknown[] = [];
    for await (const chunk of a.stream('b', { go: 1 })) chunks.push(chunk);
    expect(chunks).toEqual([0, 1, 2].map((i) => ({ i, from: 'a' })));
    await a.deliver('b', { n: 1 });
    expect(delivered).toEqual([{ from: 'a', body: { n: 1 } }]);
  });

  it('a credential that may not send to b cannot open a stream to it either', async () => {
    const { opened, credentialed } = await setup(direct);
    const c = await credentialed('c', { ...PEER, send: ['x*'] });
    await expect(c.connect('b', 'echo')).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
    expect(opened).toEqual([]);
  });
});

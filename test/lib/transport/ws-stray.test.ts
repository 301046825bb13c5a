/**
 * A client that does not speak HTTP at all, on a botz WebSocket port (the server's, a
 * component's, a mesh node's: one transport): closed without a byte, since Node's own answer,
 * "HTTP/1.1 400", is what a Botzilla v1 client reads as a 1.35 GB length and allocates; and
 * reported, a Botzilla frame as such, so the server log can say where it belongs.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/lib/errors.js';
import { wsTransport } from '../../../src/lib/transport/ws.js';
import { splitAddress, type Listener, type Refusal } from '../../../src/lib/transport/transport.js';
import { requestParts } from '../../helpers/botzilla-peer.js';
import { until } from '../../helpers/wait.js';

const listeners: Listener[] = [];
afterEach(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.close()));
});

async function listen() {
  const refusals: Refusal[] = [];
  const listener = await wsTransport.listen({ host: '127.0.0.1', port: 0, maxMessageBytes: 1 << 20, onRefused: (r) => refusals.push(r) }, () => {});
  listeners.push(listener);
  return { address: listener.address, refusals };
}

/** Sends `parts` (separate writes) and resolves with every byte received until the listener closed. */
function answerTo(address: string, parts: Buffer[]): Promise<Buffer> {
  const { host, port } = splitAddress(address);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => {});
    socket.once('connect', () => parts.forEach((p) => socket.write(p)));
    socket.once('close', () => resolve(Buffer.concat(chunks)));
    socket.once('error', reject);
  });
}

describe('ws listener: a stray non-WebSocket client', () => {
  it('a Botzilla v1 frame is closed without a byte and reported as BOTZILLA_FRAME', async () => {
    const { address, refusals } = await listen();
    expect(await answerTo(address, requestParts(Buffer.from([69])))).toEqual(Buffer.alloc(0));
    await until('the refusal is reported', () => refusals.length === 1);
    expect(refusals[0]).toMatchObject({ code: ErrorCode.BOTZILLA_FRAME, remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
  });

  it('other bytes that are not HTTP are closed without a byte and reported as NOT_WEBSOCKET', async () => {
    const { address, refusals } = await listen();
    expect(await answerTo(address, [Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])])).toEqual(Buffer.alloc(0));
    await until('the refusal is reported', () => refusals.length === 1);
    expect(refusals[0].code).toBe(ErrorCode.NOT_WEBSOCKET);
  });

  it('malformed HTTP still gets a short 400, and is not reported', async () => {
    const { address, refusals } = await listen();
    const answer = await answerTo(address, [Buffer.from('GET / HTTP/1.1\r\nbad header line\r\n\r\n')]);
    expect(answer.toString()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(refusals).toEqual([]);
  });
});

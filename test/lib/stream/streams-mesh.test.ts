/**
 * Streams over a mesh of three components without a server (n1 - n2 - n3, real WebSockets):
 * the opener's frames go by its router (the mesh), the acceptor's back over the mesh to the
 * opener's name, through the middle node.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, expect, it } from 'vitest';
import { wsTransport } from '../../../src/lib/transport/ws.js';
import { meshOfComponents, type MeshOfComponents } from '../../helpers/mesh.js';

let mesh: MeshOfComponents | undefined;
afterEach(async () => {
  await mesh?.stopAll();
  mesh = undefined;
});

it('carries bytes both ways across two mesh hops, in order, exactly once', async () => {
  mesh = await meshOfComponents(['n1', 'n2', 'n3'], { component: { transport: wsTransport } });
  mesh.node('n3').accept('echo', (ch) => void pipeline(ch, ch).catch(() => {}));
  const ch = await mesh.node('n1').connect('n3', 'echo');
  const data = randomBytes(2 * 1024 * 1024);
  const parts: Buffer[] = [];
  ch.on('data', (part: Buffer) => parts.push(part));
  const ended = new Promise((resolve) => ch.once('end', resolve));
  await pipeline(Readable.from([data.subarray(0, 1_000_000), data.subarray(1_000_000)]), ch);
  await ended;
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  expect(sha(Buffer.concat(parts))).toBe(sha(data));
});

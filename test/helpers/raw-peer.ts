/** A hand-driven peer for tests that need to misbehave: raw channels and raw packets. */
import WebSocket from 'ws';
import { Channel } from '../../src/lib/channel/channel.js';
import { NodeContext } from '../../src/lib/channel/node-context.js';
import { wsTransport } from '../../src/lib/transport/ws.js';
import type { Frame } from '../../src/lib/wire/frames.js';

/**
 * Connects and completes the handshake as `name`, recording every unsolicited frame.
 * It answers heartbeats only when told to: a peer that does not is a hung process.
 */
export async function rawChannel(
  address: string,
  name: string,
  secret: string,
  options: { role?: 'component' | 'client'; answerHeartbeats?: boolean } = {},
) {
  const ctx = new NodeContext({ name, secret });
  const frames: Frame[] = [];
  const waiters: { predicate: (frames: Frame[]) => boolean; resolve: () => void }[] = [];
  const { channel } = await Channel.connect(ctx, wsTransport, address, {
    expect: '$server',
    role: options.role ?? 'component',
    handlers: {
      onFrame: (f, ch) => {
        frames.push(f);
        if (f.type === 'heartbeat' && options.answerHeartbeats) ch.send({ type: 'heartbeat' });
        for (const w of [...waiters]) {
          if (!w.predicate(frames)) continue;
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      },
    },
  });
  /** Resolves once the frames received so far satisfy `predicate`. */
  const waitFor = (predicate: (frames: Frame[]) => boolean) =>
    predicate(frames) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ predicate, resolve }));
  return { ctx, channel, frames, waitFor };
}

/** A bare WebSocket that sends whatever bytes it is given and records how it was closed. */
export async function rawSocket(address: string): Promise<{ ws: WebSocket; closed: Promise<number>; received: Buffer[] }> {
  const ws = new WebSocket(`ws://${address}/`, { perMessageDeflate: false });
  const received: Buffer[] = [];
  ws.on('message', (d: Buffer) => received.push(d));
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, closed, received };
}

/**
 * A stream's receive window grows while its reader keeps up (stream/window-budget.ts), so a bulk
 * transfer is not held to its starting window in flight; a reader that does not read keeps the
 * starting window, and so bounds what the writer may send.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamChannel } from '../../../src/index.js';
import { DEFAULT_MAX_STREAM_WINDOW_BYTES, DEFAULT_STREAM_WINDOW_BYTES, MAX_CHUNK_BYTES } from '../../../src/lib/stream/stream-options.js';
import { Network } from '../../helpers/network.js';
import { until } from '../../helpers/wait.js';

const net = new Network();
afterEach(() => net.stopAll());

describe('stream receive windows', () => {
  it('grow to the largest while the reader keeps up, and the bytes arrive whole', async () => {
    await net.serve();
    const bob = await net.component({ name: 'bob', port: 0 });
    let accepted: StreamChannel | undefined;
    let received = 0;
    bob.accept('sink', (ch) => {
      accepted = ch;
      ch.on('data', (chunk: Buffer) => (received += chunk.length));
      ch.on('end', () => ch.end());
    });
    const alice = await net.component({ name: 'alice' });
    const ch = await alice.connect('bob', 'sink');
    const block = randomBytes(1024 * 1024);
    for (let i = 0; i < 16; i++) if (!ch.write(block)) await new Promise((resolve) => ch.once('drain', resolve));
    ch.end();
    ch.resume();
    await new Promise((resolve) => ch.once('end', resolve));
    expect(received).toBe(16 * 1024 * 1024);
    expect(accepted!.window).toBe(DEFAULT_MAX_STREAM_WINDOW_BYTES);
  });

  it('stay at the starting window for a reader that does not read, and bound what the writer sends', async () => {
    await net.serve();
    const bob = await net.component({ name: 'bob', port: 0 });
    let held: StreamChannel | undefined;
    bob.accept('hold', (ch) => void (held = ch));
    const alice = await net.component({ name: 'alice' });
    const ch = await alice.connect('bob', 'hold');
    ch.write(randomBytes(4 * 1024 * 1024));
    await until('bob holds a full window', () => (held?.buffered.received ?? 0) >= DEFAULT_STREAM_WINDOW_BYTES);
    expect(held!.window).toBe(DEFAULT_STREAM_WINDOW_BYTES);
    expect(held!.buffered.received).toBeLessThanOrEqual(DEFAULT_STREAM_WINDOW_BYTES + MAX_CHUNK_BYTES);
    expect(ch.buffered.unconfirmed).toBeLessThanOrEqual(DEFAULT_STREAM_WINDOW_BYTES + MAX_CHUNK_BYTES);
    ch.destroy();
  });
});

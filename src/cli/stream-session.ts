/**
 * `botz connect`'s two ways of using a stream: a raw byte pipe (stdin to the stream, the stream
 * to stdout, like nc), and a line session on a terminal (like wscat). Either ends when both
 * halves did: our input's end (or Ctrl-D) half-closes ours, and the other side's end ends the
 * session (we then close ours). A failed stream rejects with its typed error.
 */
import { createInterface, clearLine, cursorTo } from 'node:readline';
import { finished } from 'node:stream/promises';
import type { StreamChannel } from '../lib/stream/stream-channel.js';

const PROGRESS_EVERY_MS = 500;

/** Copies `input` to the stream and the stream to `output`; with `progress`, a status line there. */
export async function pipeSession(channel: StreamChannel, input: NodeJS.ReadableStream, output: NodeJS.WritableStream, progress?: NodeJS.WritableStream): Promise<void> {
  const done = finished(channel);
  channel.pipe(output, { end: false });
  input.pipe(channel);
  // The other side is done sending: so are we (what we read of input so far is sent).
  channel.once('end', () => {
    input.unpipe(channel);
    if (!channel.writableEnded) channel.end();
  });
  const startedAt = Date.now();
  const show = (): void => void progress?.write(`\r${progressLine(channel, Date.now() - startedAt)}`);
  const ticker = progress ? setInterval(show, PROGRESS_EVERY_MS) : undefined;
  try {
    await done;
  } finally {
    if (ticker) clearInterval(ticker);
    if (progress) progress.write(`\r${progressLine(channel, Date.now() - startedAt)}\n`);
    (input as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
}

/** A line session: lines typed are sent, lines received are shown after "< ". */
export async function interactiveSession(channel: StreamChannel, input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<void> {
  const done = finished(channel);
  const rl = createInterface({ input, output, prompt: '> ' });
  rl.on('line', (line) => {
    if (!channel.writableEnded) channel.write(line + '\n');
    rl.prompt();
  });
  // Ctrl-D: our half is over; the session goes on until the other side ends.
  rl.on('close', () => {
    if (!channel.writableEnded) channel.end();
  });
  let partial = '';
  const show = (line: string): void => {
    clearLine(output, 0);
    cursorTo(output, 0);
    output.write(`< ${line}\n`);
  };
  channel.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) show(line);
    rl.prompt(true);
  });
  channel.once('end', () => {
    if (partial) show(partial);
    output.write('(closed by the other side)\n');
    rl.close();
  });
  rl.prompt();
  try {
    await done;
  } finally {
    rl.close();
    (input as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
}

function progressLine(channel: StreamChannel, elapsedMs: number): string {
  const seconds = Math.max(elapsedMs, 1) / 1000;
  return `sent ${size(channel.bytesOut)} (${size(channel.bytesOut / seconds)}/s), received ${size(channel.bytesIn)} (${size(channel.bytesIn / seconds)}/s)  `;
}

function size(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/**
 * The REPL's `connect`: the REPL owns the terminal, so it is not `botz connect`'s line session
 * but one exchange over a stream: open it for PROTOCOL, send each LINE given (a newline after
 * each), half-close, and print each line the other side sends (`< line`; --json: {"line"})
 * until it ends its half. Ctrl-C aborts the stream, and the other side is told (a reset).
 */
import { parseHeaders } from '../cli/headers.js';
import type { AnyInput } from '../cli/verb.js';
import type { Client } from '../lib/component/client.js';
import { Cancelled } from '../lib/errors.js';
import type { StreamChannel } from '../lib/stream/stream-channel.js';
import type { ReplOutput } from './output.js';

/** Runs one `connect` line; rejects with the stream's typed failure, or CANCELLED on Ctrl-C. */
export async function runConnect(client: Pick<Client, 'connect'>, input: AnyInput, output: ReplOutput, signal?: AbortSignal): Promise<void> {
  const { name, protocol, lines } = input.args as { name: string; protocol: string; lines: string[] };
  const flags = input.flags as { header: string[]; timeout: number };
  const channel = await client.connect(name, protocol, { headers: parseHeaders(flags.header), timeout: flags.timeout });
  const print = (line: string): void => output.out(input.json ? JSON.stringify({ line }) : `< ${line}`);
  const abort = (): void => void channel.destroy(new Cancelled('cancelled at the REPL'));
  if (signal?.aborted) abort();
  signal?.addEventListener('abort', abort, { once: true });
  try {
    await exchange(channel, lines, print);
  } catch (error) {
    if (signal?.aborted) throw new Cancelled();
    throw channel.failure ?? error;
  } finally {
    signal?.removeEventListener('abort', abort);
    if (!channel.destroyed) channel.destroy();
  }
}

async function exchange(channel: StreamChannel, lines: string[], print: (line: string) => void): Promise<void> {
  channel.on('error', () => {}); // the loop below reports it
  channel.end(lines.length > 0 ? lines.map((l) => l + '\n').join('') : undefined);
  let partial = '';
  for await (const part of channel) {
    const got = (partial + String(part)).split('\n');
    partial = got.pop() ?? '';
    for (const line of got) print(line);
  }
  if (partial) print(partial);
}

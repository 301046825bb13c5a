/**
 * `botz send NAME ... --stream`: a streamed reply printed as its chunks come, one line each: on a
 * terminal a string chunk bare and any other as compact JSON; piped or with --json, NDJSON (a
 * JSON value per line, which jq reads as they come). Ctrl-C, SIGTERM or a closed stdout stop it
 * early, and the replier is told (its handler's signal aborts).
 */
import type { Body } from '../lib/wire/frames.js';
import type { Headers } from '../lib/wire/values.js';
import { jsonOfBody } from './body-json.js';
import type { VerbContext } from './verb.js';

/** One chunk's line: `bare` prints a string chunk as it is. */
export function chunkLine(chunk: Body, bare: boolean): string {
  const json = jsonOfBody(chunk);
  return bare && typeof json === 'string' ? json : JSON.stringify(json);
}

export interface StreamedSend {
  target: string;
  body: Body;
  headers?: Headers;
  timeoutMs: number;
  /** --raw: string chunks bare even when piped. */
  raw: boolean;
}

/** Prints each chunk of `target`'s streamed reply to `body` until it ends or we are stopped. */
export async function printStreamedReply(ctx: VerbContext, o: StreamedSend): Promise<void> {
  const bare = o.raw || (ctx.style.tty && !ctx.json);
  await ctx.withClient(o.timeoutMs, async (client, timeLeft) => {
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    const printing = (async () => {
      for await (const chunk of client.stream(o.target, o.body, { timeout: timeLeft(), headers: o.headers, signal: stop.signal })) ctx.out(chunkLine(chunk, bare));
    })();
    try {
      const why = await ctx.untilStopped(printing);
      if (why === 'done') return await printing;
      // Stopped from outside: the replier is told; what was printed stands, and the exit is 0.
      stop.abort();
      await printing.catch(() => {});
    } finally {
      ctx.signal?.removeEventListener('abort', onAbort);
    }
  });
}

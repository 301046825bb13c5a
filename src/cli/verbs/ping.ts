/**
 * `ping [NAME]`: round trips timed as ping(8) does, one line per reply and a summary. A
 * component is sent an empty request (header `botz-ping: 1`, so a handler can tell it apart);
 * without NAME the server is timed with a component listing, the cheapest thing it answers.
 */
import { summarize } from '../../lib/bench/stats.js';
import { BotzError, ErrorCode } from '../../lib/errors.js';
import { defineVerb, type VerbClient } from '../verb.js';
import { timeoutFlag } from './flags.js';

/** What `botz ping --json` prints. */
export interface PingResult {
  /** The component pinged, or null for the server. */
  target: string | null;
  sent: number;
  received: number;
  lost: number;
  rttMs: { min: number; avg: number; p50: number; max: number };
}

/** The header a pinged component sees, so its handler can answer without doing its work. */
export const PING_HEADER = 'botz-ping';

export const pingVerb = defineVerb({
  name: 'ping',
  summary: 'Time round trips to a component (or, without NAME, to the server), as ping(8) does',
  description:
    'Sends --count requests, --interval apart, and prints the time of each reply, then min/avg/p50/max. A component gets an empty ' +
    'request with the header botz-ping: 1 (its handler runs: an echo answers at once); without NAME the server is timed with a ' +
    'listing. Exits 0 if any reply came; otherwise with the code of the last failure (3: no such component, 4: timeout).',
  examples: ['<%= config.bin %> ping echo', '<%= config.bin %> ping', '<%= config.bin %> ping @workers --count 10 --interval 200ms --json'],
  usage: 'ping [NAME|@GROUP] [--count 5] [--interval 1s] [--timeout 5s] [--json]',
  args: { name: { names: 'component', description: 'component name, or @group; none: the server' } },
  flags: {
    count: { type: 'integer', char: 'c', min: 1, default: 5, description: 'how many round trips' },
    interval: { type: 'duration', default: 1_000, description: 'time between round trips, e.g. 200ms' },
    timeout: timeoutFlag,
  },
  failure: ({ args, flags }) => ({ target: args.name, timeoutMs: flags.timeout }),

  async run(ctx, { args, flags }): Promise<PingResult> {
    const target = args.name ?? null;
    const who = target ?? `the server at ${ctx.server}`;
    const samples: number[] = [];
    let lastError: unknown;
    let sent = 0;
    // The connection is the first round trip's cost, not the network's: connect, then time.
    await ctx.withClient(flags.timeout + flags.count * (flags.interval + flags.timeout), async (client) => {
      for (let seq = 1; seq <= flags.count; seq++) {
        if (ctx.signal?.aborted) break;
        if (seq > 1 && !(await pause(flags.interval, ctx.signal))) break;
        sent++;
        const started = performance.now();
        try {
          await roundTrip(client, target, flags.timeout, ctx.signal);
          const ms = performance.now() - started;
          samples.push(ms);
          if (!ctx.json) ctx.out(`reply from ${who}: seq=${seq} time=${ms.toFixed(2)} ms`);
        } catch (error) {
          // No such component will not appear between two pings: stop, as send would.
          if ((error as { code?: string }).code === ErrorCode.NO_SUCH_COMPONENT || (error as { code?: string }).code === ErrorCode.CANCELLED) throw error;
          lastError = error;
          if (!ctx.json) ctx.note(`no reply from ${who}: seq=${seq} (${(error as Error).message})`);
        }
      }
    });
    if (samples.length === 0) throw lastError ?? new BotzError(ErrorCode.CANCELLED, 'ping was cancelled before its first round trip');
    const s = summarize(samples);
    const round = (n: number) => Math.round(n * 1000) / 1000;
    return {
      target,
      sent,
      received: samples.length,
      lost: sent - samples.length,
      rttMs: { min: round(s.min), avg: round(s.mean), p50: round(s.p50), max: round(s.max) },
    };
  },

  render: (r) =>
    [
      `--- ${r.target ?? 'server'} ping statistics ---`,
      `${r.sent} sent, ${r.received} received, ${Math.round((r.lost / Math.max(1, r.sent)) * 100)}% lost`,
      `rtt min/avg/p50/max = ${[r.rttMs.min, r.rttMs.avg, r.rttMs.p50, r.rttMs.max].map((n) => n.toFixed(3)).join('/')} ms`,
    ].join('\n'),
  exitCode: (r) => (r.received > 0 ? 0 : 1),
  repl: { usage: 'ping [NAME|@GROUP] [--count 5] [--interval 1s] [--timeout 5s] [--json]' },
});

function roundTrip(client: VerbClient, target: string | null, timeout: number, signal: AbortSignal | undefined): Promise<unknown> {
  if (target === null) return client.components({ timeout, signal });
  return client.request(target, {}, { timeout, signal, headers: { [PING_HEADER]: '1' } });
}

/** Waits `ms`; false when `signal` aborted first (Ctrl-C in the REPL). */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * `tail [NAME...]`: live traffic and membership events, one line (or NDJSON record) each, until
 * Ctrl-C or --count events; `--via` shows what one mesh node sees instead. A stream: its lines
 * print as they come, and its run resolves to nothing.
 */
import type { TailEvent } from '../../lib/node/subscriptions.js';
import type { BotzError } from '../../lib/errors.js';
import type { MeshWatchEvent } from '../../lib/mesh/mesh-control-client.js';
import { followsNames } from '../../lib/wire/names.js';
import { checkWaitedOut, Counter, startWait } from '../bounded-run.js';
import { tailLine } from '../event-lines.js';
import { checkRawWithJson, RAW_DESCRIPTION, rawLine } from '../raw-output.js';
import { followServerLink, linkChangeLine } from '../server-link-notices.js';
import { meshEventLine } from '../mesh-lines.js';
import { defineVerb, type VerbContext } from '../verb.js';
import { timeoutFlag } from './flags.js';

export const tailVerb = defineVerb({
  name: 'tail',
  summary: 'Show live traffic and membership events across the network',
  description:
    'One line per message (time, from → to, kind, size, latency, path) and per membership event, until Ctrl-C ' +
    'or --count events. Components report traffic only while somebody tails. --json prints NDJSON.',
  examples: [
    '<%= config.bin %> tail',
    '<%= config.bin %> tail echo worker-1 --bodies',
    '<%= config.bin %> tail --count 10 --json',
    '<%= config.bin %> tail worker --raw | jq .job   # the bodies only',
    '<%= config.bin %> tail echo --count 1 --wait 10s   # exit 4 unless echo sees traffic within 10s',
  ],
  usage: 'tail [NAME]... [--bodies] [--count N] [--wait 30s] [--json | --raw]',
  args: { names: { rest: true, names: 'components', description: 'only traffic from or to these components (repeatable)' } },
  flags: {
    bodies: { type: 'boolean', char: 'b', description: 'include message bodies' },
    raw: { type: 'boolean', description: `${RAW_DESCRIPTION}; --count counts bodies` },
    count: { type: 'integer', char: 'n', min: 1, description: 'exit after this many events' },
    wait: {
      type: 'duration',
      description: 'exit after this long, e.g. 30s: exit 0, or 4 (timeout) when --count events had not come by then',
    },
    timeout: timeoutFlag,
    via: {
      type: 'string',
      helpValue: '<host:port>',
      description: 'show the mesh traffic one mesh node originates, forwards and delivers, with the path of each message',
    },
  },

  async run(ctx, { args, flags }): Promise<undefined> {
    checkRawWithJson(flags.raw, ctx.json);
    const names = new Set(args.names);
    const counter = new Counter(flags.count);
    const bodies = flags.bodies || flags.raw;
    const waited = startWait(flags.wait);
    if (flags.via !== undefined) {
      const print = (e: MeshWatchEvent) => {
        const parties = e.kind === 'link' ? [e.node, e.peer] : [e.from, ...e.to.split(',')];
        if (!followsNames(names, parties)) return;
        if (flags.raw) {
          if ('body' in e && e.body !== undefined && counter.take()) ctx.out(rawLine(e.body));
        } else if (counter.take()) ctx.out(ctx.json ? JSON.stringify(e) : meshEventLine(e, flags.bodies));
      };
      await tailMesh(ctx, flags.via, { timeoutMs: flags.timeout, bodies }, print, counter, waited.promise);
      checkWaitedOut(waited, counter, flags, 'events');
      return undefined;
    }
    await ctx.withClient(flags.timeout, async (client, timeLeft) => {
      // NDJSON records are the library's TailEvent as it is: {kind:'traffic', event} | {kind:'member', type, component, at}
      // | {kind:'dropped', dropped, at}.
      const untail = await client.tail({ names: names.size ? [...names] : undefined, bodies }, (e: TailEvent) => {
        if (flags.raw) {
          if (e.kind === 'traffic' && e.event.body !== undefined && counter.take()) ctx.out(rawLine(e.event.body));
        } else if (counter.take()) ctx.out(ctx.json ? JSON.stringify(e) : tailLine(e, flags.bodies));
      });
      // After a reconnect the server may have no tail left for us (LIMIT_REACHED): that ends the tail.
      let refused: BotzError | undefined;
      const refusedLater = new Promise<void>((resolve) =>
        client.once('tailRefused', (error: BotzError) => {
          refused = error;
          resolve();
        }),
      );
      // An outage is said, not silent; with --json, as a record {kind: 'server', state: 'lost' | 'back', ...}.
      const unfollow = followServerLink(client, ctx.server, (change) => {
        ctx.note(`botz: ${linkChangeLine(change)}`);
        if (ctx.json) ctx.out(JSON.stringify({ kind: 'server', ...change }));
      });
      // tail() resolves once the server confirmed the subscription: from this line on, nothing is missed.
      const stopped = ctx.untilStopped(Promise.race([counter.reached, refusedLater, waited.promise]));
      // On stderr even with --json: scripts (and tests) wait for it, and it never pollutes NDJSON.
      ctx.note(`tailing ${names.size ? [...names].join(', ') : 'all traffic'} on ${ctx.server} (Ctrl-C to stop)`);
      // A name nobody registered would tail in silence forever: say so (it may still come).
      if (names.size > 0) {
        const known = new Set((await client.components({ timeout: timeLeft() }).catch(() => [])).map((c) => c.name));
        for (const name of names) if (!known.has(name)) ctx.note(`${name} is not registered (yet); its traffic shows once it is (\`botz components\` lists what is)`);
      }
      try {
        await stopped;
        if (refused) throw refused;
      } finally {
        unfollow();
        await untail();
      }
    });
    checkWaitedOut(waited, counter, flags, 'events');
    return undefined;
  },
});

/** The mesh traffic seen at one node (it has no view of the rest of the network). */
async function tailMesh(
  ctx: VerbContext,
  via: string,
  o: { timeoutMs: number; bodies: boolean },
  print: (e: MeshWatchEvent) => void,
  counter: Counter,
  waited: Promise<void>,
): Promise<void> {
  await ctx.withControl(via, o.timeoutMs, async (ctl) => {
    const unwatch = await ctl.watch(print, { bodies: o.bodies });
    // The node going away ends the tail with an error (exit 7): nothing else would, since a
    // tail only listens, and an empty event loop would end the process with Node's exit 13.
    let lost: BotzError | undefined;
    const gone = ctl.lost.then((error) => {
      if (!counter.done) lost = error;
    });
    const stopped = ctx.untilStopped(Promise.race([counter.reached, gone, waited]));
    ctx.note(`tailing mesh traffic at ${ctl.address} (Ctrl-C to stop)`);
    try {
      await stopped;
      if (lost) throw lost;
    } finally {
      await unwatch();
    }
  });
}

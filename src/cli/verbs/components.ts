/** `components`: the registered components, once or (`--watch`) redrawn on every membership event. */
import type { ComponentInfo } from '../../lib/wire/frames.js';
import { checkWaitedOut, Counter, startWait } from '../bounded-run.js';
import { renderComponents } from '../output.js';
import { ExitCode } from '../exit-codes.js';
import { followServerLink, isLinkLost, linkChangeLine } from '../server-link-notices.js';
import { defineVerb, type VerbClient, type VerbContext } from '../verb.js';
import { groupFlag, timeoutFlag } from './flags.js';

/** Listings given while the server's shared store was down (issue 16): printed, and exit 7. */
const incomplete = new WeakSet<ComponentInfo[]>();

/** ANSI: clear the screen and home the cursor, for `--watch` redraws on a terminal. */
const CLEAR_SCREEN = '\x1b[2J\x1b[H';

export const componentsVerb = defineVerb({
  name: 'components',
  summary: 'List the registered components',
  description:
    'Columns: name, address (or "relay" when reached through the server), groups, state, last heartbeat. ' +
    'With --watch, redraws on every membership event until Ctrl-C (--json: one array per line).',
  examples: ['<%= config.bin %> components', '<%= config.bin %> components --group workers --json', '<%= config.bin %> components --watch'],
  args: {},
  flags: {
    group: groupFlag,
    // A stream until Ctrl-C; in the REPL, Ctrl-C cancels a command instead.
    watch: { type: 'boolean', char: 'w', description: 'redraw on membership events until Ctrl-C', commandOnly: true },
    count: { type: 'integer', min: 1, dependsOn: ['watch'], commandOnly: true, description: 'with --watch: exit after this many listings' },
    wait: {
      type: 'duration',
      dependsOn: ['watch'],
      commandOnly: true,
      description: 'with --watch: exit after this long (exit 4 when --count listings had not come by then)',
    },
    timeout: timeoutFlag,
  },
  failure: ({ flags }) => ({ timeoutMs: flags.timeout }),

  async run(ctx, { flags }): Promise<ComponentInfo[] | undefined> {
    return ctx.withClient(flags.timeout, async (client, timeLeft) => {
      const options = { group: flags.group, timeout: timeLeft(), signal: ctx.signal };
      const { components: list, storeDown } = client.listing ? await client.listing(options) : { components: await client.components(options) };
      if (storeDown !== undefined) {
        // Printed all the same (what the server knows), but not a success: exit 7, like STORE_UNAVAILABLE.
        ctx.note(`botz: the store ${storeDown} is down: ${ctx.server} lists its own components and its last view of the other servers'`);
        incomplete.add(list);
      }
      if (flags.group === undefined) ctx.sawComponents?.(list);
      if (!flags.watch) return list;
      await watch(ctx, client, list, flags.group, { count: flags.count, wait: flags.wait });
      return undefined;
    });
  },

  render: (list, style) => renderComponents(list, style, Date.now()),
  exitCode: (list) => (incomplete.has(list) ? ExitCode.UNREACHABLE : ExitCode.OK),
  repl: { usage: 'components [--group G] [--timeout 5s] [--json]' },
});

/** Redraws on every membership event until stopped; a listing that fails ends the watch with its error. */
async function watch(ctx: VerbContext, client: VerbClient, first: ComponentInfo[], group: string | undefined, bounds: { count?: number; wait?: number }): Promise<void> {
  let failed: { error: unknown } | undefined;
  let fail!: () => void;
  const failure = new Promise<void>((resolve) => (fail = resolve));
  const counter = new Counter(bounds.count);
  const waited = startWait(bounds.wait);
  const stopped = ctx.untilStopped(Promise.race([failure, counter.reached, waited.promise]));
  const listing = async (list: ComponentInfo[], stale?: string) => {
    if (stale === undefined && !counter.take()) return;
    await draw(ctx, list, stale);
  };
  // Redraws are serialised: a burst of events never interleaves two tables. The first table is
  // drawn once subscribed (events meanwhile redraw after it): whoever sees it knows we follow,
  // and a server that dies right after it cannot fail the subscription.
  let subscribed!: () => void;
  let drawing = new Promise<void>((resolve) => (subscribed = resolve));
  let last = first;
  const redraw = (step: () => Promise<void>) => {
    drawing = drawing.then(step).catch((error: unknown) => {
      // A listing cut off by the outage is no failure of the watch: it redraws once the link is back.
      if (isLinkLost(error)) return;
      failed ??= { error };
      fail();
    });
  };
  const unwatch = await client.watch(() =>
    redraw(async () => {
      if (!failed) await listing((last = await client.components({ group })));
    }),
  );
  // Without the server the table is a memory, not the network: mark it, and redraw once back.
  const unfollow = followServerLink(client, ctx.server, (change) => {
    ctx.note(`botz: ${linkChangeLine(change)}`);
    if (change.state === 'lost') redraw(() => listing(last, linkChangeLine(change)));
    else redraw(async () => listing((last = await client.components({ group }))));
  });
  await listing(first);
  subscribed();
  await stopped;
  unfollow();
  unwatch();
  await drawing;
  if (failed) throw failed.error;
  checkWaitedOut(waited, counter, bounds, 'listings');
}

/** One drawing of the list; `stale` says why it may no longer be true (the server is gone). */
async function draw(ctx: VerbContext, list: ComponentInfo[], stale?: string): Promise<void> {
  // NDJSON keeps one array per line; the loss is on stderr.
  if (ctx.json) return stale === undefined ? ctx.out(JSON.stringify(list)) : undefined;
  const text = await renderComponents(list, ctx.style, Date.now());
  const banner = stale === undefined ? '' : `STALE: ${stale}; the list below is what the server last said\n`;
  ctx.out(ctx.style.tty ? `${CLEAR_SCREEN}${banner}${text}` : `${banner}${text}\n`);
}

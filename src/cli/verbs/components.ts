/** `components`: the registered components, once or (`--watch`) redrawn on every membership event. */
import type { ComponentInfo } from '../../lib/wire/frames.js';
import { renderComponents } from '../output.js';
import { defineVerb, type VerbClient, type VerbContext } from '../verb.js';
import { groupFlag, timeoutFlag } from './flags.js';
import { ErrorCode, isBotzError } from '../../lib/errors.js';

/** Failures of a redraw that only say the server link dropped meanwhile. */
const LINK_LOST = new Set<string>([ErrorCode.UNREACHABLE, ErrorCode.CLOSED, ErrorCode.SERVER_UNREACHABLE, ErrorCode.TIMEOUT]);

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
    timeout: timeoutFlag,
  },
  failure: ({ flags }) => ({ timeoutMs: flags.timeout }),

  async run(ctx, { flags }): Promise<ComponentInfo[] | undefined> {
    return ctx.withClient(flags.timeout, async (client, timeLeft) => {
      const list = await client.components({ group: flags.group, timeout: timeLeft(), signal: ctx.signal });
      if (flags.group === undefined) ctx.sawComponents?.(list);
      if (!flags.watch) return list;
      await watch(ctx, client, list, flags.group);
      return undefined;
    });
  },

  render: (list, style) => renderComponents(list, style, Date.now()),
  repl: { usage: 'components [--group G] [--timeout 5s] [--json]' },
});

/** Redraws on every membership event until stopped; a listing that fails ends the watch with its error. */
async function watch(ctx: VerbContext, client: VerbClient, first: ComponentInfo[], group: string | undefined): Promise<void> {
  let failed: { error: unknown } | undefined;
  let fail!: () => void;
  const failure = new Promise<void>((resolve) => (fail = resolve));
  const stopped = ctx.untilStopped(failure);
  // Redraws are serialised: a burst of events never interleaves two tables. The first table is
  // drawn once subscribed (events meanwhile redraw after it): whoever sees it knows we follow.
  let subscribed!: () => void;
  let drawing = new Promise<void>((resolve) => (subscribed = resolve));
  const redraw = (): void => {
    drawing = drawing
      .then(async () => {
        if (!failed) await draw(ctx, await client.components({ group }));
      })
      .catch((error: unknown) => {
        // The server went away under the listing: the client reconnects (to another server of the
        // network if it has several, issue 16) and the redraw after that shows the network again.
        if (isBotzError(error) && LINK_LOST.has(error.code)) return;
        failed ??= { error };
        fail();
      });
  };
  const unwatch = await client.watch(redraw);
  await draw(ctx, first);
  subscribed();
  const onReconnected = (): void => {
    redraw();
    client.once('reconnected', onReconnected);
  };
  client.once('reconnected', onReconnected);
  await stopped;
  unwatch();
  await drawing;
  if (failed) throw failed.error;
}

async function draw(ctx: VerbContext, list: ComponentInfo[]): Promise<void> {
  if (ctx.json) return ctx.out(JSON.stringify(list));
  const text = await renderComponents(list, ctx.style, Date.now());
  ctx.out(ctx.style.tty ? `${CLEAR_SCREEN}${text}` : `${text}\n`);
}

import { Flags } from '@oclif/core';
import type { ComponentInfo } from '../lib/wire/frames.js';
import { BotzCommand, connectionFlags, timeoutFlag } from '../cli/base-command.js';
import { renderComponents } from '../cli/output.js';
import { waitForStop } from '../cli/signals.js';

/** ANSI: clear the screen and home the cursor, for `--watch` redraws on a terminal. */
const CLEAR_SCREEN = '\x1b[2J\x1b[H';

export default class Components extends BotzCommand {
  static override summary = 'List the registered components';
  static override description =
    'Columns: name, address (or "relay" when reached through the server), groups, state, last heartbeat. ' +
    'With --watch, redraws on every membership event until Ctrl-C (--json: one array per line).';
  static override examples = ['<%= config.bin %> components', '<%= config.bin %> components --group workers --json', '<%= config.bin %> components --watch'];
  static override flags = {
    ...connectionFlags,
    group: Flags.string({ char: 'g', description: 'only the members of this group' }),
    watch: Flags.boolean({ char: 'w', description: 'redraw on membership events until Ctrl-C' }),
    timeout: timeoutFlag,
  };

  async run(): Promise<ComponentInfo[] | undefined> {
    const { flags } = await this.parse(Components);
    this.failureContext.timeoutMs = flags.timeout;
    const client = await this.connect(flags, flags.timeout);
    try {
      const list = await client.components({ group: flags.group, timeout: this.timeLeft() });
      if (!flags.watch) {
        this.line(await renderComponents(list, this.style, Date.now()));
        return list;
      }
      const stopped = waitForStop();
      await this.draw(list);
      // Redraws are serialised: a burst of events never interleaves two tables.
      let drawing = Promise.resolve();
      const unwatch = await client.watch(() => {
        drawing = drawing.then(async () => this.draw(await client.components({ group: flags.group }))).catch((e) => this.catch(e));
      });
      await stopped;
      unwatch();
      await drawing;
      return undefined;
    } finally {
      await client.close();
    }
  }

  private async draw(list: ComponentInfo[]): Promise<void> {
    if (this.jsonEnabled()) return this.ndjson(list);
    const style = this.style;
    const text = await renderComponents(list, style, Date.now());
    process.stdout.write(style.tty ? `${CLEAR_SCREEN}${text}\n` : `${text}\n\n`);
  }
}

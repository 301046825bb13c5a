import { Args, Flags } from '@oclif/core';
import { connectionFlags, timeoutFlag } from '../cli/base-command.js';
import { MeshCommand } from '../cli/mesh-command.js';
import { meshEventLine } from '../cli/mesh-lines.js';
import type { MeshWatchEvent } from '../lib/mesh/mesh-control-client.js';
import { tailLine } from '../cli/event-lines.js';
import { waitForStop } from '../cli/signals.js';
import type { TailEvent } from '../index.js';
import type { BotzError } from '../lib/errors.js';

export default class Tail extends MeshCommand {
  static override summary = 'Show live traffic and membership events across the network';
  static override description =
    'One line per message (time, from → to, kind, size, latency, path) and per membership event, until Ctrl-C ' +
    'or --count events. Components report traffic only while somebody tails. --json prints NDJSON.';
  static override examples = ['<%= config.bin %> tail', '<%= config.bin %> tail echo worker-1 --bodies', '<%= config.bin %> tail --count 10 --json'];
  static override strict = false;
  static override usage = 'tail [NAME]... [--bodies] [--count N] [--json]';
  static override args = { names: Args.string({ ignoreStdin: true, description: 'only traffic from or to these components (repeatable)' }) };
  static override flags = {
    ...connectionFlags,
    bodies: Flags.boolean({ char: 'b', description: 'include message bodies' }),
    count: Flags.integer({ char: 'n', min: 1, description: 'exit after this many events' }),
    timeout: timeoutFlag,
    via: Flags.string({
      helpValue: '<host:port>',
      description: 'show the mesh traffic one mesh node originates, forwards and delivers, with the path of each message',
    }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Tail);
    const names = argv as string[];
    if (flags.via !== undefined) return this.tailMesh(flags.via, names, flags);
    const client = await this.connect(flags, flags.timeout);
    let seen = 0;
    let reachedCount!: () => void;
    const counted = new Promise<void>((resolve) => (reachedCount = resolve));
    const untail = await client.tail({ names: names.length ? names : undefined, bodies: flags.bodies }, (e: TailEvent) => {
      if (flags.count !== undefined && seen >= flags.count) return;
      seen++;
      this.print(e, flags.bodies);
      if (flags.count !== undefined && seen >= flags.count) reachedCount();
    });
    // After a reconnect the server may have no tail left for us (LIMIT_REACHED): that ends the tail.
    let refused: BotzError | undefined;
    const refusedLater = new Promise<void>((resolve) =>
      client.once('tailRefused', (error: BotzError) => {
        refused = error;
        resolve();
      }),
    );
    // tail() resolves once the server confirmed the subscription: from this line on, nothing is missed.
    const stopped = waitForStop(Promise.race([counted, refusedLater]));
    // On stderr even with --json: scripts (and tests) wait for it, and it never pollutes NDJSON.
    process.stderr.write(`tailing ${names.length ? names.join(', ') : 'all traffic'} on ${flags.server} (Ctrl-C to stop)\n`);
    try {
      await stopped;
      if (refused) throw refused;
    } finally {
      await untail();
      await client.close();
    }
  }

  /** The mesh traffic seen at one node (it has no view of the rest of the network). */
  private async tailMesh(via: string, names: string[], flags: { count?: number; bodies: boolean; timeout: number; server: string; 'secret-file'?: string }): Promise<void> {
    const ctl = await this.control(via, flags);
    let seen = 0;
    let reachedCount!: () => void;
    const counted = new Promise<void>((resolve) => (reachedCount = resolve));
    const wanted = (e: MeshWatchEvent) =>
      names.length === 0 || (e.kind === 'link' ? [e.node, e.peer] : [e.from, ...e.to.split(',')]).some((n) => names.includes(n));
    const unwatch = await ctl.watch(
      (e) => {
        if (!wanted(e) || (flags.count !== undefined && seen >= flags.count)) return;
        seen++;
        if (this.jsonEnabled()) this.ndjson(e);
        else this.line(meshEventLine(e, flags.bodies));
        if (flags.count !== undefined && seen >= flags.count) reachedCount();
      },
      { bodies: flags.bodies },
    );
    // The node going away ends the tail with an error (exit 7): nothing else would, since a
    // tail only listens, and an empty event loop would end the process with Node's exit 13.
    let lost: BotzError | undefined;
    const reached = () => flags.count !== undefined && seen >= flags.count;
    const gone = ctl.lost.then((error) => {
      if (!reached()) lost = error;
    });
    const stopped = waitForStop(Promise.race([counted, gone]));
    process.stderr.write(`tailing mesh traffic at ${ctl.address} (Ctrl-C to stop)\n`);
    try {
      await stopped;
      if (lost) throw lost;
    } finally {
      await unwatch();
      await ctl.close();
    }
  }

  private print(e: TailEvent, bodies: boolean): void {
    // NDJSON records are the library's TailEvent as it is: {kind:'traffic', event} | {kind:'member', type, component, at}
    // | {kind:'dropped', dropped, at}.
    if (this.jsonEnabled()) return this.ndjson(e);
    this.line(tailLine(e, bodies));
  }
}

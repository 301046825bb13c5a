/**
 * Runs one REPL line at a time against the REPL's own component: the same library calls, body
 * grammar and printing as the commands, and the CLI's one-line errors, which never end the
 * session. A failure's exit code is returned so a script can end with the first one.
 */
import { readData } from '../cli/data-source.js';
import { tailLine } from '../cli/event-lines.js';
import { describeFailure, ExitCode, redact } from '../cli/exit-codes.js';
import { renderBody, renderComponents, type OutputStyle } from '../cli/output.js';
import { buildBody } from '../cli/payload.js';
import { broadcastExit, broadcastLines, shutdownLine } from '../cli/result-lines.js';
import type { Client, TailEvent } from '../index.js';
import { cancellable } from '../lib/cancel.js';
import { BotzError, ErrorCode, isBotzError } from '../lib/errors.js';
import type { Json } from '../lib/wire/frames.js';
import type { LiveComponents } from './live-components.js';
import type { ReplOutput } from './output.js';
import { parseLine, type Invocation } from './parse-line.js';
import { TailState } from './tail-state.js';
import { findVerb, helpText } from './verbs.js';
import { runMeshVerb } from './mesh-verb.js';

/** The library calls the REPL makes: every Client (and so Component) has them. */
export type ReplClient = Pick<Client, 'name' | 'send' | 'broadcast' | 'components' | 'shutdown' | 'tail'>;

export interface SessionOptions {
  client: ReplClient;
  output: ReplOutput;
  live: LiveComponents;
  style: OutputStyle;
  /** The server address, for error lines. */
  server: string;
  /** Where the secret came from, for error lines; the secret itself only to redact it. */
  secretSource?: string;
  secret?: string;
  /** Asks the user to pick a component; absent without a terminal. */
  pick?: (names: string[]) => Promise<string>;
}

/** What one line did: its exit code, and whether the session should end. */
export interface LineResult {
  exit: number;
  quit: boolean;
}

/** Exit code of a command cancelled with Ctrl-C, as shells report SIGINT. */
export const CANCELLED_EXIT = ExitCode.CANCELLED;

export class Session {
  private readonly tail = new TailState();
  private untail: (() => Promise<void>) | undefined;

  constructor(private readonly o: SessionOptions) {}

  /** Run one line; `signal` (Ctrl-C) cancels it, the library call included. Never throws. */
  async run(line: string, signal?: AbortSignal): Promise<LineResult> {
    let inv: Invocation | undefined;
    try {
      const parsed = await parseLine(line);
      inv = parsed;
      if (parsed.verb === 'exit') return { exit: ExitCode.OK, quit: true };
      const exit = await cancellable(() => this.execute(parsed, signal), signal, 'the command');
      return { exit: exit ?? ExitCode.OK, quit: false };
    } catch (err) {
      if (isBotzError(err) && err.code === ErrorCode.CANCELLED) {
        this.o.output.err('cancelled');
        return { exit: CANCELLED_EXIT, quit: false };
      }
      return { exit: this.report(err, inv, line), quit: false };
    }
  }

  /** Stop tailing (the component itself is closed by the caller). */
  async close(): Promise<void> {
    await this.untail?.().catch(() => {});
    this.untail = undefined;
  }

  private report(err: unknown, inv: Invocation | undefined, line: string): number {
    const target = inv?.verb === 'send' ? inv.target : inv?.verb === 'shutdown' ? inv.name : undefined;
    const timeoutMs = inv && 'timeoutMs' in inv ? inv.timeoutMs : undefined;
    const f = describeFailure(readableFlagError(err), { server: this.o.server, secretSource: this.o.secretSource, target, timeoutMs });
    // A line that failed to parse has no invocation; its first word may still name the verb.
    const verb = inv?.verb ?? findVerb(line.trim().split(/\s+/)[0])?.name;
    const hint = f.exit === ExitCode.USAGE && verb && verb !== 'empty' ? ` (see \`help ${verb}\`)` : '';
    this.o.output.err(`botz: ${redact(f.line, this.o.secret)}${hint}`);
    return f.exit;
  }

  /** Runs one verb; a verb whose outcome is printed but not a success (a broadcast some missed) returns its exit code. */
  private async execute(inv: Invocation, signal: AbortSignal | undefined): Promise<number | void> {
    const { client, output } = this.o;
    switch (inv.verb) {
      case 'empty':
      case 'exit':
        return;
      case 'help':
        return output.out(helpText(inv.topic));
      case 'mesh':
        return output.out(await runMeshVerb(inv.words, { secret: this.o.secret, components: () => client.components() }));
      case 'send': {
        const body = await this.body(inv.assignments, inv.data);
        const target = inv.target ?? (await this.pickTarget());
        const reply = await client.send(target, body, { timeout: inv.timeoutMs, signal });
        return this.result(reply, inv.json, async () => renderBody(reply, this.o.style));
      }
      case 'broadcast': {
        const body = await this.body(inv.assignments, inv.data);
        const result = await client.broadcast(body, { group: inv.group, timeout: inv.timeoutMs, signal });
        await this.result(result, inv.json, async () => broadcastLines(result, inv.group).join('\n'));
        return broadcastExit(result);
      }
      case 'components': {
        const list = await client.components({ group: inv.group, timeout: inv.timeoutMs, signal });
        if (!inv.group) this.o.live.reset(list);
        return this.result(list, inv.json, async () => renderComponents(list, this.o.style, Date.now()));
      }
      case 'shutdown': {
        const { ready } = await client.shutdown(inv.name, { forced: inv.force, timeout: inv.timeoutMs, signal });
        return this.result({ name: inv.name, forced: inv.force, ready }, inv.json, async () => shutdownLine(inv.name, ready));
      }
      case 'tail':
        return this.retail(inv);
    }
  }

  private async body(assignments: string[], data: string | undefined): Promise<Json> {
    return buildBody(assignments, data === undefined ? undefined : await readData(data));
  }

  private async result(value: unknown, json: boolean, human: () => Promise<string>): Promise<void> {
    this.o.output.out(json ? JSON.stringify(value ?? null, null, 2) : await human());
  }

  private async pickTarget(): Promise<string> {
    if (!this.o.pick) {
      throw new BotzError(ErrorCode.INVALID_ARGUMENT, 'send needs a component NAME (a pick-list is offered only on a terminal)');
    }
    const names = this.o.live.components;
    if (names.length === 0) throw new BotzError(ErrorCode.NO_SUCH_COMPONENT, 'no components are registered to send to');
    return this.o.pick(names);
  }

  /** Apply `tail on|off [NAME...]` and resubscribe with the resulting filter. */
  private async retail(inv: Extract<Invocation, { verb: 'tail' }>): Promise<void> {
    const { output } = this.o;
    if (inv.mode === undefined) return output.out(this.tail.describe());
    const change = inv.mode === 'on' ? this.tail.on(inv.names, inv.bodies) : this.tail.off(inv.names);
    if (!change) return output.out(this.tail.describe());
    await this.untail?.();
    this.untail = undefined;
    const filter = this.tail.filter();
    if (filter) {
      const bodies = filter.bodies;
      try {
        this.untail = await this.o.client.tail({ names: filter.names, bodies }, (e: TailEvent) => output.notice(tailLine(e, bodies)));
      } catch (error) {
        this.tail.off([]); // no tail is running: `tail` must not say there is
        throw error;
      }
    }
    output.out(this.tail.describe());
  }
}

/**
 * oclif rewrites a flag's parse error to "Parsing --timeout \n\t<why>\nSee more help...", whose
 * first line (all the CLI prints) says nothing; the REPL shows "--timeout: <why>" instead.
 */
export function readableFlagError(err: unknown): unknown {
  const message = (err as { message?: unknown } | null)?.message;
  const m = typeof message === 'string' ? /^Parsing (--\S+) ?\n\t([^\n]*)/.exec(message) : null;
  if (m) (err as Error).message = `${m[1]}: ${m[2]}`;
  return err;
}

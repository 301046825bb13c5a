/**
 * Runs one REPL line at a time against the REPL's own component: the table's verbs (the very
 * verbs the commands run, in a REPL context), the REPL's own `tail on|off`, `help` and `exit`,
 * and the CLI's one-line errors, which never end the session. A failure's exit code is returned
 * so a script can end with the first one.
 */
import { tailLine } from '../cli/event-lines.js';
import { describeFailure, ExitCode, redact, type FailureContext } from '../cli/exit-codes.js';
import type { OutputStyle } from '../cli/output.js';
import { runVerb, type AnyInput, type VerbClient } from '../cli/verb.js';
import type { Client, TailEvent } from '../index.js';
import { cancellable } from '../lib/cancel.js';
import { BotzError, ErrorCode, isBotzError } from '../lib/errors.js';
import type { LiveComponents } from './live-components.js';
import type { ReplOutput } from './output.js';
import { nearest, parseLine, type Invocation } from './parse-line.js';
import { ReplContext } from './repl-context.js';
import { TailState } from './tail-state.js';
import { runConnect } from './connect-verb.js';
import { tokenize } from './tokenize.js';
import { findVerb, helpText, helpTopicKnown, isTopic } from './verbs.js';

/** The library calls the REPL makes: every Client (and so Component) has them. */
export type ReplClient = VerbClient & Pick<Client, 'name' | 'connect'>;

export interface SessionOptions {
  client: ReplClient;
  output: ReplOutput;
  live: LiveComponents;
  style: OutputStyle;
  /** The server address, for error lines. */
  server: string;
  /** Where the secret came from, for error lines; the secret itself only to redact it (and reach mesh nodes). */
  secretSource?: string;
  secret?: string;
  /** While the server link is down, the notice that said so; undefined while it is up. */
  linkDown?: () => string | undefined;
  /** Settles once our component was shut down (`shutdown <our name>`): no later line can run. */
  stopped?: Promise<unknown>;
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
    // What the error line says; the verb adds to it as it goes (a mesh node's address).
    const failure: FailureContext = { server: this.o.server, secretSource: this.o.secretSource };
    try {
      inv = await parseLine(line);
      if (inv === undefined) return { exit: ExitCode.OK, quit: false };
      if (inv.spec.name === 'exit') return { exit: ExitCode.OK, quit: true };
      const parsed = inv;
      Object.assign(failure, parsed.spec.verb?.failure?.(parsed.input));
      const exit = await cancellable(() => this.execute(parsed, failure, signal), signal, 'the command');
      return { exit: exit ?? ExitCode.OK, quit: false };
    } catch (err) {
      if (isBotzError(err) && err.code === ErrorCode.CANCELLED) {
        this.o.output.err('cancelled');
        return { exit: CANCELLED_EXIT, quit: false };
      }
      return { exit: this.report(err, failure, inv, line), quit: false };
    }
  }

  /** Stop tailing (the component itself is closed by the caller). */
  async close(): Promise<void> {
    await this.untail?.().catch(() => {});
    this.untail = undefined;
  }

  private report(err: unknown, failure: FailureContext, inv: Invocation | undefined, line: string): number {
    const f = describeFailure(readableFlagError(err), failure);
    // Cut off from the server, a call fails for that reason, whatever it names: say so, not "run ls".
    const down = this.o.linkDown?.();
    if (down !== undefined && f.exit !== ExitCode.USAGE && f.exit !== ExitCode.CANCELLED) {
      this.o.output.err(`botz: the server link is down (${down}); try again once it is back`);
      return f.exit;
    }
    const hint = f.exit === ExitCode.USAGE ? helpHint(inv, line) : '';
    this.o.output.err(`botz: ${replAdvice(redact(f.line, this.o.secret))}${hint}`);
    return f.exit;
  }

  /** Runs one verb; a verb whose outcome is printed but not a success (a broadcast some missed) returns its exit code. */
  private async execute({ spec, input }: Invocation, failure: FailureContext, signal: AbortSignal | undefined): Promise<number | void> {
    const { output } = this.o;
    if (spec.verb) {
      const ctx = new ReplContext({
        client: this.o.client,
        output,
        style: this.o.style,
        json: input.json,
        signal,
        server: this.o.server,
        secret: this.o.secret,
        failure,
        pick: this.o.pick && (() => this.pickTarget()),
        sawComponents: (list) => this.o.live.reset(list),
      });
      const selfStop = spec.name === 'shutdown' && input.args.name === this.o.client.name ? this.o.stopped : undefined;
      // Shutting ourselves down: the stop may overtake the answer (which then fails with CLOSED),
      // and the next line must not race the stop.
      const outcome = await runVerb(spec.verb, ctx, input).catch(async (error: unknown) => {
        if (selfStop && isBotzError(error) && error.code === ErrorCode.CLOSED) return selfStop.then(() => undefined);
        throw error;
      });
      if (outcome?.text !== undefined) output.out(outcome.text);
      await selfStop;
      return outcome?.exit ?? ExitCode.OK;
    }
    switch (spec.name) {
      case 'help': {
        const topic = (input.args.topic as string[]).join(' ');
        // A script that asks for help on nothing has a mistake in it: exit 2, as for an unknown verb.
        if (!helpTopicKnown(topic)) throw new BotzError(ErrorCode.INVALID_ARGUMENT, `no verb "${topic}"${nearest(topic)}; type \`help\` for the list`);
        return output.out(helpText(topic || undefined));
      }
      case 'clear':
        // Only a terminal has a screen to clear; a script's output is a record.
        if (this.o.style.tty) output.out(CLEAR_SCREEN);
        return;
      case 'tail':
        return this.retail(input);
      case 'connect':
        return runConnect(this.o.client, input, output, signal);
    }
  }

  private async pickTarget(): Promise<string> {
    const names = this.o.live.components;
    if (names.length === 0) throw new BotzError(ErrorCode.NO_SUCH_COMPONENT, 'no components are registered to send to');
    return this.o.pick!(names);
  }

  /** Apply `tail on|off [NAME...]` and resubscribe with the resulting filter. */
  private async retail(input: AnyInput): Promise<void> {
    const { output } = this.o;
    const mode = input.args.mode as 'on' | 'off' | undefined;
    const names = input.args.names as string[];
    if (mode === undefined) return output.out(this.tail.describe());
    const change = mode === 'on' ? this.tail.on(names, input.flags.bodies === true) : this.tail.off(names);
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

/** ANSI: clear the screen and its scrollback, and home the cursor. */
const CLEAR_SCREEN = '\x1b[2J\x1b[3J\x1b[H';

/**
 * The CLI's advice as the REPL has it: "run \`botz components\`" is \`ls\` here, and any
 * \`botz VERB ...\` the REPL also has is that verb without the \`botz\`.
 */
export function replAdvice(line: string): string {
  return line.replace(/`botz ([^`]+)`/g, (whole, command: string) => {
    if (command === 'components') return '`ls`';
    const found = findVerb(command.split(' '));
    return found && !command.includes('--help') ? `\`${command}\`` : whole;
  });
}

/**
 * ` (see \`help send\`)` after a usage error. A line that failed to parse has no invocation; its
 * first words may still name the verb (or a topic, as in `mesh fly`).
 */
function helpHint(inv: Invocation | undefined, line: string): string {
  let words: string[];
  try {
    words = tokenize(line);
  } catch {
    words = line.trim().split(/\s+/);
  }
  const name = inv?.spec.name ?? findVerb(words)?.spec.name ?? (isTopic(words[0] ?? '') ? words[0] : undefined);
  return name ? ` (see \`help ${name}\`)` : '';
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

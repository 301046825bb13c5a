/**
 * Where REPL text goes. Results and errors of a command print while the command runs (no prompt
 * on screen); messages and tail lines arrive at any time and must not garble the line being
 * typed, so on a terminal they erase the prompt line, print, and redraw the prompt with the
 * typed text and cursor as they were. A script (stdin piped) gets plain lines: no prompt, no
 * escape codes.
 */
import { clearScreenDown, cursorTo, moveCursor, type Interface } from 'node:readline';

export interface ReplOutput {
  /** A result line of the running command (stdout). */
  out(text: string): void;
  /** An error line (stderr). */
  err(text: string): void;
  /** A line that arrived on its own (a message, a tail line): printed above the prompt. */
  notice(text: string): void;
  /** Hold notices (while a pick-list owns the screen) until `release`. */
  hold(): void;
  release(): void;
}

/** Plain lines, for scripts: stdout and stderr as they are. */
export class PlainOutput implements ReplOutput {
  constructor(
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly stderr: NodeJS.WritableStream = process.stderr,
  ) {}
  out(text: string): void {
    this.stdout.write(text + '\n');
  }
  err(text: string): void {
    this.stderr.write(text + '\n');
  }
  notice(text: string): void {
    this.stdout.write(text + '\n');
  }
  hold(): void {}
  release(): void {}
}

/** On a terminal, beside a readline interface that owns the prompt. */
export class PromptOutput implements ReplOutput {
  /** True while the prompt is on screen (between commands). */
  private prompting = false;
  private held: string[] | undefined;

  constructor(
    private readonly rl: Interface,
    private readonly stdout: NodeJS.WriteStream = process.stdout,
    private readonly stderr: NodeJS.WritableStream = process.stderr,
  ) {}

  /** Show the prompt (with whatever was typed ahead) and route notices above it. */
  showPrompt(): void {
    this.prompting = true;
    this.rl.prompt(true);
  }

  /** A command starts: its output goes below the line that was entered. */
  busy(): void {
    this.prompting = false;
  }

  out(text: string): void {
    this.stdout.write(text + '\n');
  }

  err(text: string): void {
    this.stderr.write(text + '\n');
  }

  notice(text: string): void {
    if (this.held) return void this.held.push(text);
    if (!this.prompting) return void this.stdout.write(text + '\n');
    // Erase the prompt (it may wrap over several rows), print, then let readline redraw it.
    moveCursor(this.stdout, 0, -this.rl.getCursorPos().rows);
    cursorTo(this.stdout, 0);
    clearScreenDown(this.stdout);
    this.stdout.write(text + '\n');
    this.rl.prompt(true);
  }

  hold(): void {
    this.held ??= [];
  }

  release(): void {
    const lines = this.held ?? [];
    this.held = undefined;
    for (const line of lines) this.notice(line);
  }
}

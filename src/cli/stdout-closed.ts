/**
 * What becomes of our output. Whatever a command wrote must reach its reader before the process
 * exits, and a write that fails must not go unnoticed:
 *
 * - A one-shot command whose output cannot be written failed: exit 1 and one line on stderr,
 *   whatever the cause (EPIPE from a reader that left early, ENOSPC...). curl does the same
 *   (exit 23, "Failure writing output"); Go tools such as natscli die of SIGPIPE. A script that
 *   checks `botz send` must not take a reply nobody could read for a success.
 * - A streaming command (`serve`, `register`, `tail`, `components --watch`) whose reader went
 *   away (`| head -1`) has been told to stop, as SIGPIPE tells `tail -f`: it stops its work and
 *   exits 0 with nothing on stderr. Any other write error stops it too, as a failure.
 *
 * A pipe tells the writer that its reader left only when it next writes, so a streaming command
 * notices at its next line. Errors on stderr are ignored: there is nowhere left to report them.
 */
import { getSystemErrorMap } from 'node:util';

/** What this needs of a stream: node's Writable has it all. */
type OutputStream = NodeJS.WritableStream & { writableLength?: number; errored?: Error | null };

/** The part of a process this needs (the real one in the CLI; fakes in tests). */
export interface OutputProcess {
  stdout: OutputStream;
  stderr: OutputStream;
  exitCode?: number | string | null;
}

/** Write errors that mean the reader is gone, rather than that writing is broken. */
const READER_GONE = new Set(['EPIPE', 'ECONNRESET']);

export class StdoutWatch {
  private error: NodeJS.ErrnoException | undefined;
  /** A failure that fails the command (printed, exit 1), as opposed to a streaming command's reader leaving. */
  private failed = false;
  private streaming = false;
  private closed!: () => void;
  private readonly whenClosed = new Promise<void>((resolve) => (this.closed = resolve));
  /** The one listener on stdout's errors; kept to tell it from foreign ones. */
  readonly onError = (error: NodeJS.ErrnoException): void => this.stdoutFailed(error);

  constructor(private readonly proc: OutputProcess) {}

  /**
   * Listens for write errors on stdout and stderr. Any other listener on stdout's errors is
   * removed: oclif's swallows EPIPE (so `botz tail | head -1` ran forever) and rethrows
   * anything else from inside the event, which ends the process with a stack trace. Idempotent;
   * call it again once oclif is loaded.
   */
  install(): void {
    const { stdout, stderr } = this.proc;
    for (const listener of stdout.listeners('error')) {
      if (listener !== this.onError) stdout.removeListener('error', listener as (...args: unknown[]) => void);
    }
    if (!stdout.listeners('error').includes(this.onError)) stdout.on('error', this.onError);
    if (!stderr.listeners('error').includes(ignore)) stderr.on('error', ignore);
  }

  /** Marks the command as streaming; resolves once stdout can take no more output. */
  streamingUntilClosed(): Promise<void> {
    this.streaming = true;
    return this.whenClosed;
  }

  /** Resolves once stdout and stderr have handed everything written so far to the system, or failed. */
  async flush(): Promise<void> {
    await Promise.all([
      drained(this.proc.stdout, (error) => this.stdoutFailed(error)),
      drained(this.proc.stderr, () => {}),
    ]);
  }

  /** `code` once the output is flushed, or 1 if writing stdout failed (and a line said so). */
  async exitCode(code: number): Promise<number> {
    await this.flush();
    return this.failed && code === 0 ? 1 : code;
  }

  private stdoutFailed(error: NodeJS.ErrnoException): void {
    if (this.error) return;
    this.error = error;
    this.closed();
    if (this.streaming && READER_GONE.has(error.code ?? '')) return;
    this.failed = true;
    this.proc.exitCode = 1;
    this.proc.stderr.write(`botz: cannot write to stdout: ${describe(error)}\n`);
  }
}

function ignore(): void {}

/** "broken pipe (EPIPE)": the system's words for an errno, else the error's message. */
function describe(error: NodeJS.ErrnoException): string {
  const known = typeof error.errno === 'number' ? getSystemErrorMap().get(error.errno) : undefined;
  return known ? `${known[1]} (${known[0]})` : error.code ? `${error.message} (${error.code})` : error.message;
}

/** Waits for everything queued on `stream` to be written (or to fail: `onError` hears why). */
function drained(stream: OutputStream, onError: (error: NodeJS.ErrnoException) => void): Promise<void> {
  // A failed write marks the stream at once; its 'error' event comes a tick later.
  if (stream.errored) onError(stream.errored);
  if (stream.errored || !stream.writableLength) return Promise.resolve();
  // Writes complete in order: the callback of an empty write runs once all before it are out.
  return new Promise((resolve) => {
    stream.write('', (error?: Error | null) => {
      if (error) onError(error as NodeJS.ErrnoException);
      resolve();
    });
  });
}

/** This process's stdout and stderr. */
export const stdoutWatch = new StdoutWatch(process);

/**
 * `botz register NAME --accept PROTOCOL --exec CMD`: each accepted stream gets a fresh CMD (run
 * through the shell, in its own process group), the stream's bytes on its stdin and its stdout
 * back on the stream, like inetd. CMD's exit ends the stream: its stdout's end half-closes our
 * side; a failing CMD resets the stream with its stderr's tail as the reason. At most
 * `concurrency` CMDs run at once: past it a stream is refused ("busy") before anything starts.
 * `stop()` kills every group (SIGKILL). Streams may live long (a transfer), so there is no
 * timeout: the opener's end or the stream's failure ends CMD.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { RemoteError } from '../lib/errors.js';
import type { StreamChannel, StreamInfo } from '../lib/stream/stream-channel.js';
import { DEFAULT_EXEC_CONCURRENCY, killGroup } from './exec-handler.js';

const STDERR_KEEP_BYTES = 2_000;

export class StreamExec {
  private readonly children = new Set<ChildProcess>();
  private stopping = false;

  constructor(
    private readonly command: string,
    private readonly concurrency = DEFAULT_EXEC_CONCURRENCY,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** An accept handler: throws (refusing the stream) when busy or stopping. */
  readonly accept = (channel: StreamChannel, info: StreamInfo): void => {
    if (this.stopping) throw new Error('botz register is stopping');
    if (this.children.size >= this.concurrency) throw new Error(`busy: ${this.children.size} commands already run (--exec-concurrency)`);
    // The handler is arbitrary code: it never inherits the network's secret.
    const { BOTZ_SECRET: _secret, ...env } = this.env;
    const child = spawn(this.command, {
      shell: true,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...env, BOTZ_FROM: info.peer, BOTZ_PROTOCOL: info.protocol, BOTZ_HEADERS: JSON.stringify(info.headers) },
    });
    this.children.add(child);
    let stderr = '';
    child.stderr!.on('data', (part: Buffer) => {
      stderr = (stderr + part.toString()).slice(-STDERR_KEEP_BYTES);
    });
    // CMD that stops reading its stdin early is no failure of the stream's.
    child.stdin!.on('error', () => {});
    channel.pipe(child.stdin!);
    // Not ended with stdout: CMD's exit code decides between end() and a reset.
    child.stdout!.pipe(channel, { end: false });
    const output = new Promise<boolean>((resolve) => {
      child.stdout!.once('end', () => resolve(true));
      child.stdout!.once('error', () => resolve(false));
    });
    child.on('close', (code, signal) => {
      this.children.delete(child);
      void output.then((copied) => {
        if (code === 0 && copied) return channel.end();
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const error = new RemoteError(`${this.command} ${how}${stderr ? `: ${stderr.trim()}` : ''}`, { details: { code, signal } });
        if (!channel.destroyed) channel.destroy(error);
      });
    });
    // The stream failed (reset, peer gone): CMD has nobody to talk to.
    channel.on('error', () => killGroup(child));
    channel.on('close', () => {
      if (child.exitCode === null && child.signalCode === null && !channel.writableFinished) killGroup(child);
    });
  };

  get running(): number {
    return this.children.size;
  }

  /** Kills every CMD's process group; resolves once they exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    const exits = [...this.children].map((child) => new Promise((resolve) => child.once('close', resolve)));
    for (const child of this.children) killGroup(child);
    await Promise.all(exits);
  }
}

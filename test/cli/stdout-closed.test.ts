import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StdoutWatch, type OutputProcess } from '../../src/cli/stdout-closed.js';

/** A system error as a failed write reports it. */
function systemError(code: string, errno: number): NodeJS.ErrnoException {
  return Object.assign(new Error(`write ${code}`), { code, errno, syscall: 'write' });
}

/** A stream that holds each write until `release()`, then fails them all with `failWith` if set. */
class SlowStream extends Writable {
  readonly written: string[] = [];
  failWith: NodeJS.ErrnoException | undefined;
  private held: (() => void)[] = [];

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    this.held.push(() => {
      if (this.failWith) return done(this.failWith);
      this.written.push(chunk.toString());
      done();
    });
  }

  release(): void {
    while (this.held.length) this.held.shift()!();
  }
}

/** A stream that takes every write at once. */
class QuickStream extends Writable {
  readonly written: string[] = [];

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    this.written.push(chunk.toString());
    done();
  }
}

function setup() {
  const stdout = new SlowStream();
  const stderr = new QuickStream();
  const proc: OutputProcess = { stdout, stderr, exitCode: undefined };
  const watch = new StdoutWatch(proc);
  watch.install();
  return { stdout, stderr, proc, watch };
}

const EPIPE = () => systemError('EPIPE', -32);
const ENOSPC = () => systemError('ENOSPC', -28);

describe('StdoutWatch', () => {
  it('exitCode waits until what was written has left, and keeps the code', async () => {
    const { stdout, watch } = setup();
    stdout.write('reply\n');
    let code: number | undefined;
    const settled = watch.exitCode(0).then((c) => (code = c));
    await new Promise((r) => setImmediate(r));
    expect(code).toBeUndefined();
    // Writes complete in order, so releasing the reply also lets the marker behind it through.
    while (code === undefined) {
      stdout.release();
      await new Promise((r) => setImmediate(r));
    }
    await settled;
    expect(code).toBe(0);
    expect(stdout.written.join('')).toBe('reply\n');
  });

  it.each([
    ['a reader that left (EPIPE)', EPIPE, /^botz: cannot write to stdout: broken pipe \(EPIPE\)\n$/],
    ['a full disk (ENOSPC)', ENOSPC, /^botz: cannot write to stdout: no space left on device \(ENOSPC\)\n$/],
  ])('a one-shot command whose output hits %s fails: exit 1 and one line on stderr', async (_what, error, line) => {
    const { stdout, stderr, proc, watch } = setup();
    stdout.failWith = error();
    stdout.write('reply\n');
    const code = watch.exitCode(0);
    stdout.release();
    expect(await code).toBe(1);
    expect(proc.exitCode).toBe(1);
    expect(stderr.written).toHaveLength(1);
    expect(stderr.written[0]).toMatch(line);
  });

  it('keeps a non-zero code the command already chose', async () => {
    const { stdout, watch } = setup();
    stdout.failWith = EPIPE();
    stdout.write('{"error": ...}\n');
    const code = watch.exitCode(3);
    stdout.release();
    expect(await code).toBe(3);
  });

  it('a streaming command whose reader left is told to stop, with exit 0 and nothing on stderr', async () => {
    const { stdout, stderr, proc, watch } = setup();
    const closed = watch.streamingUntilClosed();
    stdout.failWith = EPIPE();
    stdout.write('line\n');
    stdout.release();
    await closed;
    expect(await watch.exitCode(0)).toBe(0);
    expect(proc.exitCode).toBeUndefined();
    expect(stderr.written).toEqual([]);
  });

  it('a streaming command whose stdout fails otherwise stops too, as a failure', async () => {
    const { stdout, stderr, proc, watch } = setup();
    const closed = watch.streamingUntilClosed();
    stdout.failWith = ENOSPC();
    stdout.write('line\n');
    stdout.release();
    await closed;
    expect(proc.exitCode).toBe(1);
    expect(stderr.written).toHaveLength(1);
  });

  it('reports only the first failure, however many writes fail after it', async () => {
    const { stdout, stderr, watch } = setup();
    stdout.failWith = ENOSPC();
    for (let i = 0; i < 3; i++) stdout.write(`line ${i}\n`);
    stdout.release();
    // Right after the failure, before its 'error' event: the failure already counts.
    expect(await watch.exitCode(0)).toBe(1);
    stdout.write('after\n', () => {});
    await watch.flush();
    expect(stderr.written).toHaveLength(1);
  });

  it('takes over from other listeners on stdout errors, and ignores errors on stderr', () => {
    const stdout = new SlowStream();
    const stderr = new QuickStream();
    const foreign = () => {
      throw new Error('rethrown by a foreign listener');
    };
    stdout.on('error', foreign);
    const watch = new StdoutWatch({ stdout, stderr });
    watch.install();
    watch.install();
    expect(stdout.listeners('error')).toEqual([watch.onError]);
    expect(stderr.listeners('error')).toHaveLength(1);
    expect(() => stderr.emit('error', EPIPE())).not.toThrow();
  });
});

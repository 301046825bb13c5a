import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecPool, runExecHandler } from '../../src/cli/exec-handler.js';
import { DEFAULT_MAX_PACKET_BYTES } from '../../src/lib/wire/packet.js';
import { liveInGroup } from '../helpers/processes.js';
import { until } from '../helpers/wait.js';

const ctx = { from: 'cli-1', kind: 'request' };

describe('runExecHandler', () => {
  it('passes the body on stdin and replies with the JSON printed', async () => {
    expect(await runExecHandler('cat', { a: '1' }, ctx)).toEqual({ a: '1' });
  });

  it('tells the handler who sent the message, but not the secret', async () => {
    const reply = await runExecHandler(`node -e 'console.log(JSON.stringify({from: process.env.BOTZ_FROM, secret: process.env.BOTZ_SECRET ?? null}))'`, {}, ctx, {
      ...process.env,
      BOTZ_SECRET: 'hush',
    });
    expect(reply).toEqual({ from: 'cli-1', secret: null });
  });

  it('turns a failing command into REMOTE_ERROR carrying its stderr', async () => {
    await expect(runExecHandler('echo "it broke" >&2; exit 3', {}, ctx)).rejects.toMatchObject({
      code: 'REMOTE_ERROR',
      details: { exitCode: 3, stderr: 'it broke' },
    });
  });

  it('turns output that is not JSON into REMOTE_ERROR', async () => {
    await expect(runExecHandler('echo not json', {}, ctx)).rejects.toMatchObject({ code: 'REMOTE_ERROR' });
  });

  it('replies null when the command prints nothing', async () => {
    expect(await runExecHandler('true', { a: 1 }, ctx)).toBeNull();
  });
});


/** The pids the handlers wrote to `file`, one a line, once there are `n` of them. */
async function pidsIn(file: string, n: number): Promise<number[]> {
  let pids: number[] = [];
  await until(`${n} handlers started`, async () => {
    pids = (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
    return pids.length >= n;
  });
  return pids;
}

describe('runExecHandler limits', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'botz-exec-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('kills a handler that outlives its timeout, with its whole process group, and says so', async () => {
    const pidFile = join(dir, 'pid');
    const started = Date.now();
    // $$ is the shell: it leads the group; `sleep` is its child in the same group.
    const run = runExecHandler(`echo $$ > ${pidFile}; sleep 30; echo '{}'`, {}, ctx, process.env, { timeoutMs: 300 });
    await expect(run).rejects.toMatchObject({ code: 'REMOTE_ERROR', message: 'handler was killed after 300 ms: it did not finish in time' });
    expect(Date.now() - started).toBeLessThan(5_000);
    const [pgid] = await pidsIn(pidFile, 1);
    await until('the handler and its sleep are gone', () => liveInGroup(pgid).length === 0);
  });

  it('kills a handler once its output exceeds the limit', async () => {
    // Writes without end, as fast as the pipe takes it.
    const flood = `node -e "const b = Buffer.alloc(65536, 120); (function w() { while (process.stdout.write(b)); process.stdout.once('drain', w); })()"`;
    await expect(runExecHandler(flood, {}, ctx, process.env, { maxOutputBytes: 1_000_000 })).rejects.toMatchObject({
      code: 'REMOTE_ERROR',
      message: 'handler was killed: its output exceeded 1000000 bytes, more than fits in a reply',
    });
  });

  it('limits output to the packet limit by default, so 600 MB never gets read', async () => {
    const started = Date.now();
    await expect(runExecHandler('head -c 600000000 /dev/zero', {}, ctx)).rejects.toMatchObject({
      code: 'REMOTE_ERROR',
      message: `handler was killed: its output exceeded ${DEFAULT_MAX_PACKET_BYTES} bytes, more than fits in a reply`,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('still replies with output just under the limit', async () => {
    const reply = await runExecHandler(`node -e "console.log(JSON.stringify('x'.repeat(9000)))"`, {}, ctx, process.env, { maxOutputBytes: 10_000 });
    expect(reply).toBe('x'.repeat(9000));
  });
});

describe('ExecPool', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'botz-exec-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stop() kills every running handler and refuses the queued ones', async () => {
    const pidFile = join(dir, 'pids');
    const pool = new ExecPool(`echo $$ >> ${pidFile}; sleep 30; echo '{}'`, { concurrency: 2 });
    const runs = [1, 2, 3].map((i) => pool.run({ i }, ctx));
    const settled = Promise.allSettled(runs);
    const pids = await pidsIn(pidFile, 2);
    expect(pool.running).toBe(2);
    const started = Date.now();
    await pool.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    const outcomes = await settled;
    for (const o of outcomes) {
      expect(o).toMatchObject({ status: 'rejected', reason: { code: 'REMOTE_ERROR', message: 'handler was killed: botz register is stopping' } });
    }
    // The queued third never started.
    expect((await readFile(pidFile, 'utf8')).trim().split('\n')).toHaveLength(2);
    // SIGKILL reaches every process of a group at once, but the kernel may take a moment to
    // carry it out on a loaded machine: wait for it, rather than check the instant stop() ends.
    await until('every handler process is gone', () => pids.every((pgid) => liveInGroup(pgid).length === 0));
    await expect(pool.run({}, ctx)).rejects.toMatchObject({ code: 'REMOTE_ERROR' });
  });

  it('runs at most `concurrency` handlers at once and queues the rest in order', async () => {
    const log = join(dir, 'log');
    const pool = new ExecPool(`echo start >> ${log}; sleep 0.2; echo end >> ${log}; cat`, { concurrency: 2 });
    const replies = await Promise.all([1, 2, 3, 4, 5].map((i) => pool.run({ i }, ctx)));
    expect(replies).toEqual([1, 2, 3, 4, 5].map((i) => ({ i })));
    let now = 0;
    let most = 0;
    for (const line of (await readFile(log, 'utf8')).trim().split('\n')) {
      now += line === 'start' ? 1 : -1;
      most = Math.max(most, now);
    }
    expect(most).toBe(2);
  });

  it('gives up on a queued request whose time ran out while it waited', async () => {
    const pool = new ExecPool('sleep 30', { concurrency: 1, timeoutMs: 300 });
    const first = pool.run({}, ctx);
    const second = pool.run({}, ctx);
    await expect(first).rejects.toMatchObject({ message: /killed after \d+ ms/ });
    await expect(second).rejects.toMatchObject({ code: 'REMOTE_ERROR', message: /waited 300 ms/ });
    await pool.stop();
  });
});

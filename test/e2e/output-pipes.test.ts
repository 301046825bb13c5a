/**
 * What the command line does with its output when stdout is a pipe: everything it wrote reaches
 * a slow reader before it exits; a one-shot command whose output cannot be written fails (exit 1,
 * one line on stderr, as curl does); a streaming command whose reader went away (`| head -1`)
 * stops cleanly at its next write: exit 0, nothing on stderr.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { Client, Component } from '../../src/index.js';
import { isolatedEnv, ROOT, Running, startBotz, startNetwork, type Network } from './harness.js';

const BIN = join(ROOT, 'bin', 'run.js');

/** Process groups this file started; a failed test must not leave a pipeline running. */
const groups: number[] = [];
afterEach(() => {
  for (const pgid of groups.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** `script` run by bash in its own process group, with its stdout and stderr lines to wait on. */
function shell(script: string, env: NodeJS.ProcessEnv): Running {
  const child = spawn('bash', ['-c', script], { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  groups.push(child.pid!);
  return new Running(child);
}

/** A JSON object of about 900 KB: far more than a pipe holds (64 KiB). */
function bigBody(): Record<string, string> {
  const body: Record<string, string> = {};
  for (let i = 0; i < 9_000; i++) body[`k${i}`] = `${i}`.padEnd(90, 'x');
  return body;
}

/** Does `step` until `running` has exited; returns its exit code. */
async function keepDoing(running: Running, step: () => Promise<unknown>): Promise<number | null> {
  let done = false;
  const exited = running.exited.finally(() => (done = true));
  while (!done) await step().catch(() => {});
  return exited;
}

let net: Network;
let secret: string;
let big: string;
const body = bigBody();

beforeAll(async () => {
  net = await startNetwork();
  await net.register('echo', '--echo');
  const { readFile } = await import('node:fs/promises');
  secret = (await readFile(join(net.configDir, 'secret'), 'utf8')).trim();
  big = join(await mkdtemp(join(tmpdir(), 'botz-pipes-')), '900k.json');
  await writeFile(big, JSON.stringify(body));
});
afterAll(async () => {
  await net?.stop();
});

// A reader that takes its time: it reads nothing for a moment, then everything.
const SLOW_READER = `node -e 'setTimeout(() => process.stdin.pipe(process.stdout), 400)'`;

describe('a one-shot send piped into a slow reader', () => {
  it('--json: every byte of the reply arrives, and botz exits 0', async () => {
    const run = shell(`node ${BIN} send echo --data @${big} --json | ${SLOW_READER}; echo "botz exit \${PIPESTATUS[0]}" >&2`, net.env);
    expect(await run.exited).toBe(0);
    expect(run.lines.join('\n') + '\n').toBe(JSON.stringify(body, null, 2) + '\n');
    expect(run.errLines).toEqual(['botz exit 0']);
  });

  it('without --json: the body arrives as one line of compact JSON', async () => {
    const run = shell(`node ${BIN} send echo --data @${big} | ${SLOW_READER}; echo "botz exit \${PIPESTATUS[0]}" >&2`, net.env);
    expect(await run.exited).toBe(0);
    expect(run.lines).toEqual([JSON.stringify(body)]);
    expect(run.errLines).toEqual(['botz exit 0']);
  });
});

describe('piped replies are machine-readable and round-trip (issue 17)', () => {
  it('into jq: typed values, a space and a newline survive', async () => {
    const run = shell(`node ${BIN} send echo a=1 b:=2 'c=x y' 'd:="l1\\nl2"' | jq -c '{a, b, c, d}'`, net.env);
    expect(await run.exited).toBe(0);
    expect(JSON.parse(run.lines[0])).toEqual({ a: '1', b: 2, c: 'x y', d: 'l1\nl2' });
  });

  it('into a second send with --data -', async () => {
    const run = shell(`node ${BIN} send echo 'x=1 2' n:=3 | node ${BIN} send echo --data - extra=yes --json`, net.env);
    expect(await run.exited).toBe(0);
    expect(JSON.parse(run.lines.join('\n'))).toEqual({ x: '1 2', n: 3, extra: 'yes' });
  });

  it('a 900 KB reply through wc -c and head -c', async () => {
    const wc = shell(`node ${BIN} send echo --data @${big} | wc -c`, net.env);
    expect(await wc.exited).toBe(0);
    expect(Number(wc.lines[0].trim())).toBe(JSON.stringify(body).length + 1);
    const head = shell(`node ${BIN} send echo --data @${big} | head -c 20; echo; echo "botz exit \${PIPESTATUS[0]}"`, net.env);
    expect(await head.exited).toBe(0);
    expect(head.lines[0]).toBe(JSON.stringify(body).slice(0, 20));
    // head leaving early is a write that failed: exit 1 (see below), never a hang.
    expect(head.lines[1]).toMatch(/^botz exit [01]$/);
  });

  it('--raw prints the body only: compact JSON, a string bare, no headers on stderr', async () => {
    const obj = shell(`node ${BIN} send echo a=1 -H trace:abc --raw`, net.env);
    expect(await obj.exited).toBe(0);
    expect(obj.lines).toEqual(['{"a":"1"}']);
    expect(obj.errLines).toEqual([]);
    const str = shell(`node ${BIN} send echo --data '"two words"' --raw`, net.env);
    expect(await str.exited).toBe(0);
    expect(str.lines).toEqual(['two words']);
  });
});

describe('--raw on the commands that print bodies (issue 17)', () => {
  it('register --raw: stdout is the bodies it receives, one compact line each (a string bare); the rest goes to stderr', async () => {
    const reg = startBotz(['register', 'raw-sink', '--raw'], net.env);
    onTestFinished(() => void reg.stop('SIGKILL'));
    await reg.waitFor(/^registered raw-sink/, 'err');
    const client = await Client.connect({ server: net.address, secret, timeoutMs: 3000 });
    try {
      await client.send('raw-sink', { text: 'two words\nand a line', n: 2 }, { headers: { trace: 'abc' } });
      await client.send('raw-sink', 'bare string');
    } finally {
      await client.close();
    }
    await reg.waitFor(/^bare string$/);
    expect(await reg.stop('SIGTERM')).toBe(0);
    expect(reg.lines).toEqual(['{"text":"two words\\nand a line","n":2}', 'bare string']);
  });

  it('tail --raw: only the bodies of the traffic, one compact line each', async () => {
    const run = startBotz(['tail', 'echo', '--raw', '--count', '2'], net.env);
    onTestFinished(() => void run.stop('SIGKILL'));
    await run.waitFor(/^tailing /, 'err');
    const client = await Client.connect({ server: net.address, secret, timeoutMs: 3000 });
    try {
      await client.send('echo', { q: 'a b' });
    } finally {
      await client.close();
    }
    expect(await run.exited).toBe(0);
    // The request and the echo's response: the same body twice, no event lines.
    expect(run.lines).toEqual(['{"q":"a b"}', '{"q":"a b"}']);
  });

  it('--raw and --json together are a usage error naming both', async () => {
    const r = shell(`node ${BIN} tail --raw --json`, net.env);
    expect(await r.exited).toBe(2);
    expect(r.errLines.join('\n')).toMatch(/--raw.*--json|--json.*--raw/);
  });
});

describe('the REPL reading a script from a pipe', () => {
  it('gets a big reply to a slow reader in full before a failing line ends it with that line\'s code', async () => {
    const script = `printf 'send echo --data @${big} --json\\nsend nobody-here x=1\\n'`;
    const run = shell(`${script} | node ${BIN} repl | ${SLOW_READER}; echo "repl exit \${PIPESTATUS[1]}" >&2`, net.env);
    expect(await run.exited).toBe(0);
    expect(run.lines.join('\n') + '\n').toBe(JSON.stringify(body, null, 2) + '\n');
    expect(run.errLines).toEqual([expect.stringMatching(/^botz: no component named "nobody-here"/), 'repl exit 3']);
  });
});

describe('a one-shot command whose output cannot be written', () => {
  it('send into a reader that leaves early (EPIPE) fails with exit 1 and one line on stderr', async () => {
    const run = shell(`node ${BIN} send echo --data @${big} --json | head -c 100 > /dev/null; echo "botz exit \${PIPESTATUS[0]}" >&2`, net.env);
    expect(await run.exited).toBe(0);
    expect(run.errLines).toHaveLength(2);
    expect(run.errLines[0]).toMatch(/^botz: cannot write to stdout: .*EPIPE/);
    expect(run.errLines[1]).toBe('botz exit 1');
  });

  it('send into a full device (ENOSPC) fails with exit 1 and one line on stderr', async () => {
    const run = shell(`node ${BIN} send echo a=1 > /dev/full; echo "botz exit $?" >&2`, net.env);
    expect(await run.exited).toBe(0);
    expect(run.errLines).toHaveLength(2);
    expect(run.errLines[0]).toMatch(/^botz: cannot write to stdout: .*ENOSPC/);
    expect(run.errLines[1]).toBe('botz exit 1');
  });

  it('components through oclif into a full device fails the same way', async () => {
    const run = shell(`node ${BIN} components > /dev/full; echo "botz exit $?" >&2`, net.env);
    expect(await run.exited).toBe(0);
    expect(run.errLines).toHaveLength(2);
    expect(run.errLines[0]).toMatch(/^botz: cannot write to stdout: .*ENOSPC/);
    expect(run.errLines[1]).toBe('botz exit 1');
  });
});

describe('a streaming command whose reader went away stops cleanly at its next write', () => {
  it('tail --json | head -1: exit 0, nothing on stderr but its "tailing" line', async () => {
    const run = shell(`node ${BIN} tail --json | head -1; echo "tail exit \${PIPESTATUS[0]}"`, net.env);
    await run.waitFor(/^tailing /, 'err');
    const client = await Client.connect({ server: net.address, secret, timeoutMs: 3000 });
    try {
      expect(await keepDoing(run, () => client.send('echo', { ping: 1 }))).toBe(0);
    } finally {
      await client.close();
    }
    expect(JSON.parse(run.lines[0])).toMatchObject({ kind: 'traffic' });
    expect(run.lines[1]).toBe('tail exit 0');
    expect(run.errLines).toEqual([expect.stringMatching(/^tailing all traffic on /)]);
  });

  it('components --watch | head -1: exit 0, nothing on stderr', async () => {
    const run = shell(`node ${BIN} components --watch | head -1; echo "components exit \${PIPESTATUS[0]}"`, net.env);
    await run.waitFor(/^NAME /);
    let n = 0;
    const churn = async () => {
      const c = await Component.start({ server: net.address, secret, name: `churn-${n++}` });
      await c.stop();
    };
    expect(await keepDoing(run, churn)).toBe(0);
    expect(run.lines).toEqual([expect.stringMatching(/^NAME /), 'components exit 0']);
    expect(run.errLines).toEqual([]);
  });

  it('register --echo whose stdout is closed stops (saying bye) when it next prints a message: exit 0, nothing on stderr', async () => {
    const reg = startBotz(['register', 'lost-reader', '--echo'], net.env);
    onTestFinished(() => void reg.stop('SIGKILL'));
    await reg.waitFor(/^registered lost-reader/);
    reg.child.stdout.destroy();
    const client = await Client.connect({ server: net.address, secret, timeoutMs: 3000 });
    try {
      expect(await keepDoing(reg, () => client.send('lost-reader', { ping: 1 }))).toBe(0);
    } finally {
      await client.close();
    }
    expect(reg.errLines).toEqual([]);
    await net.server.waitFor(/leave\s+lost-reader/);
  });

  it('serve whose stdout is closed stops when it next prints an event: exit 0, nothing on stderr after its start', async () => {
    const serveSecret = 'output-pipes-serve-secret-0123456789';
    const env = isolatedEnv({ BOTZ_SECRET: serveSecret, BOTZ_CONFIG_DIR: net.configDir });
    const serve = startBotz(['serve', '--port', '0'], env);
    onTestFinished(() => void serve.stop('SIGKILL'));
    const address = (await serve.waitFor(/^listening on /)).replace('listening on ', '').trim();
    await serve.waitFor(/^using the secret from /, 'err');
    serve.child.stdout.destroy();
    let n = 0;
    const join = async () => {
      const c = await Component.start({ server: address, secret: serveSecret, name: `joiner-${n++}`, connectTimeoutMs: 1000 });
      await c.stop();
    };
    expect(await keepDoing(serve, join)).toBe(0);
    expect(serve.errLines).toEqual([expect.stringMatching(/^using the secret from env BOTZ_SECRET/)]);
  });
});

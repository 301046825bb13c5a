/**
 * Streams between real processes: `botz connect NAME PROTOCOL` piped into
 * `botz register NAME --accept PROTOCOL --exec CMD`, over a direct link and through the relay;
 * refusals; and a crash of either end seen by the other as a typed failure.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runBotz, startBotz, startNetwork, type Network, type Result } from './harness.js';

let net: Network;
let dir: string;
let bigFile: string;
let bigSha: string;
/** 8 MB in CI (a few seconds each way); `npm run test:streams-100mb` runs the 100 MB. */
const BIG_BYTES = Number(process.env.BOTZ_STREAM_E2E_MB ?? 8) * 1024 * 1024;

beforeAll(async () => {
  net = await startNetwork();
  dir = await mkdtemp(join(tmpdir(), 'botz-e2e-streams-'));
  bigFile = join(dir, 'big');
  const data = randomBytes(BIG_BYTES);
  bigSha = createHash('sha256').update(data).digest('hex');
  await writeFile(bigFile, data);
});
afterAll(async () => {
  await net?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** `botz connect ...` with `file` on its stdin. */
function connectWith(file: string | undefined, args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'connect', ...args], { env: net.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {}); // it may exit before reading all of it (a refusal)
    if (file) createReadStream(file).pipe(child.stdin);
    else child.stdin.end();
  });
}

describe.each([
  ['direct', ['--port', '0']],
  ['relay', []],
])('botz connect piped, %s', (path, portArgs) => {
  it(`carries ${BIG_BYTES >> 20} MB to a CMD bridged by register --accept --exec, checksum verified`, async () => {
    const name = `e2e-sha-${path}`;
    const reg = await net.register(name, ...portArgs, '--accept', 'files', '--exec', 'sha256sum');
    const r = await connectWith(bigFile, [name, 'files']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split(' ')[0]).toBe(bigSha);
    await reg.waitFor(new RegExp(`stream .* files {2}closed \\(in ${BIG_BYTES} B, out 68 B\\)`));
  }, 60_000);
});

describe('botz connect', () => {
  it('refusals: exit 3 for a protocol nobody accepts, 5 when the acceptor declines', async () => {
    const reg = await net.register('e2e-busy', '--accept', 'slow', '--exec', 'sleep 30', '--exec-concurrency', '1');
    const r = await connectWith(undefined, ['e2e-busy', 'nothing']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/accepts no streams for protocol "nothing"/);
    // The first takes the only slot (its stdin stays open); the second is refused.
    const first = startBotz(['connect', 'e2e-busy', 'slow'], net.env);
    await reg.waitFor(/stream .* slow {2}opened/);
    const refused = await runBotz(['connect', 'e2e-busy', 'slow'], net.env);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/busy/);
    await first.stop('SIGKILL');
  });

  it('a killed acceptor fails the opener with UNREACHABLE (exit 3) within its liveness timeout', async () => {
    const reg = await net.register('e2e-crash', '--port', '0', '--accept', 'hold', '--exec', 'cat');
    const opener = startBotz(['connect', 'e2e-crash', 'hold', '--liveness', '1s'], net.env);
    // Through the stream and back (cat): the opener holds it open.
    opener.child.stdin.write('hello\n');
    await opener.waitFor(/^hello$/);
    await reg.stop('SIGKILL');
    expect(await opener.exited).toBe(3);
    expect(opener.errLines.join('\n')).toMatch(/no word from "e2e-crash"/);
  });

  it('an acceptor that restarted fails the opener with CLOSED (exit 1), saying it restarted', async () => {
    const first = await net.register('e2e-restart', '--accept', 'hold', '--exec', 'cat');
    const opener = startBotz(['connect', 'e2e-restart', 'hold', '--liveness', '5s'], net.env);
    opener.child.stdin.write('hello\n');
    await opener.waitFor(/^hello$/);
    await first.stop('SIGKILL');
    await net.register('e2e-restart', '--accept', 'hold', '--exec', 'cat');
    expect(await opener.exited).toBe(1);
    expect(opener.errLines.join('\n')).toMatch(/"e2e-restart" restarted/);
  });

  it('a killed opener fails the acceptor stream within its liveness timeout, and the CMD is killed', async () => {
    const reg = await net.register('e2e-crash2', '--accept', 'hold', '--exec', 'cat', '--stream-liveness', '1s');
    const opener = startBotz(['connect', 'e2e-crash2', 'hold'], net.env);
    await reg.waitFor(/stream .* hold {2}opened/);
    await opener.stop('SIGKILL');
    await reg.waitFor(/stream .* hold {2}failed UNREACHABLE/);
  });
});

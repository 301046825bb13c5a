/**
 * What a confirmation of `deliver` is worth when the receiver dies: the receiver runs in its own
 * process, records every message it finished handling (synchronously, in a file, after an await
 * now and then) and is slower than the network, so messages pile up in its inbox. It handles
 * them in an onMessage handler, or in a for-await loop over messages(). It is killed with
 * SIGKILL mid-stream and started again under the same name. Every delivery the sender saw
 * confirmed must be in the file; every other one must have been rejected with a typed error
 * (the held messages died with the process) or handled by the new receiver. None may be lost
 * in silence, none handled twice, and each receiver handles in order.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { isBotzError } from '../../../src/lib/errors.js';
import { Network, SECRET } from '../../helpers/network.js';

const N = 5_000;
/** Confirmations before the kill: mid-stream, with the inbox full of unhandled messages. */
const KILL_AFTER = 1_000;
const FIXTURE = 'test/fixtures/recording-receiver.mjs';

const net = new Network();
afterEach(() => net.stopAll());

type Mode = 'handler' | 'pull';

async function startReceiver(server: string, file: string, mode: Mode): Promise<ChildProcess> {
  const child = spawn(process.execPath, [FIXTURE, server, 'bob', file, mode], {
    env: { ...process.env, BOTZ_SECRET: SECRET },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  net.add(async () => void child.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the receiver exited (${code}) before it was ready`)));
    createInterface({ input: child.stdout! }).once('line', (line) => (line.startsWith('ready ') ? resolve() : reject(new Error(line))));
  });
  return child;
}

/** The handled file: body → how many times and by which receiver process, and each process's bodies in order. */
function handledOf(file: string): { handled: Map<number, { times: number; pid: string }>; byPid: Map<string, number[]> } {
  const handled = new Map<number, { times: number; pid: string }>();
  const byPid = new Map<string, number[]>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    const [pid, , body] = line.split(' ');
    const n = JSON.parse(body) as number;
    handled.set(n, { times: (handled.get(n)?.times ?? 0) + 1, pid });
    if (!byPid.has(pid)) byPid.set(pid, []);
    byPid.get(pid)!.push(n);
  }
  return { handled, byPid };
}

describe('a receiver killed with SIGKILL mid-stream', () => {
  it.each<Mode>(['handler', 'pull'])('(%s) handled every delivery its sender saw confirmed; every other one is rejected with a typed error or handled after the restart', { timeout: 60_000 }, async (mode) => {
    expect(existsSync(new URL('../../../dist/index.js', import.meta.url)), 'run `npm run build` first').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'botz-crash-'));
    net.add(async () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'handled.txt');
    await net.serve();
    const first = await startReceiver(net.server.address, file, mode);
    // Short retransmission bounds: the restarted receiver is found within a second.
    const alice = await net.component({ name: 'alice', reliable: { maxWaitingSends: N, rto: { maxRtoMs: 300 } } });
    const restarted = new Promise<{ failed: number }>((r) => alice.once('peerRestarted', r));

    const outcomes: string[] = new Array<string>(N);
    let confirmed = 0;
    let killed = false;
    let second: Promise<ChildProcess> | undefined;
    const deliveries = Array.from({ length: N }, (_, i) =>
      alice.deliver('bob', i, { timeout: 30_000 }).then(
        () => {
          outcomes[i] = 'confirmed';
          if (++confirmed === KILL_AFTER) {
            killed = first.kill('SIGKILL');
            second = new Promise<void>((r) => first.once('exit', () => r())).then(() => startReceiver(net.server.address, file, mode));
          }
        },
        (error: unknown) => {
          outcomes[i] = isBotzError(error) ? `${error.code}${error.details?.reason ? `:${String(error.details.reason)}` : ''}` : String(error);
        },
      ),
    );
    await Promise.all(deliveries);
    expect(killed).toBe(true);
    await second;
    const { failed } = await restarted;

    const { handled, byPid } = handledOf(file);
    const confirmedButNotHandled = outcomes.flatMap((o, i) => (o === 'confirmed' && !handled.has(i) ? [i] : []));
    const handledTwice = [...handled].flatMap(([n, h]) => (h.times > 1 ? [n] : []));
    const rejected = outcomes.filter((o) => o !== 'confirmed');
    console.log(`crash (${mode}): ${N} deliveries, ${N - rejected.length} confirmed, ${rejected.length} rejected (${failed} reported by peerRestarted), ${handled.size} handled, ${confirmedButNotHandled.length} confirmed but never handled`);
    expect(byPid.size).toBe(2);
    for (const bodies of byPid.values()) expect(bodies).toEqual([...bodies].sort((a, b) => a - b));
    expect({ count: confirmedButNotHandled.length, first: confirmedButNotHandled.slice(0, 5) }).toEqual({ count: 0, first: [] });
    expect({ count: handledTwice.length, first: handledTwice.slice(0, 5) }).toEqual({ count: 0, first: [] });
    // What the first receiver held unhandled died with it: reported, not counted as delivered.
    expect(rejected.length).toBeGreaterThan(0);
    expect(new Set(rejected)).toEqual(new Set(['CLOSED:peerRestarted']));
    expect(failed).toBe(rejected.length);
    // Everything not rejected reached an application.
    expect(N - rejected.length).toBe(outcomes.filter((o, i) => o === 'confirmed' && handled.has(i)).length);
  });
});

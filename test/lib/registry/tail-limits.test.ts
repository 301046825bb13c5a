/**
 * Tails amplify: every traffic event is sent once per tail. The server therefore holds a bounded
 * number of tails (one per link, DEFAULT_MAX_TAILS per server) and a bounded backlog per tail: a
 * tail that does not read loses events (counted, and told how many once it reads again) instead
 * of making the server queue them without end.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { Client, MemoryNetwork, Server, type TailEvent } from '../../../src/index.js';
import type { Channel } from '../../../src/lib/channel/channel.js';
import { DEFAULT_MAX_TAILS, DEFAULT_MAX_TAIL_BUFFERED_BYTES } from '../../../src/lib/registry/traffic-hub.js';
import type { Frame, TrafficEvent } from '../../../src/lib/wire/frames.js';
import { Network, SECRET } from '../../helpers/network.js';
import { rawChannel } from '../../helpers/raw-peer.js';
import { until } from '../../helpers/wait.js';

const net = new Network();
afterEach(() => net.stopAll());

type Raw = Awaited<ReturnType<typeof rawChannel>>;

async function raw(address: string, name: string): Promise<Raw> {
  const r = await rawChannel(address, name, SECRET, { role: 'client' });
  net.add(async () => r.channel.close());
  return r;
}

/** Subscribes `r` to traffic: 'ack', or the code of the error it got. */
function subscribe(r: Raw, bodies = false): Promise<string> {
  return r.channel.request({ type: 'subscribe', topics: ['members', 'traffic'], ...(bodies ? { bodies } : {}) }, { timeoutMs: 3000 }).then(
    (f) => f.type,
    (e: { code?: string }) => e.code ?? String(e),
  );
}

/** The server's end of the link named `name`. */
function serverSide(server: Server, name: string): Channel {
  return (server as unknown as { channels: Map<string, Channel> }).channels.get(name)!;
}

function event(id: string, body: string): TrafficEvent {
  return { at: Date.now(), from: 'a', to: 'b', kind: 'request', id, size: body.length, path: 'direct', body };
}

describe('tail limits', () => {
  it('refuses traffic subscriptions past the cap with LIMIT_REACHED; one slot per link; a closed tail frees its slot', async () => {
    const server = await net.serve();
    const tails = await Promise.all(Array.from({ length: DEFAULT_MAX_TAILS + 8 }, (_, i) => raw(server.address, `tail-${i}`)));
    const answers: string[] = [];
    for (const t of tails) answers.push(await subscribe(t));
    expect(answers.filter((a) => a === 'ack')).toHaveLength(DEFAULT_MAX_TAILS);
    expect(answers.slice(DEFAULT_MAX_TAILS)).toEqual(Array(8).fill('LIMIT_REACHED'));
    expect(server.stats.tails).toBe(DEFAULT_MAX_TAILS);

    // A tail that subscribes again (a new filter) keeps its slot, it takes no second one.
    expect(await subscribe(tails[0], true)).toBe('ack');
    expect(server.stats.tails).toBe(DEFAULT_MAX_TAILS);

    tails[1].channel.close();
    await until('the server freed the closed tail', () => server.stats.tails === DEFAULT_MAX_TAILS - 1);
    expect(await subscribe(tails[DEFAULT_MAX_TAILS])).toBe('ack');
  });

  it('a tail that does not read loses events (counted) instead of queueing them; it is told how many; others see everything', async () => {
    const server = await net.serve();
    const slow = await raw(server.address, 'slow-tail');
    expect(await subscribe(slow, true)).toBe('ack');
    (slow.channel.link as unknown as { ws: WebSocket }).ws.pause();

    const seen: TrafficEvent[] = [];
    let dropNotices = 0;
    const client = await net.client();
    await client.tail({}, (e: TailEvent) => {
      if (e.kind === 'traffic') seen.push(e.event);
      if (e.kind === 'dropped') dropNotices++;
    });

    const reporter = await raw(server.address, 'reporter');
    const body = 'b'.repeat(16 * 1024);
    let sent = 0;
    // A packet of 32 at a time, each once the reading tail saw the last: it keeps up by
    // construction (however loaded the machine), so only the paused one falls behind.
    const report = async (n: number) => {
      for (let i = 0; i < n; i += 32) {
        const frames = Array.from({ length: 32 }, () => ({ v: 1, type: 'trace', id: `t${sent}`, from: 'reporter', event: event(`e${sent++}`, body) }));
        reporter.channel.link.send(reporter.channel.sealer.sealFrames(frames, '$server'));
        await until(`the normal tail saw ${sent} events`, () => seen.length === sent, 15_000);
      }
    };

    // 48 MB of events with their bodies: far more than the socket buffers take.
    await report(3_008);
    const queued = serverSide(server, 'slow-tail').link.bufferedAmount;
    expect(queued).toBeLessThan(DEFAULT_MAX_TAIL_BUFFERED_BYTES + 2 * 1024 * 1024);
    const dropped = server.stats.traceEventsDropped;
    expect(dropped).toBeGreaterThan(0);

    // Steady traffic: nothing more is queued for it, every event is counted as dropped.
    await report(320);
    expect(serverSide(server, 'slow-tail').link.bufferedAmount).toBeLessThanOrEqual(queued);
    expect(server.stats.traceEventsDropped).toBe(dropped + 320);
    expect(dropNotices).toBe(0); // the tail that reads missed nothing

    // Once it reads again, it learns how many it missed, before the next event.
    (slow.channel.link as unknown as { ws: WebSocket }).ws.resume();
    await until('the slow tail drained', () => serverSide(server, 'slow-tail').link.bufferedAmount === 0);
    await report(32);
    await slow.waitFor((frames) => frames.some((f) => isTrace(f) && f.event.kind !== 'dropped' && f.event.kind !== 'link' && f.event.id === `e${sent - 1}`));
    const traces = slow.frames.filter(isTrace).map((f) => f.event);
    const notice = traces.find((e) => e.kind === 'dropped');
    expect(notice).toMatchObject({ kind: 'dropped', dropped: dropped + 320 });
    expect(traces.indexOf(notice!)).toBe(traces.length - 33);
  });
});

describe('a tail refused after a reconnect', () => {
  it('ends with tailRefused (LIMIT_REACHED) while the client reconnects and keeps working', async () => {
    const memory = new MemoryNetwork();
    const server = await Server.start({ secret: SECRET, transport: memory.transport('server'), maxTails: 1 });
    net.add(() => server.stop());
    const connect = async (host: string) => {
      const c = await Client.connect({ server: server.address, secret: SECRET, transport: memory.transport(host), timeoutMs: 3000 });
      net.add(() => c.close());
      return c;
    };
    const alice = await connect('alice');
    await alice.tail({}, () => {});
    const bob = await connect('bob');
    await expect(bob.tail({}, () => {})).rejects.toMatchObject({ code: 'LIMIT_REACHED' });

    const refused = new Promise<{ code?: string }>((resolve) => alice.once('tailRefused', resolve));
    const reconnected = new Promise<void>((resolve) => alice.once('reconnected', resolve));
    memory.partition(['alice'], ['server']);
    await until('the server freed alice\'s tail', () => server.stats.tails === 0);
    await bob.tail({}, () => {}); // bob takes the only slot while alice is away
    memory.heal();
    expect(await refused).toMatchObject({ code: 'LIMIT_REACHED' });
    await reconnected;
    expect((await alice.components()).map((c) => c.name)).toEqual([]);
    expect(server.stats.tails).toBe(1);
  });
});

function isTrace(f: Frame): f is Extract<Frame, { type: 'trace' }> {
  return f.type === 'trace';
}

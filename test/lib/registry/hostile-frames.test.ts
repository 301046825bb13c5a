/**
 * Frames from a peer that holds the secret but whose answer cannot be sent: a `from` no packet
 * header can address, an event that outgrows the packet limit when it is passed on to a tail,
 * a frame whose reply is larger than the limit. Each is refused (and counted) or skipped; the
 * server never lets the throw escape, and keeps serving everyone else.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerEvent, TailEvent } from '../../../src/index.js';
import { packetBytes } from '../../../src/lib/wire/packet.js';
import type { TrafficEvent } from '../../../src/lib/wire/frames.js';
import { Network, SECRET } from '../../helpers/network.js';
import { rawChannel } from '../../helpers/raw-peer.js';

const net = new Network();
afterEach(() => net.stopAll());

type Raw = Awaited<ReturnType<typeof rawChannel>>;

async function rogue(address: string, name: string): Promise<Raw> {
  const raw = await rawChannel(address, name, SECRET, { role: 'client' });
  net.add(async () => raw.channel.close());
  return raw;
}

/** Seals `frame` for the server, bypassing the channel's own checks, and sends it. */
function sendRaw(raw: Raw, frame: object): number {
  const bytes = raw.channel.sealer.sealFrames([frame], '$server');
  raw.channel.link.send(bytes);
  return bytes.length;
}

/**
 * Grows `frame(pad)` with padding until its sealed packet is exactly `limit` bytes: the
 * largest packet the server accepts.
 */
function padToLimit(raw: Raw, limit: number, frame: (pad: string) => object): object {
  const { sealer } = raw.channel;
  const size = (f: object) => {
    const encoded = sealer.encode(f);
    return packetBytes(sealer.codec, Buffer.byteLength('$server'), [encoded], encoded.bytes);
  };
  let pad = 0;
  for (let i = 0; i < 4 && size(frame('p'.repeat(pad))) !== limit; i++) pad += limit - size(frame('p'.repeat(pad)));
  const padded = frame('p'.repeat(pad));
  expect(size(padded)).toBe(limit);
  return padded;
}

/** A promise of the first traffic event with `id` the tail sees, and the ids it has seen. */
function tailRecorder() {
  const seen: TrafficEvent[] = [];
  const waiters = new Map<string, (e: TrafficEvent) => void>();
  const listener = (e: TailEvent) => {
    if (e.kind !== 'traffic') return;
    seen.push(e.event);
    waiters.get(e.event.id)?.(e.event);
  };
  const next = (id: string) => new Promise<TrafficEvent>((resolve) => waiters.set(id, resolve));
  return { seen, listener, next };
}

describe('a packet for nobody the server can reach, whose frames are bad', () => {
  it('is counted as rejected with why (it cannot be forwarded, and its frames cannot be answered)', async () => {
    const server = await net.serve();
    const raw = await rogue(server.address, 'rogue');
    raw.channel.link.send(raw.channel.sealer.sealFrames([{ v: 1, type: 'no-such-type', id: 'x1', from: 'rogue' }], 'ghost'));
    raw.channel.link.send(raw.channel.sealer.sealFrames([{ v: 1, type: 'request', id: 'x2', from: 'rogue' }], 'ghost')); // no body
    const answer = await raw.channel.request({ type: 'list' }, { timeoutMs: 3000 });
    expect(answer.type).toBe('components');
    expect(server.stats.rejected).toEqual({ UNKNOWN_TYPE: 1, MALFORMED_FRAME: 1 });
  });
});

describe('a peer holding the key sends frames whose answers cannot be sent', () => {
  it('a frame whose `from` is longer than a packet destination (300 bytes) is rejected as MALFORMED_FRAME, never answered; the server keeps serving', async () => {
    const events: ServerEvent[] = [];
    const server = await net.serve({ onEvent: (e) => events.push(e) });
    await net.echo('echo');
    const raw = await rogue(server.address, 'rogue');

    sendRaw(raw, { v: 1, type: 'lookup', id: 'long-from', from: 'x'.repeat(300), name: 'echo' });
    sendRaw(raw, { v: 1, type: 'list', id: 'long-from-list', from: 'é'.repeat(128) }); // 128 characters, 256 bytes
    // The same link, in order: once this is answered, the server has judged both frames above.
    const answer = await raw.channel.request({ type: 'list' }, { timeoutMs: 3000 });
    expect(answer.type).toBe('components');

    expect(server.stats.rejected).toEqual({ MALFORMED_FRAME: 2 });
    expect(events.filter((e) => e.type === 'rejected')).toMatchObject([
      { code: 'MALFORMED_FRAME', peer: 'rogue' },
      { code: 'MALFORMED_FRAME', peer: 'rogue' },
    ]);
    expect(raw.frames.filter((f) => 're' in f && (f.re === 'long-from' || f.re === 'long-from-list'))).toEqual([]);

    const client = await net.client();
    expect((await client.components()).map((c) => c.name)).toEqual(['echo']);
    expect(await client.send('echo', 'still here')).toBe('still here');
  });

  it('a trace event at the size limit is skipped for a tail whose name makes it too large, still reaches the other tails, and the server keeps serving', async () => {
    const limit = 16 * 1024;
    const server = await net.serve({ maxPacketBytes: limit });
    await net.echo('echo');

    // Subscribed first, so it is the first tail the event is handed to.
    const wide = tailRecorder();
    const wideClient = await net.client({ name: `tail-${'w'.repeat(59)}` }); // the longest valid name: 64
    await wideClient.tail({ bodies: true }, wide.listener);
    // Without bodies: the server strips the padding, and the event fits.
    const narrow = tailRecorder();
    const narrowClient = await net.client({ name: 'n' });
    await narrowClient.tail({}, narrow.listener);

    const sender = await rogue(server.address, 's');
    const event = (id: string, body: string): TrafficEvent => ({
      at: Date.now(),
      from: 's',
      to: 'echo',
      kind: 'request',
      id,
      size: body.length,
      path: 'relay',
      body,
    });
    const big = padToLimit(sender, limit, (pad) => ({ v: 1, type: 'trace', id: 't', from: 's', event: event('big-trace', pad) }));
    const narrowGotBig = narrow.next('big-trace');
    expect(sendRaw(sender, big)).toBe(limit);
    // The sender's link goes on as if nothing happened.
    expect((await sender.channel.request({ type: 'list' }, { timeoutMs: 3000 })).type).toBe('components');
    expect((await narrowGotBig).body).toBeUndefined();

    // The wide tail was skipped for that one event only: the next one reaches it, in order.
    const wideGotSmall = wide.next('small-trace');
    sendRaw(sender, { v: 1, type: 'trace', id: 't2', from: 's', event: event('small-trace', 'tiny') });
    expect((await wideGotSmall).body).toBe('tiny');
    expect(wide.seen.map((e) => e.id)).toEqual(['small-trace']);
    // Nothing the sender did was wrong: a tail missing an event is not a rejected frame.
    expect(server.stats.rejected).toEqual({});

    const client = await net.client();
    expect((await client.components()).map((c) => c.name)).toEqual(['echo']);
    expect(await client.send('echo', 'still here')).toBe('still here');
  });

  it('a frame whose reply would exceed the packet limit (a huge id) is counted as FRAME_TOO_LARGE; the link and the server keep serving', async () => {
    const limit = 16 * 1024;
    const events: ServerEvent[] = [];
    const server = await net.serve({ maxPacketBytes: limit, onEvent: (e) => events.push(e) });
    await net.echo('echo');
    const raw = await rogue(server.address, 'rogue');

    // The error reply repeats the id as `re` and adds a message: larger than what came in.
    const huge = padToLimit(raw, limit, (pad) => ({ v: 1, type: 'lookup', id: `id-${pad}`, from: 'rogue', name: 'nobody' }));
    expect(sendRaw(raw, huge)).toBe(limit);
    expect((await raw.channel.request({ type: 'list' }, { timeoutMs: 3000 })).type).toBe('components');

    expect(server.stats.rejected).toEqual({ FRAME_TOO_LARGE: 1 });
    expect(events.filter((e) => e.type === 'rejected')).toMatchObject([{ code: 'FRAME_TOO_LARGE', peer: 'rogue' }]);

    const client = await net.client();
    expect((await client.components()).map((c) => c.name)).toEqual(['echo']);
    expect(await client.send('echo', 'still here')).toBe('still here');
  });

  it('a component whose entry is too large to pass on is skipped for member watchers, and the heartbeat sweep goes on', async () => {
    const limit = 16 * 1024;
    const events: ServerEvent[] = [];
    const suspects: string[] = [];
    const suspected = new Map<string, () => void>();
    const server = await net.serve({
      maxPacketBytes: limit,
      heartbeatIntervalMs: 50,
      onEvent: (e) => {
        events.push(e);
        if (e.type !== 'suspect') return;
        suspects.push(e.component.name);
        suspected.get(e.component.name)?.();
      },
    });
    const watcher = await net.client();
    const seen: string[] = [];
    const joined = new Map<string, () => void>();
    await watcher.watch((e) => {
      seen.push(`${e.type} ${e.component.name}`);
      if (e.type === 'join') joined.get(e.component.name)?.();
    });

    // Registers, and its entry (the meta, plus what the registry adds) is larger than any packet.
    const fat = await rawChannel(server.address, 'fat', SECRET, { role: 'component' });
    net.add(async () => fat.channel.close());
    const register = padToLimit(fat, limit, (pad) => ({
      v: 1,
      type: 'register',
      id: 'reg',
      from: 'fat',
      address: null,
      port: null,
      groups: [],
      meta: { pad },
    }));
    const fatSuspect = new Promise<void>((resolve) => suspected.set('fat', resolve));
    expect(sendRaw(fat, register)).toBe(limit);
    // It never answers heartbeats: the sweep marks it suspect, and tells the watchers (or tries to).
    await fatSuspect;
    expect(events.filter((e) => e.type === 'join' || e.type === 'suspect').map((e) => e.type)).toEqual(['join', 'suspect']);
    // Its `registered` reply could not be sent either: that frame is the one counted.
    expect(server.stats.rejected).toEqual({ FRAME_TOO_LARGE: 1 });

    // The watcher missed only the events it could not be sent.
    const echoJoined = new Promise<void>((resolve) => joined.set('echo', resolve));
    await net.echo('echo');
    await echoJoined;
    expect(seen.filter((s) => s.endsWith(' fat'))).toEqual([]);
    expect(await watcher.send('echo', 'still here')).toBe('still here');
  });
});

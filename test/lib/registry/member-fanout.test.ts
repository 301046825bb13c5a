// Membership events fan out encoded once, coalesced per event-loop iteration (member-fanout.ts).
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../../src/lib/channel/channel.js';
import { NodeContext } from '../../../src/lib/channel/node-context.js';
import { MemberFanout } from '../../../src/lib/registry/member-fanout.js';
import type { MembershipEvent } from '../../../src/lib/registry/registry.js';
import { CODECS, type EncodedFrame } from '../../../src/lib/wire/codec.js';
import type { Frame } from '../../../src/lib/wire/frames.js';
import { SECRET } from '../../helpers/network.js';

interface FakeWatcher {
  codec: (typeof CODECS)[keyof typeof CODECS];
  link: { closed: boolean };
  sent: [Frame, EncodedFrame][];
  sendEncoded(frame: Frame, encoded: EncodedFrame): void;
}

function watcher(codec: 'json' | 'msgpack' = 'json'): FakeWatcher {
  const w: FakeWatcher = { codec: CODECS[codec], link: { closed: false }, sent: [], sendEncoded: (f, e) => w.sent.push([f, e]) };
  return w;
}

const event = (type: MembershipEvent['type'], name: string): MembershipEvent =>
  ({ type, at: 0, component: { name, address: null, groups: [], meta: {}, state: 'ready', registeredAt: 0, lastSeen: 0 } }) as unknown as MembershipEvent;

const nextIteration = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('membership fan-out', () => {
  it('sends the events of one iteration together, in order, each encoded once per codec for every watcher', async () => {
    const fanout = new MemberFanout(new NodeContext({ name: '$server', secret: SECRET }));
    const [a, b, c] = [watcher(), watcher(), watcher('msgpack')];
    for (const w of [a, b, c]) fanout.watchers.add(w as unknown as Channel);
    fanout.publish([event('join', 'x')]);
    fanout.publish([event('ready', 'x'), event('join', 'y')]);
    expect(a.sent).toEqual([]); // not before the end of this iteration
    await nextIteration();
    for (const w of [a, b, c]) {
      expect(w.sent.map(([f]) => [f.type, (f as { event?: string }).event, (f as { component?: { name: string } }).component?.name])).toEqual([
        ['member', 'join', 'x'],
        ['member', 'ready', 'x'],
        ['member', 'join', 'y'],
      ]);
    }
    // The same encoding object for every watcher on a codec: encoded once, not once per watcher.
    for (let i = 0; i < 3; i++) {
      expect(b.sent[i][1]).toBe(a.sent[i][1]);
      expect(b.sent[i][0]).toBe(a.sent[i][0]);
      expect(c.sent[i][1]).not.toBe(a.sent[i][1]);
      expect(c.sent[i][1].codec).toBe(CODECS.msgpack.id);
    }
  });

  it('skips a closed link and one that stopped watching before the flush; stop drops what is queued', async () => {
    const fanout = new MemberFanout(new NodeContext({ name: '$server', secret: SECRET }));
    const [open, closed, left] = [watcher(), watcher(), watcher()];
    for (const w of [open, closed, left]) fanout.watchers.add(w as unknown as Channel);
    fanout.publish([event('join', 'x')]);
    closed.link.closed = true;
    fanout.watchers.delete(left as unknown as Channel);
    await nextIteration();
    expect(open.sent).toHaveLength(1);
    expect(closed.sent).toEqual([]);
    expect(left.sent).toEqual([]);
    fanout.publish([event('leave', 'x')]);
    fanout.stop();
    await nextIteration();
    expect(open.sent).toHaveLength(1);
  });
});

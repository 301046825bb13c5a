/**
 * What a server does for its shared store (issue 16): the SharedRegistry's view of the server,
 * kept here so that server.ts stays the one-server story.
 */
import { randomBytes } from 'node:crypto';
import type { BotzError } from '../errors.js';
import type { Channel } from '../channel/channel.js';
import type { Clock } from '../clock.js';
import { CloseCode } from '../transport/transport.js';
import { ENCRYPTED_FLAG } from '../wire/packet.js';
import { ErrorCode } from '../errors.js';
import type { Frame } from '../wire/frames.js';
import type { MembershipEvent, Registry } from './registry.js';
import type { TrafficHub } from './traffic-hub.js';
import { SharedRegistry } from './shared-registry.js';
import type { RegistryStore } from './store/store.js';

export type { RegistryStore, SharedRegistry };

/** The shared store went down (the server serves what it holds itself) or came back. */
export interface StoreStateEvent {
  type: 'store';
  state: 'down' | 'up';
  /** Where the store is (`redis://…`). */
  store: string;
  at: number;
  message?: string;
}

export interface ServerParts {
  address: string;
  clock: Clock;
  /** The server's live links by peer name. */
  channels: Map<string, Channel>;
  registry: Registry;
  traffic: TrafficHub;
  toWatchers(event: MembershipEvent): void;
  onEvent(event: StoreStateEvent): void;
  /** Counts a packet relayed. */
  relayed(): void;
}

export function sharedRegistryFor(store: RegistryStore, leaseMs: number, parts: ServerParts): SharedRegistry {
  const { channels, registry, clock, traffic } = parts;
  return new SharedRegistry(
    store,
    {
      // Fresh per process: a restarted server is a new server, its old lease simply runs out.
      id: randomBytes(9).toString('base64url'),
      address: parts.address,
      clock,
      toWatchers: parts.toWatchers,
      deliver: (to, bytes) => {
        const target = channels.get(to);
        if (!target || !target.established || target.link.closed) return false;
        // A node that asked for encryption is not handed plaintext, as on a local relay.
        if ((bytes[1] & ENCRYPTED_FLAG) === 0 && target.sealer.encrypt) return false;
        parts.relayed();
        target.forward(bytes);
        return true;
      },
      takenOver: (name) => {
        const ch = channels.get(name);
        if (ch && !ch.link.closed) {
          ch.tag = 'replaced';
          ch.close(CloseCode.REPLACED, 'replaced by a newer link of the same component, on another server');
        }
        channels.delete(name);
        registry.remove(name, clock.now());
      },
      localEntries: () => registry.list().map((info) => ({ info, session: registry.sessionOf(info.name)! })),
      traceDemand: (on, bodies) => traffic.setExternalDemand(on, bodies),
      traced: (event) => traffic.publish(event),
      onStore: (state: 'down' | 'up', error?: BotzError) =>
        parts.onEvent({ type: 'store', state, store: store.description, at: clock.now(), ...(error ? { message: error.message } : {}) }),
    },
    leaseMs,
  );
}

/** Another server's live component holds the name: the newcomer is told so (its register fails) and let go. */
export function refuseTaken(ch: Channel, frame: Frame, channels: Map<string, Channel>, forget: () => void): void {
  channels.delete(ch.peer);
  forget();
  ch.answer(frame, { type: 'error', re: frame.id, code: ErrorCode.NAME_TAKEN, message: `the name "${ch.peer}" is taken by a component on another server` });
  ch.tag = 'replaced';
  ch.close(CloseCode.NORMAL, 'name taken');
}

/**
 * How optional layers (reliable delivery, the mesh) plug into a Client without the Client
 * knowing them: they claim frame types, send frames along whatever route currently reaches a
 * peer, and hear when a path to a peer changed (so they can resume).
 */
import type { Channel } from '../channel/channel.js';
import type { Frame, FrameInit } from '../wire/frames.js';

/** What a Client offers an extension. */
export interface ExtensionHost {
  readonly name: string;
  /** The largest packet this node sends: a frame that cannot fit must be refused up front. */
  readonly maxPacketBytes: number;
  /**
   * Sends a frame that expects no answer to `peer`, over a direct link if one can be had,
   * else through the server's relay. Rejects (NO_SUCH_COMPONENT, TIMEOUT, ...) if neither works.
   */
  post(peer: string, init: FrameInit, timeoutMs: number): Promise<'direct' | 'relay' | 'mesh'>;
}

export interface ClientExtension {
  /** Frame types this extension handles; they never reach the Client's own dispatch. */
  readonly frameTypes: readonly string[];
  /** `channel` is the link it came on, or undefined when it came across the mesh. */
  onFrame(frame: Frame, channel: Channel | undefined): void;
  /**
   * A path of ours to `peer` (a link we dialed, or the mesh link) closed: resend what may have
   * been lost. A link `peer` dialed to us is not reported: we never send on it.
   */
  onPathDown?(peer: string): void;
  /** The link to the server came back (after a server restart or a network blip). */
  onServerUp?(): void;
  close?(): Promise<void> | void;
}

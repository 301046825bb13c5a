/**
 * A channel's outgoing side: frames queued in one event-loop turn travel as one packet per
 * destination, with one MAC (this is what makes 64-in-flight traffic cheap). A frame that can
 * never travel is refused to the caller at once; sealing it later, in the flush, would throw
 * where nobody catches.
 */
import { BotzError, ErrorCode } from '../errors.js';
import type { EncodedFrame } from '../wire/codec.js';
import type { Frame } from '../wire/frames.js';
import { MAX_DESTINATION_BYTES } from '../wire/names.js';
import { FIXED_HEADER_BYTES, MAC_BYTES, type PacketSealer } from '../wire/packet.js';
import type { Link } from '../transport/transport.js';

/**
 * Frames are batched into one packet only up to this many bytes; a larger frame travels alone.
 * A receiver decodes a packet's payload as one string, and V8 allocates a string of 128 KiB or
 * more in its large-object space at about 15 times the cost per byte (measured: 64 KiB 15 µs,
 * 128 KiB 250 µs), so four 64 KiB answers batched into one packet cost more to read than four
 * packets. Small frames, where batching pays, are far below it.
 */
export const BATCH_BYTES = 64 * 1024;

interface Batch {
  frames: EncodedFrame[];
  bytes: number;
  /** The codec of its frames (a frame with bytes is MessagePack on any link). */
  codec: number;
  /** Some frame of it must travel encrypted (an answer to an encrypted frame), whatever the link does. */
  encrypt: boolean;
}

export class Outbox {
  private batches = new Map<string, Batch>();
  private flushScheduled = false;

  constructor(
    private readonly sealer: PacketSealer,
    private readonly link: Link,
    private readonly maxPacketBytes: number,
    /** Called after every write, with the packet: the channel checks whether its peer keeps up (and a credential link keeps its first packet). */
    private readonly wrote: (packet: Buffer) => void = () => {},
  ) {}

  /**
   * Queues `frame` for `to`, sent at the end of this turn; with `encrypt`, its packet is
   * encrypted even if the link is not. Throws INVALID_ARGUMENT or FRAME_TOO_LARGE.
   */
  enqueue(frame: Frame, to: string, encrypt = false): void {
    this.enqueueEncoded(frame.type, this.sealer.encode(frame), to, encrypt);
  }

  /**
   * Queues a frame encoded already (one frame fanned out to many links is encoded once, for
   * all of them); `type` names it in errors. Throws INVALID_ARGUMENT or FRAME_TOO_LARGE.
   */
  enqueueEncoded(type: Frame['type'], encoded: EncodedFrame, to: string, encrypt = false): void {
    const toBytes = Buffer.byteLength(to);
    if (toBytes > MAX_DESTINATION_BYTES) {
      throw new BotzError(ErrorCode.INVALID_ARGUMENT, `cannot address "${to.slice(0, 40)}...": a name is at most ${MAX_DESTINATION_BYTES} bytes`, {
        details: { bytes: toBytes, limit: MAX_DESTINATION_BYTES },
      });
    }
    const overhead = FIXED_HEADER_BYTES + toBytes + MAC_BYTES + 8;
    if (encoded.bytes + overhead > this.maxPacketBytes) {
      throw new BotzError(ErrorCode.FRAME_TOO_LARGE, `a ${type} of ${encoded.bytes} bytes exceeds the packet limit of ${this.maxPacketBytes} bytes`, {
        details: { bytes: encoded.bytes, limit: this.maxPacketBytes },
      });
    }
    let batch = this.batches.get(to);
    // Its bytes are still the caller's (codec.ts, EncodedFrame.sealNow): into a packet now, after what was queued before it.
    if (encoded.sealNow) {
      if (batch) this.sealAndSend(to, batch);
      this.sealAndSend(to, { frames: [encoded], bytes: encoded.bytes, encrypt, codec: encoded.codec });
      return;
    }
    if (batch && (batch.bytes + encoded.bytes + overhead + batch.frames.length > this.maxPacketBytes || batch.bytes + encoded.bytes > BATCH_BYTES || batch.codec !== encoded.codec)) {
      this.sealAndSend(to, batch);
      batch = undefined;
    }
    if (!batch) {
      batch = { frames: [], bytes: 0, encrypt: false, codec: encoded.codec };
      this.batches.set(to, batch);
    }
    if (encrypt) batch.encrypt = true;
    batch.frames.push(encoded);
    batch.bytes += encoded.bytes;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(() => this.flush());
    }
  }

  /** Seals everything queued, one packet per destination. */
  flush(): void {
    this.flushScheduled = false;
    if (this.batches.size === 0) return;
    const batches = this.batches;
    this.batches = new Map();
    for (const [to, batch] of batches) this.sealAndSend(to, batch);
  }

  private sealAndSend(to: string, batch: Batch): void {
    this.batches.delete(to);
    const packet = this.sealer.seal(batch.frames, to, batch.encrypt || this.sealer.encrypt);
    this.link.send(packet);
    this.wrote(packet);
  }
}

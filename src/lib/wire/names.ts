/**
 * How long a node name may be on the wire. A packet header gives its destination one length
 * byte, and replies go to a frame's `from`, so every name a node may be addressed by fits it.
 * (Its own module: frames.ts, packet.ts, the mesh frames and discovery all check names, and
 * frames.ts imports the mesh frames, so none of them can hold it for the others.)
 */
export const MAX_DESTINATION_BYTES = 255;

/** True when `name` fits a packet destination: at most MAX_DESTINATION_BYTES bytes of UTF-8. */
export function fitsDestination(name: string): boolean {
  // A UTF-16 unit is at most 3 bytes of UTF-8: only long names need counting.
  return name.length * 3 <= MAX_DESTINATION_BYTES || Buffer.byteLength(name) <= MAX_DESTINATION_BYTES;
}

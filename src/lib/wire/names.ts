/**
 * The rules for names on the wire, in one place: how long a name may be, and which names a
 * traffic subscription's name list selects.
 *
 * Length: a packet header gives its destination one length byte, and replies go to a frame's
 * `from`, so every name a node may be addressed by fits it. (Its own module: the frame checks,
 * packets, the outbox and mesh discovery all check names.)
 *
 * Selection: a tail that names components follows a message from or to any of them, and every
 * message when it names none: one rule for the server's traffic hub, a node's own tails and
 * `botz tail --via` (whose mesh messages have one origin and any number of recipients).
 */
export const MAX_DESTINATION_BYTES = 255;

/** True when `name` fits a packet destination: at most MAX_DESTINATION_BYTES bytes of UTF-8. */
export function fitsDestination(name: string): boolean {
  // A UTF-16 unit is at most 3 bytes of UTF-8: only long names need counting.
  return name.length * 3 <= MAX_DESTINATION_BYTES || Buffer.byteLength(name) <= MAX_DESTINATION_BYTES;
}

/** True when `names` is empty (follow everything) or holds one of `parties`. */
export function followsNames(names: ReadonlySet<string>, parties: Iterable<string>): boolean {
  if (names.size === 0) return true;
  for (const party of parties) if (names.has(party)) return true;
  return false;
}

/**
 * Which traffic a tail that names components follows: a message from or to any of them, and
 * every message when it names none. One rule for the server's traffic hub, a node's own tails
 * and `botz tail --via` (whose mesh messages have one origin and any number of recipients).
 */

/** True when `names` is empty (follow everything) or holds one of `parties`. */
export function followsNames(names: ReadonlySet<string>, parties: Iterable<string>): boolean {
  if (names.size === 0) return true;
  for (const party of parties) if (names.has(party)) return true;
  return false;
}

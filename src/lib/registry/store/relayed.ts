/**
 * A relayed packet as it crosses from one server to another through the store: three short
 * strings (for whom, from whom, from which server) and the exact bytes the sender sealed, which
 * the receiving node verifies as if they had come through one server.
 *
 *   u8 length, UTF-8 `to` · u8 length, UTF-8 `from` · u8 length, UTF-8 origin server · packet
 */
export interface Relayed {
  to: string;
  from: string;
  origin: string;
  bytes: Buffer;
}

export function encodeRelayed(to: string, from: string, origin: string, bytes: Uint8Array): Buffer {
  const parts = [to, from, origin].map((s) => Buffer.from(s, 'utf8'));
  const head = Buffer.concat(parts.flatMap((p) => [Buffer.from([Math.min(p.length, 255)]), p.subarray(0, 255)]));
  return Buffer.concat([head, bytes]);
}

/** The parts of a relayed message, or undefined when it is cut short. */
export function decodeRelayed(message: Buffer): Relayed | undefined {
  const strings: string[] = [];
  let at = 0;
  for (let i = 0; i < 3; i++) {
    if (at >= message.length) return undefined;
    const length = message[at];
    if (at + 1 + length > message.length) return undefined;
    strings.push(message.toString('utf8', at + 1, at + 1 + length));
    at += 1 + length;
  }
  return { to: strings[0], from: strings[1], origin: strings[2], bytes: message.subarray(at) };
}

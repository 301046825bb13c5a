import { hasBinary, type Body } from './values.js';

/**
 * About how many bytes `body` takes in a frame: its JSON text, with each byte value counted as
 * its length plus a MessagePack `bin` header (it travels as bin, never as the JSON of an array
 * of numbers, which is what JSON.stringify would make of a Buffer). Throws what JSON.stringify
 * throws (a cycle, a BigInt).
 */
export function encodedBodyBytes(body: Body | undefined): number {
  if (!hasBinary(body)) return Buffer.byteLength(JSON.stringify(body ?? null));
  let binary = 0;
  // `this[key]` is the value before toJSON (a Buffer's would be {type, data: [...]}).
  const text = JSON.stringify(body, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    if (ArrayBuffer.isView(raw)) {
      binary += raw.byteLength + 5;
      return 0;
    }
    return value;
  });
  return Buffer.byteLength(text) + binary;
}

/**
 * Benchmark payloads of an exact size, so "100-byte bodies" means the same bytes for botz
 * (a JSON body) and for the raw ws baselines (the same JSON text as bytes).
 */
import type { Body } from '../wire/frames.js';

/** JSON of `{"d":""}` is 8 bytes; the filler makes up the rest. */
const ENVELOPE_BYTES = 8;

/** A body whose JSON encoding is `bytes` long (at least 8). */
export function benchBody(bytes: number): Body {
  return { d: 'x'.repeat(Math.max(0, bytes - ENVELOPE_BYTES)) };
}

/** The same body as the bytes a raw ws baseline sends. */
export function benchBytes(bytes: number): Buffer {
  return Buffer.from(JSON.stringify(benchBody(bytes)));
}

/** A body carrying `bytes` bytes as one binary value (a Uint8Array), for the binary-body workload. */
export function benchBinaryBody(bytes: number): Body {
  return { d: new Uint8Array(bytes).fill(0x78) };
}

/** The size of the `d` value of an echoed bench body (string length or byte length), or -1. */
export function benchBodySize(reply: unknown): number {
  const d = (reply as { d?: unknown } | null)?.d;
  if (typeof d === 'string') return d.length;
  if (d instanceof Uint8Array) return d.byteLength;
  return -1;
}

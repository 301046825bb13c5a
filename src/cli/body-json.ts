/**
 * Bodies as the command line shows them. A body may hold bytes (a Uint8Array, carried as
 * MessagePack `bin`); JSON has none, so the CLI prints each as its base64 text, as `nats` and
 * `curl --json` users would paste it back.
 */
import type { Body, Json } from '../lib/wire/values.js';

/** `body` with every byte value replaced by its base64 text (unchanged when it has none). */
export function jsonOfBody(body: Body): Json {
  if (typeof body !== 'object' || body === null) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64');
  if (Array.isArray(body)) return body.map(jsonOfBody);
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(body)) out[key] = jsonOfBody(value);
  return out;
}

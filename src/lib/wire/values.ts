/**
 * What every frame has (its envelope) and the values frames carry: bodies (any JSON) and
 * headers (a string map). Their own module so that every frame file can name them without
 * importing another frame file.
 */

/** The envelope of every frame: the protocol version, a unique id, and the sender. */
export interface FrameBase {
  v: number;
  id: string;
  from: string;
}

/** A frame type with no fields of its own. */
export type NoFields = Record<never, never>;

/** The frames of a table of fields by frame type: each the envelope, its type and its fields. */
export type FramesOf<Fields> = { [T in keyof Fields & string]: FrameBase & { type: T } & Fields[T] }[keyof Fields & string];

/** A frame before its sender stamps it with `v`, `id` and `from`. */
export type Unstamped<T extends FrameBase> = T extends FrameBase ? Omit<T, 'v' | 'id' | 'from'> : never;

/** Any JSON value. Bodies are string maps by convention (`{ key: 'value' }`) but any JSON travels. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/**
 * What a body holds: JSON, and bytes (a Buffer or any Uint8Array) anywhere inside it. Bytes travel
 * as MessagePack `bin`, never as text: a packet that carries some is MessagePack-coded even on a
 * JSON link (PROTOCOL.md §7). They arrive as a Uint8Array.
 */
export type Body = null | boolean | number | string | Uint8Array | Body[] | { [key: string]: Body };

/** Nesting deeper than this is not searched for bytes (a deeper body is refused by the decoders). */
const MAX_BINARY_SEARCH_DEPTH = 100;

/** True when some value inside `value` is bytes (a typed array or DataView). */
export function hasBinary(value: unknown, depth = 0): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (ArrayBuffer.isView(value)) return true;
  if (depth >= MAX_BINARY_SEARCH_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (hasBinary(item, depth + 1)) return true;
    return false;
  }
  for (const key in value) if (hasBinary((value as Record<string, unknown>)[key], depth + 1)) return true;
  return false;
}

/**
 * Message headers, as NATS has them: a flat map of strings beside the body (a trace id, a
 * content type, a reply hint). Never interpreted by botz; carried with the frame on every path.
 */
export type Headers = Record<string, string>;

/** `{ headers }` for a frame, when there are any: an empty map does not travel. */
export function headersOf(headers: Headers | undefined): { headers?: Headers } {
  return headers && Object.keys(headers).length > 0 ? { headers } : {};
}

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
export type Body = Json;

/**
 * Message headers, as NATS has them: a flat map of strings beside the body (a trace id, a
 * content type, a reply hint). Never interpreted by botz; carried with the frame on every path.
 */
export type Headers = Record<string, string>;

/** `{ headers }` for a frame, when there are any: an empty map does not travel. */
export function headersOf(headers: Headers | undefined): { headers?: Headers } {
  return headers && Object.keys(headers).length > 0 ? { headers } : {};
}

/**
 * Message headers on the command line: `-H key:value` (repeatable, as natscli's -H) in, and
 * `key: value` lines out. A value may hold colons; the key may not, and may not be empty.
 */
import { BotzError, ErrorCode } from '../lib/errors.js';
import type { Headers } from '../lib/wire/frames.js';

/** The headers `-H` words name; a repeated key keeps its last value. Throws INVALID_ARGUMENT (exit 2). */
export function parseHeaders(words: readonly string[] | undefined): Headers | undefined {
  if (!words || words.length === 0) return undefined;
  const headers: Headers = {};
  for (const word of words) {
    const colon = word.indexOf(':');
    const key = colon < 0 ? '' : word.slice(0, colon).trim();
    if (key === '') {
      throw new BotzError(ErrorCode.INVALID_ARGUMENT, `-H ${JSON.stringify(word)}: a header is KEY:VALUE, e.g. -H trace-id:abc`);
    }
    headers[key] = word.slice(colon + 1).trim();
  }
  return headers;
}

/** `key: value; key: value`: headers on one line of a tail or a log. */
export function headersInline(headers: Headers): string {
  return headerLines(headers).join('; ');
}

/** `key: value` per header, in the order they came. */
export function headerLines(headers: Headers | undefined): string[] {
  return Object.entries(headers ?? {}).map(([key, value]) => `${key}: ${value}`);
}

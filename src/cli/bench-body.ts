/**
 * `botz bench --field`: request bodies in `botz send`'s grammar (`key=value`, `key:=json`) with
 * its payload templates (`{{Count}}`, `{{Random 1 100}}`, `{{ID}}`...) expanded per request, as
 * `nats req --count` does with its body. Each body is padded to `--size` bytes of JSON with the
 * `d` filler the bench's echo check compares, so --size keeps its meaning.
 */
import { BotzError, ErrorCode } from '../lib/errors.js';
import type { Json } from '../lib/wire/frames.js';
import { buildBody } from './payload.js';
import { expandPayload, liveTemplateContext, type TemplateContext } from './template.js';

/**
 * The body of request `seq` (from 0; `{{Count}}` is seq + 1). The fields are expanded once
 * here, so a bad one is a usage error (naming --field) before the bench starts anything.
 */
export function templatedBodies(fields: readonly string[], size: number, context: (count: number) => TemplateContext = liveTemplateContext): (seq: number) => Json {
  const make = (seq: number): Json => {
    const body = buildBody(expandPayload(fields, context(seq + 1))) as Record<string, Json>;
    if ('d' in body) return body;
    const short = size - Buffer.byteLength(JSON.stringify({ ...body, d: '' }));
    return { ...body, d: 'x'.repeat(Math.max(0, short)) };
  };
  try {
    make(0);
  } catch (error) {
    if (error instanceof BotzError) throw new BotzError(ErrorCode.INVALID_ARGUMENT, `--field: ${error.message}`, { details: error.details });
    throw error;
  }
  return make;
}

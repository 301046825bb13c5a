/**
 * `from` is where replies go: it becomes the destination of a packet header, which gives a
 * name one length byte. validateFrame refuses what no reply could ever be addressed to.
 */
import { describe, expect, it } from 'vitest';
import { BotzError } from '../../../src/lib/errors.js';
import { PROTOCOL_VERSION } from '../../../src/lib/wire/frames.js';
import { validateFrame } from '../../../src/lib/wire/validate.js';
import { MAX_DESTINATION_BYTES } from '../../../src/lib/wire/names.js';

const lookup = (from: unknown) => ({ v: PROTOCOL_VERSION, type: 'lookup', id: 'l1', from, name: 'echo' });

describe('validateFrame: the sender name', () => {
  it('accepts a `from` of exactly the destination limit in UTF-8 bytes', () => {
    expect(validateFrame(lookup('a'.repeat(MAX_DESTINATION_BYTES))).from).toHaveLength(MAX_DESTINATION_BYTES);
    // 85 three-byte characters: 255 bytes.
    expect(() => validateFrame(lookup('€'.repeat(85)))).not.toThrow();
  });

  it.each([
    ['300 ASCII characters', 'x'.repeat(300)],
    ['one byte over the limit', 'a'.repeat(MAX_DESTINATION_BYTES + 1)],
    ['128 two-byte characters (128 characters, 256 bytes)', 'é'.repeat(128)],
    ['empty', ''],
  ])('refuses a `from` that is %s with MALFORMED_FRAME', (_, from) => {
    expect(() => validateFrame(lookup(from))).toThrow(BotzError);
    expect(() => validateFrame(lookup(from))).toThrow(expect.objectContaining({ code: 'MALFORMED_FRAME' }) as Error);
  });
});

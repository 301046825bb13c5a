import { describe, expect, it } from 'vitest';
import { encodedBodyBytes } from '../../../src/lib/wire/body-size.js';

describe('encodedBodyBytes', () => {
  it('is the UTF-8 length of the JSON text for a JSON body', () => {
    expect(encodedBodyBytes({ a: 'é', n: [1, 2] })).toBe(Buffer.byteLength(JSON.stringify({ a: 'é', n: [1, 2] })));
    expect(encodedBodyBytes(undefined)).toBe(4); // null
  });

  it('counts bytes as their length (MessagePack bin), wherever they sit, Buffer or Uint8Array', () => {
    const size = encodedBodyBytes({ a: Buffer.alloc(1000), b: [new Uint8Array(500)] });
    expect(size).toBeGreaterThanOrEqual(1500);
    expect(size).toBeLessThan(1600);
    expect(encodedBodyBytes(Buffer.alloc(10_000))).toBeLessThan(10_100);
  });
});

/**
 * The Botzilla v1 codec against the bytes captured from the original programs
 * (test/vectors/botzilla-v1.json), split at every offset as a TCP stream may deliver them.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/lib/errors.js';
import {
  botzillaKey,
  encodeReply,
  encodeRequest,
  FrameReader,
  looksLikeBotzillaFrame,
  requestMacMatches,
} from '../../../src/lib/botzilla/frame.js';
import { encodeRegistryRequest, encodeStringMap, listReplyBody, parseRegistryRequest, parseStringMap, toStringMap } from '../../../src/lib/botzilla/ops.js';

interface Exchange {
  name: string;
  op?: { op: string; name?: string; port?: string };
  body?: Record<string, string>;
  names?: string[];
  requestHex: string;
  replyHex: string;
}
const vectors = JSON.parse(readFileSync(new URL('../../vectors/botzilla-v1.json', import.meta.url), 'utf8')) as {
  key: string;
  exchanges: Exchange[];
  replies: { name: string; names?: string[]; body?: Record<string, string>; replyHex: string }[];
};
const key = botzillaKey(Buffer.from(vectors.key));
const hex = (h: string) => Buffer.from(h, 'hex');

/** Feeds `bytes` to a reader in the pieces `cuts` makes; the first completed frame. */
function readIn(reader: FrameReader, bytes: Buffer, cuts: number[]) {
  const points = [0, ...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length];
  for (let i = 1; i < points.length; i++) {
    const done = reader.push(bytes.subarray(points[i - 1], points[i]));
    if (done) return done;
  }
  return undefined;
}

describe('Botzilla v1 frames (captured vectors)', () => {
  it.each(vectors.exchanges)('$name: the request is rebuilt byte for byte and read back at every split', (x) => {
    const request = hex(x.requestHex);
    const payload = request.subarray(4, request.length - 32);
    expect(encodeRequest(key, payload).equals(request)).toBe(true);
    for (let cut = 0; cut <= request.length; cut++) {
      const frame = readIn(new FrameReader({ withMac: true }), request, [cut, cut + 3]);
      expect(frame?.payload.equals(payload)).toBe(true);
      expect(requestMacMatches(key, frame!.payload, frame!.mac!)).toBe(true);
    }
  });

  it.each(vectors.exchanges)('$name: the reply is rebuilt byte for byte and read back at every split', (x) => {
    const reply = hex(x.replyHex);
    expect(encodeReply(reply.subarray(4)).equals(reply)).toBe(true);
    for (let cut = 0; cut <= reply.length; cut++) {
      expect(readIn(new FrameReader({ withMac: false }), reply, [cut])?.payload.equals(reply.subarray(4))).toBe(true);
    }
  });

  it.each(vectors.exchanges.filter((x) => x.op))('$name: the registry operation is parsed and encoded as captured', (x) => {
    const payload = hex(x.requestHex).subarray(4, -32);
    expect(parseRegistryRequest(payload)).toEqual(x.op);
    expect(encodeRegistryRequest(x.op as Parameters<typeof encodeRegistryRequest>[0]).equals(payload)).toBe(true);
  });

  it('list replies: names as a JSON array, and null (not []) for none', () => {
    for (const r of [...vectors.replies, ...vectors.exchanges].filter((r) => r.names)) {
      expect(encodeReply(listReplyBody(r.names!)).toString('hex')).toBe(r.replyHex);
    }
  });

  it('string maps are read and written as Go json.Marshal does (sorted keys)', () => {
    for (const r of [...vectors.replies, ...vectors.exchanges].filter((r) => r.body)) {
      const body = hex(r.replyHex).subarray(4);
      expect(parseStringMap(body)).toEqual(r.body);
      expect(encodeStringMap(r.body!).equals(body)).toBe(true);
    }
    expect(encodeStringMap({ b: '2', a: '<&>\u2028' }).toString()).toBe('{"a":"\\u003c\\u0026\\u003e\\u2028","b":"2"}');
  });

  it('an unknown opcode is named, not refused; an empty payload or a bad register body is MALFORMED_FRAME', () => {
    expect(parseRegistryRequest(Buffer.from([7]))).toEqual({ op: 'unknown', opcode: 7 });
    for (const bad of [Buffer.alloc(0), Buffer.from('\x00{"name":1}'), Buffer.from('\x00{"name":"a","port":"x"}'), Buffer.from('\x00nope')]) {
      expect(() => parseRegistryRequest(bad)).toThrow(expect.objectContaining({ code: ErrorCode.MALFORMED_FRAME }));
    }
  });

  it('a message body that is not a string map is MALFORMED_FRAME (the original refuses {"a":1} too)', () => {
    for (const bad of ['{"a":1}', '[]', 'null', '{', '"x"']) {
      expect(() => parseStringMap(Buffer.from(bad))).toThrow(expect.objectContaining({ code: ErrorCode.MALFORMED_FRAME }));
    }
  });

  it('a botz body becomes a string map: strings kept, other values as their JSON text', () => {
    expect(toStringMap({ a: '1', n: 3, ok: true, l: [1], o: null })).toEqual({ a: '1', n: '3', ok: 'true', l: '[1]', o: 'null' });
    expect(toStringMap(null)).toEqual({});
    expect(toStringMap([1, 2])).toEqual({ body: '[1,2]' });
  });
});

describe('Botzilla v1 frame reader bounds', () => {
  it('refuses a declared length over the maximum as soon as the 4 length bytes are in, before allocating', () => {
    const reader = new FrameReader({ withMac: true, maxFrameBytes: 1000 });
    expect(() => reader.push(Buffer.from('HTTP'))).toThrow(expect.objectContaining({ code: ErrorCode.FRAME_TOO_LARGE }));
    const exact = new FrameReader({ withMac: false, maxFrameBytes: 3 });
    expect(exact.push(Buffer.from([3, 0, 0, 0, 1, 2, 3]))?.payload).toEqual(Buffer.from([1, 2, 3]));
  });

  it('holds at most what was declared: bytes past the frame are reported, not kept', () => {
    const reader = new FrameReader({ withMac: false });
    const done = reader.push(Buffer.from([1, 0, 0, 0, 9, 8, 7]));
    expect(done?.payload).toEqual(Buffer.from([9]));
    expect(done?.extraBytes).toBe(2);
  });

  it('reads any frame split anywhere (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.nat(3100), { maxLength: 6 }), (payload, cuts) => {
        const bytes = encodeRequest(key, payload);
        const frame = readIn(new FrameReader({ withMac: true }), bytes, cuts);
        expect(frame?.payload.equals(Buffer.from(payload))).toBe(true);
        expect(requestMacMatches(key, frame!.payload, frame!.mac!)).toBe(true);
      }),
    );
  });

  it('a MAC under another key does not match', () => {
    const frame = new FrameReader({ withMac: true }).push(encodeRequest(botzillaKey(Buffer.from('other')), Buffer.from('{}')))!;
    expect(requestMacMatches(key, frame.payload, frame.mac!)).toBe(false);
  });

  it('recognises the start of a Botzilla frame, and not an HTTP request', () => {
    for (const x of vectors.exchanges) {
      expect(looksLikeBotzillaFrame(hex(x.requestHex))).toBe(true);
      expect(looksLikeBotzillaFrame(hex(x.requestHex).subarray(0, 4))).toBe(true);
    }
    for (const other of ['GET / HTTP/1.1\r\n', 'HTTP/1.1 400', 'PRI * HTTP/2.0', '\x16\x03\x01\x02\x00']) {
      expect(looksLikeBotzillaFrame(Buffer.from(other, 'latin1'))).toBe(false);
    }
  });
});

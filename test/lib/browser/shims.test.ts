/**
 * The browser build's stand-ins for Node's crypto and Buffer, held to Node's own results (and
 * to WebCrypto's, which Node has too) on arbitrary inputs.
 */
import { createCipheriv, createHash, createHmac, webcrypto } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hmacSha256, sha256 } from '../../../src/lib/browser/sha256.js';
import { BrowserBuffer } from '../../../src/lib/browser/buffer.js';
import * as shim from '../../../src/lib/browser/node-crypto.js';
import { finishSeal } from '../../../src/lib/browser/webcrypto-gcm.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('the browser build: SHA-256 and HMAC-SHA256', () => {
  it.each([0, 1, 55, 56, 63, 64, 65, 119, 120, 1000])('SHA-256 of %i bytes is Node’s (the padding boundaries)', (n) => {
    const data = Buffer.alloc(n, 0x61);
    expect(hex(sha256(data))).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('SHA-256 and HMAC match Node and WebCrypto on arbitrary keys and data', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 300 }), async (key, data) => {
        expect(hex(sha256(data))).toBe(createHash('sha256').update(data).digest('hex'));
        expect(hex(hmacSha256(key, data))).toBe(createHmac('sha256', key).update(data).digest('hex'));
        if (key.length > 0) {
          const k = await webcrypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
          expect(hex(hmacSha256(key, data))).toBe(Buffer.from(await webcrypto.subtle.sign('HMAC', k, data)).toString('hex'));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('the node:crypto stand-in answers as node:crypto does for what the library calls', () => {
    const key = Buffer.from('a secret of sixteen bytes or more');
    expect(shim.createHmac('sha256', key).update('botz key id v1').digest().toString('hex')).toBe(createHmac('sha256', key).update('botz key id v1').digest('hex'));
    expect(shim.hash('sha256', key, 'binary')).toBe(createHash('sha256').update(key).digest('binary'));
    expect(shim.timingSafeEqual(Buffer.from('ab'), Buffer.from('ab'))).toBe(true);
    expect(shim.timingSafeEqual(Buffer.from('ab'), Buffer.from('ac'))).toBe(false);
    expect(shim.randomBytes(16)).toHaveLength(16);
    expect(() => shim.createCipheriv('aes-128-cbc', Buffer.alloc(16), Buffer.alloc(16))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('the browser build: AES-256-GCM, sealed the way packet.ts seals, finished by WebCrypto', () => {
  it('leaves zeros in the packet until finishSeal, then holds exactly what Node’s AES-256-GCM makes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.uint8Array({ minLength: 1, maxLength: 80 }),
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        async (key, nonce, header, payload) => {
          // What sealPacket does: the payload in place, the header as AAD, the tag after it.
          const packet = BrowserBuffer.alloc(header.length + payload.length + 16);
          packet.set(header, 0);
          packet.set(payload, header.length);
          const cipher = shim.createCipheriv('aes-256-gcm', key, nonce);
          cipher.setAAD(packet.subarray(0, header.length));
          cipher.update(packet.subarray(header.length, header.length + payload.length)).copy(packet, header.length);
          cipher.final();
          cipher.getAuthTag().copy(packet, header.length + payload.length);
          expect(packet.subarray(header.length).every((b) => b === 0)).toBe(true);

          await finishSeal(packet);
          const node = createCipheriv('aes-256-gcm', key, nonce);
          node.setAAD(header);
          const expected = Buffer.concat([node.update(payload), node.final(), node.getAuthTag()]);
          expect(hex(packet)).toBe(hex(Buffer.concat([header, expected])));
          expect(finishSeal(packet)).toBeUndefined();
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('the browser build: Buffer', () => {
  const encodings = ['utf8', 'latin1', 'binary', 'hex', 'base64', 'base64url'] as const;

  it('encodes and decodes as Node’s Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.string(), fc.constantFrom(...encodings), (bytes, text, enc) => {
        expect(BrowserBuffer.from(bytes).toString(enc)).toBe(Buffer.from(bytes).toString(enc));
        const encoded = Buffer.from(bytes).toString(enc);
        if (enc !== 'utf8') expect(hex(BrowserBuffer.from(encoded, enc))).toBe(hex(Buffer.from(encoded, enc)));
        expect(hex(BrowserBuffer.from(text, 'utf8'))).toBe(hex(Buffer.from(text, 'utf8')));
        expect(BrowserBuffer.byteLength(text)).toBe(Buffer.byteLength(text));
      }),
    );
  });

  it('writes, copies, reads and compares as Node’s Buffer', () => {
    const ours = BrowserBuffer.alloc(16);
    const node = Buffer.alloc(16);
    expect(ours.write('héllo', 2, 'utf8')).toBe(node.write('héllo', 2, 'utf8'));
    expect(ours.write('\u00ff\u0001', 10, 2, 'binary')).toBe(node.write('\u00ff\u0001', 10, 2, 'binary'));
    expect(ours.writeUInt32BE(0xdeadbeef, 12)).toBe(node.writeUInt32BE(0xdeadbeef, 12));
    expect(hex(ours)).toBe(hex(node));
    expect(ours.readUInt32BE(12)).toBe(node.readUInt32BE(12));
    expect(ours.toString('hex', 2, 8)).toBe(node.toString('hex', 2, 8));
    const [target, nodeTarget] = [BrowserBuffer.alloc(4), Buffer.alloc(4)];
    expect(ours.copy(target, 1, 2)).toBe(node.copy(nodeTarget, 1, 2));
    expect(hex(target)).toBe(hex(nodeTarget));
    expect(BrowserBuffer.isBuffer(ours.subarray(1, 3))).toBe(true);
    expect(ours.equals(BrowserBuffer.from(node))).toBe(true);
    expect(hex(BrowserBuffer.concat([BrowserBuffer.from('ab'), BrowserBuffer.from('c')]))).toBe('616263');
  });
});

/**
 * The part of Node's Buffer the library uses, over Uint8Array, for the browser build (the
 * library's byte handling was written against Buffer; a page has none). Encodings: utf8,
 * latin1/binary, ascii, hex, base64, base64url. Subarrays stay BrowserBuffers, as Buffer's do.
 */
type Encoding = 'utf8' | 'utf-8' | 'latin1' | 'binary' | 'ascii' | 'hex' | 'base64' | 'base64url';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function bytesOf(text: string, encoding: Encoding = 'utf8'): Uint8Array {
  switch (encoding) {
    case 'utf8':
    case 'utf-8':
      return encoder.encode(text);
    case 'latin1':
    case 'binary':
    case 'ascii': {
      const out = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
      return out;
    }
    case 'hex': {
      const out = new Uint8Array(text.length >>> 1);
      for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
      return out;
    }
    case 'base64':
    case 'base64url':
      return bytesOf(atob(text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '')), 'latin1');
  }
}

function textOf(bytes: Uint8Array, encoding: Encoding = 'utf8'): string {
  switch (encoding) {
    case 'utf8':
    case 'utf-8':
      return decoder.decode(bytes);
    case 'latin1':
    case 'binary':
    case 'ascii': {
      let s = '';
      for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
      return s;
    }
    case 'hex': {
      let s = '';
      for (const b of bytes) s += b.toString(16).padStart(2, '0');
      return s;
    }
    case 'base64':
      return btoa(textOf(bytes, 'latin1'));
    case 'base64url':
      return btoa(textOf(bytes, 'latin1')).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
}

export class BrowserBuffer extends Uint8Array {
  static alloc(size: number): BrowserBuffer {
    return new BrowserBuffer(size);
  }

  static allocUnsafe(size: number): BrowserBuffer {
    return new BrowserBuffer(size);
  }

  static isBuffer(value: unknown): value is BrowserBuffer {
    return value instanceof BrowserBuffer;
  }

  static byteLength(value: string | Uint8Array, encoding?: Encoding): number {
    return typeof value === 'string' ? bytesOf(value, encoding).length : value.byteLength;
  }

  // Typed loosely: Node's from() overloads differ from Uint8Array.from's, which it must still satisfy.
  static override from(value: any, encodingOrOffset?: any, length?: any): any {
    if (typeof value === 'string') {
      const bytes = bytesOf(value, encodingOrOffset as Encoding | undefined);
      return new BrowserBuffer(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
    }
    if (value instanceof ArrayBuffer) {
      const offset = (encodingOrOffset as number | undefined) ?? 0;
      return new BrowserBuffer(value, offset, (length as number | undefined) ?? value.byteLength - offset);
    }
    const copy = new BrowserBuffer((value as ArrayLike<number>).length);
    copy.set(value as ArrayLike<number>);
    return copy;
  }

  static concat(list: readonly Uint8Array[], total?: number): BrowserBuffer {
    const out = new BrowserBuffer(total ?? list.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of list) {
      out.set(b.subarray(0, Math.max(0, out.length - at)), at);
      at += b.length;
    }
    return out;
  }

  override toString(encoding?: Encoding, start = 0, end = this.length): string {
    return textOf(this.subarray(start, end), encoding);
  }

  /** write(string, offset?, length?, encoding?) with Node's optional-argument shuffle. */
  write(text: string, offsetOrEncoding?: number | Encoding, lengthOrEncoding?: number | Encoding, encoding?: Encoding): number {
    let offset = 0;
    let length: number | undefined;
    let enc: Encoding | undefined = encoding;
    if (typeof offsetOrEncoding === 'string') enc = offsetOrEncoding;
    else if (offsetOrEncoding !== undefined) offset = offsetOrEncoding;
    if (typeof lengthOrEncoding === 'string') enc = lengthOrEncoding;
    else if (lengthOrEncoding !== undefined) length = lengthOrEncoding;
    const bytes = bytesOf(text, enc);
    const n = Math.min(bytes.length, length ?? Infinity, this.length - offset);
    this.set(bytes.subarray(0, n), offset);
    return n;
  }

  copy(target: Uint8Array, targetStart = 0, sourceStart = 0, sourceEnd = this.length): number {
    const part = this.subarray(sourceStart, Math.min(sourceEnd, sourceStart + target.length - targetStart));
    target.set(part, targetStart);
    return part.length;
  }

  equals(other: Uint8Array): boolean {
    if (other.length !== this.length) return false;
    for (let i = 0; i < this.length; i++) if (this[i] !== other[i]) return false;
    return true;
  }

  readUInt32BE(offset = 0): number {
    return new DataView(this.buffer, this.byteOffset, this.byteLength).getUint32(offset);
  }

  writeUInt32BE(value: number, offset = 0): number {
    new DataView(this.buffer, this.byteOffset, this.byteLength).setUint32(offset, value);
    return offset + 4;
  }

  readUInt16BE(offset = 0): number {
    return new DataView(this.buffer, this.byteOffset, this.byteLength).getUint16(offset);
  }

  writeUInt16BE(value: number, offset = 0): number {
    new DataView(this.buffer, this.byteOffset, this.byteLength).setUint16(offset, value);
    return offset + 2;
  }

  toJSON(): { type: 'Buffer'; data: number[] } {
    return { type: 'Buffer', data: [...this] };
  }
}

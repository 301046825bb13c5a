import { describe, expect, it } from 'vitest';
import { joinAddress, splitAddress } from '../../../src/lib/transport/transport.js';

describe('splitAddress', () => {
  it.each([
    ['127.0.0.1:7300', { host: '127.0.0.1', port: 7300 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
    ['[::1]:80', { host: '::1', port: 80 }],
  ])('%s', (address, parts) => {
    expect(splitAddress(address)).toEqual(parts);
    expect(splitAddress(address, 7300)).toEqual(parts);
    expect(joinAddress(parts.host, parts.port)).toBe(address);
  });

  it.each([['localhost'], ['host:'], ['host:abc'], ['host:70000'], [':80'], ['']])('"%s" is not a host:port address', (address) => {
    expect(() => splitAddress(address)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('takes a default port for an address that names only a host', () => {
    expect(splitAddress('localhost', 7300)).toEqual({ host: 'localhost', port: 7300 });
    expect(splitAddress('[::1]', 7300)).toEqual({ host: '::1', port: 7300 });
    expect(splitAddress('example.org', 1)).toEqual({ host: 'example.org', port: 1 });
  });

  it.each([['host:abc'], ['host:70000'], ['host:'], ['']])('a default port does not excuse a bad one: "%s"', (address) => {
    expect(() => splitAddress(address, 7300)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

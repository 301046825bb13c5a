/**
 * The form of --server / BOTZ_SERVER: HOST:PORT, checked before anything connects, so that
 * `--server 7300` or `--server http://host:7300` is a usage error that says so rather than a
 * "cannot reach" after a connection attempt to somewhere else.
 */
import { BotzError, ErrorCode } from '../lib/errors.js';

/** HOST:PORT, where HOST is a name, an IPv4 address or a bracketed IPv6 address. */
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

/**
 * `address` if it is HOST:PORT with a port from 1 to 65535, or a comma list of those (the
 * servers of one network, tried in turn); a usage error (exit 2) otherwise.
 */
export function checkServerAddress(address: string): string {
  if (address.includes(',')) {
    for (const one of address.split(',')) checkServerAddress(one.trim());
    return address;
  }
  const m = HOST_PORT.exec(address);
  const port = m ? Number(m[2]) : 0;
  if (m && port >= 1 && port <= 65535) return address;
  const hint = /^\w+:\/\//.test(address)
    ? 'drop the scheme'
    : /^\d+$/.test(address)
      ? `add the host, e.g. 127.0.0.1:${address}`
      : m
        ? 'the port must be from 1 to 65535'
        : 'e.g. 127.0.0.1:7300';
  throw new BotzError(ErrorCode.INVALID_ARGUMENT, `--server (or BOTZ_SERVER) "${address}" is not HOST:PORT; ${hint}`, { details: { server: address } });
}

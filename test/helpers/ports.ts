import { createServer } from 'node:net';

/** A loopback port nothing listens on: bound once by us, then released. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * An address where nothing listens, for tests of "no server there". Not a port from freePort():
 * a released ephemeral port can be taken by a listener another test opens meanwhile (tests run
 * in parallel), which then answers. Port 1 is below the range listen(0) hands out, and unused.
 */
export const NOTHING_LISTENS = '127.0.0.1:1';

/**
 * A UDP port nothing is bound to now, as the system hands one out: discovery tests bind it
 * with reuseAddr, so two test files that drew the same port at random would hear each other.
 */
export async function freeUdpPort(): Promise<number> {
  const { createSocket } = await import('node:dgram');
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/**
 * A TCP proxy on loopback that records what passes through it, for tests that must see the
 * bytes on a real socket (what a listener on the path sees). WebSocket frames from the listener
 * to the dialer are unmasked, so a body sent in clear that way appears as it is; the dialer's
 * frames are masked, so only the listener-to-dialer direction says what is in clear.
 */
import net from 'node:net';

export interface TapProxy {
  /** `127.0.0.1:port` to dial instead of the target. */
  address: string;
  /** Everything the target sent towards the dialers, as latin1 text. */
  fromTarget(): string;
  close(): Promise<void>;
}

export async function tapProxy(target: string): Promise<TapProxy> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const seen: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(port, host);
    sockets.add(inbound).add(outbound);
    inbound.pipe(outbound);
    outbound.on('data', (chunk: Buffer) => seen.push(Buffer.from(chunk)));
    outbound.pipe(inbound);
    const end = () => (inbound.destroy(), outbound.destroy());
    inbound.on('error', end).on('close', end);
    outbound.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: listening } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${listening}`,
    fromTarget: () => Buffer.concat(seen).toString('latin1'),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

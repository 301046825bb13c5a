// Moleculer's TCP transporter as the benchmark uses it: no UDP discovery (it would broadcast on
// the LAN); every node, this one included, named with its loopback port in static urls.
export const CLIENT_NODE = 'bench-client';
export const ECHO_NODE = 'bench-echo';

/** `ports`: nodeID → TCP port on 127.0.0.1; `self`: this broker's nodeID. */
export function tcpTransporter(self, ports) {
  return {
    type: 'TCP',
    options: {
      udpDiscovery: false,
      port: ports[self],
      useHostname: false,
      urls: Object.entries(ports).map(([node, port]) => `127.0.0.1:${port}/${node}`),
      maxPacketSize: 16 * 1024 * 1024,
    },
  };
}

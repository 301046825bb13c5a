import { Server, Component, Client, type ClientOptions, type ComponentOptions, type ServerOptions, type MembershipNotice } from '../../src/index.js';

export const SECRET = 'integration-test-secret-0123456789';

/** Starts things and stops them all after the test, in reverse order. */
export class Network {
  private readonly stoppers: (() => Promise<unknown>)[] = [];
  server!: Server;

  async serve(options: Partial<ServerOptions> = {}): Promise<Server> {
    this.server = await Server.start({ host: '127.0.0.1', port: 0, secret: SECRET, ...options });
    const server = this.server;
    this.stoppers.push(() => server.stop());
    return server;
  }

  async component(options: Partial<ComponentOptions> & { name: string }): Promise<Component> {
    const c = await Component.start({ server: this.server.address, secret: SECRET, timeoutMs: 3000, ...options });
    this.stoppers.push(() => c.stop());
    return c;
  }

  async echo(name: string, options: Partial<ComponentOptions> = {}): Promise<Component> {
    return this.component({ name, port: 0, onMessage: (m) => m.body, ...options });
  }

  async client(options: Partial<ClientOptions> = {}): Promise<Client> {
    const c = await Client.connect({ server: this.server.address, secret: SECRET, timeoutMs: 3000, ...options });
    this.stoppers.push(() => c.close());
    return c;
  }

  add(stop: () => Promise<unknown>): void {
    this.stoppers.push(stop);
  }

  async stopAll(): Promise<void> {
    for (const stop of this.stoppers.splice(0).reverse()) await stop().catch(() => {});
  }
}

/** Resolves with the first membership event matching `predicate`. */
export async function nextMember(
  watcher: Client,
  predicate: (e: MembershipNotice) => boolean,
): Promise<MembershipNotice> {
  let unsubscribe: (() => void) | undefined;
  const seen = new Promise<MembershipNotice>((resolve) => {
    void watcher
      .watch((e) => {
        if (predicate(e)) resolve(e);
      })
      .then((u) => (unsubscribe = u));
  });
  const event = await seen;
  unsubscribe?.();
  return event;
}

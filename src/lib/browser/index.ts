/**
 * botz for web pages: `import { Component } from 'botz/browser'`. The same library (the same
 * Node, Channel, packets and frames), built by esbuild with the browser's WebSocket and
 * WebCrypto's random numbers in place of Node's (scripts/browser-plugin.mjs). A page is
 * relay-only: it dials the server and is reached through its relay; it answers requests and
 * sends its own. It authenticates every packet (HMAC-SHA256) and encrypts them (AES-256-GCM
 * through WebCrypto) when it asks to (`encrypt: true`) or its server encrypts (`serve --encrypt`).
 *
 * A page that holds the network's shared secret can do anything any other holder can: register
 * any free name, call and broadcast to every component, tail all traffic, ask components to
 * shut down. Give it to pages you would give a shell on the network to (see the README). A page
 * may instead hold a per-component credential (`botz creds issue`, PROTOCOL.md §3b): it then
 * registers only the credential's name and does only what its grant allows. (Ed25519 and
 * X25519 come from @noble/curves in this build: the handshake needs them synchronously.)
 *
 *   const page = await Component.start({ server: '127.0.0.1:7300', secret, name: 'page', onMessage: (m) => m.body });
 *   const page = await Component.start({ server, name: 'page', identity: { credential: loadCredential(fileText) }, onMessage });
 */
import { Client as NodeClient } from '../component/client.js';
import { Component as NodeComponent } from '../component/component.js';
import { BotzError, ErrorCode } from '../errors.js';
import { loadCredential as loadCredentialFile, type Credential, type CredentialFile } from '../identity/credential.js';
import type { ClientOptions, ComponentOptions } from '../node/options.js';
import { Keyring } from '../wire/keyring.js';
import { browserClock } from './browser-clock.js';
import { browserTransport } from './browser-transport.js';

/** What a page can set: a component's options less a listener, a mesh, transport and clock. */
export type BrowserComponentOptions = Omit<ComponentOptions, 'port' | 'host' | 'advertise' | 'connectionLimits' | 'mesh' | 'transport' | 'clock'>;
export type BrowserClientOptions = Omit<ClientOptions, 'transport' | 'clock'>;

function refuseNodeOnly(options: object): void {
  for (const key of ['port', 'mesh'] as const) {
    if (key in options && (options as Record<string, unknown>)[key] !== undefined && (options as Record<string, unknown>)[key] !== false) {
      throw new BotzError(ErrorCode.INVALID_ARGUMENT, `a browser component cannot use "${key}": it is relay-only`);
    }
  }
}

/**
 * The node's options with the page's transport and clock. The keyring is made here and given to
 * both the node and its links, so the links decrypt with the keys the node verifies with (a
 * live rotation, keyring.replace, reaches both).
 */
function forPage<T extends Pick<ComponentOptions, 'secret' | 'identity'>>(options: T): T & Pick<ComponentOptions, 'transport' | 'clock'> {
  refuseNodeOnly(options);
  const keyring = options.secret === undefined ? undefined : Keyring.from(options.secret);
  return { ...options, ...(keyring ? { secret: keyring } : {}), transport: browserTransport(keyring), clock: browserClock };
}

/** A named component in a web page, reached through the server's relay. */
export const Component = {
  async start(options: BrowserComponentOptions): Promise<NodeComponent> {
    return NodeComponent.start(forPage(options));
  },
};

/** A page that only calls (no name registered). */
export const Client = {
  async connect(options: BrowserClientOptions): Promise<NodeClient> {
    return NodeClient.connect(forPage(options));
  },
};

/**
 * Reads a credential file (`botz creds issue NAME`) as a page has it: the file's text, or its
 * parsed JSON; pass the result as `identity: { credential }`. Throws CREDENTIAL_REJECTED.
 */
export function loadCredential(file: CredentialFile | string): Credential {
  if (typeof file !== 'string') return loadCredentialFile(file);
  let parsed: CredentialFile;
  try {
    parsed = JSON.parse(file) as CredentialFile;
  } catch {
    throw new BotzError(ErrorCode.CREDENTIAL_REJECTED, 'not a botz credential file (not JSON)');
  }
  return loadCredentialFile(parsed);
}

export { reply, Reply } from '../node/message.js';
export type { Message } from '../node/message.js';
export { BotzError, ErrorCode } from '../errors.js';
export type { Body, Headers, ComponentInfo } from '../wire/frames.js';
export type { Credential, CredentialFile } from '../identity/credential.js';

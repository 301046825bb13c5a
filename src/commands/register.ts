import { Args, Flags } from '@oclif/core';
import { BotzError, ErrorCode } from '../lib/errors.js';
import { BotzCommand, connectionFlags } from '../cli/base-command.js';
import { durationFlag } from '../cli/verb-oclif.js';
import { receivedLine } from '../cli/event-lines.js';
import { jsonOfBody } from '../cli/body-json.js';
import { checkRawWithJson, RAW_DESCRIPTION, rawLine } from '../cli/raw-output.js';
import { DEFAULT_EXEC_CONCURRENCY, DEFAULT_EXEC_TIMEOUT_MS, ExecPool } from '../cli/exec-handler.js';
import { checkServerAddress } from '../cli/server-address.js';
import { followServerLink, linkChangeLine, linkChangeRecord } from '../cli/server-link-notices.js';
import { waitForStop } from '../cli/signals.js';
import { credentialFrom } from '../cli/credentials.js';
import { secretsOf, watchKeyringFile } from '../cli/keyring-file.js';
import { tlsTransport } from '../cli/tls-files.js';
import { configSecretPath } from '../cli/secret.js';
import { Keyring } from '../lib/wire/keyring.js';
import { reply, type Message, type ShutdownNotice } from '../index.js';
import type { MeshOptions } from '../lib/node/options.js';
import { acceptStreams } from '../cli/stream-accept.js';

/**
 * Discovery stays on this machine unless told otherwise: the loopback broadcast address reaches
 * every node on this host and nothing beyond it. A LAN needs `--discovery 239.x.y.z:port`.
 */
const DEFAULT_DISCOVERY = '127.255.255.255:7399';

export default class Register extends BotzCommand {
  static override summary = 'Run a component in the foreground, printing every message it receives';
  static override description =
    'Without --echo or --exec it answers every request with {}; --echo replies with the body and headers it got. --exec runs CMD per request with the body as JSON ' +
    'on stdin (env BOTZ_FROM names the sender, BOTZ_HEADERS holds the headers as a JSON object) and replies with the JSON CMD prints; a failing CMD becomes a remote ' +
    'error carrying its stderr. CMD is killed (with its process group) after --exec-timeout, once its output exceeds ' +
    'the packet limit, or when register stops; at most --exec-concurrency run at once. Exits cleanly on `botz shutdown NAME`, Ctrl-C or SIGTERM. --json prints NDJSON.';
  static override examples = [
    '<%= config.bin %> register echo --echo',
    '<%= config.bin %> register upper --exec "jq \'map_values(ascii_upcase)\'"',
    '<%= config.bin %> register worker-1 --group workers --port 0',
    '<%= config.bin %> register sink --raw | jq -c .   # the bodies it receives, one per line',
    '<%= config.bin %> register n2 --mesh --dial 127.0.0.1:7411 --mesh-port 7412',
    '<%= config.bin %> register n3 --mesh --degree 2 --namespace lab',
    '<%= config.bin %> register backup --accept files --exec "tar x -C /srv/backup"',
  ];
  static override args = { name: Args.string({ required: true, ignoreStdin: true, description: 'unique component name' }) };
  static override flags = {
    ...connectionFlags,
    credential: Flags.string({ env: 'BOTZ_CREDENTIAL', helpValue: '<file>', description: 'prove this credential (botz creds issue) instead of the shared secret; direct (--port) and mesh (--mesh) links only with other credential components' }),
    'tls-cert': Flags.string({ env: 'BOTZ_TLS_CERT', helpValue: '<pem>', description: 'serve the direct port over TLS with this certificate chain', dependsOn: ['tls-key'] }),
    'tls-key': Flags.string({ env: 'BOTZ_TLS_KEY', helpValue: '<pem>', description: 'the private key of --tls-cert', dependsOn: ['tls-cert'] }),
    'tls-ca': Flags.string({ env: 'BOTZ_TLS_CA', helpValue: '<pem>', description: 'dial over TLS (wss://), trusting this CA (default with --tls-cert: the system CAs)' }),
    raw: Flags.boolean({ default: false, description: RAW_DESCRIPTION }),
    port: Flags.integer({ min: 0, max: 65535, description: 'accept direct links on this port (0: any free port); omitted: reached through the server' }),
    host: Flags.string({ description: 'interface for direct links (default 127.0.0.1)', dependsOn: ['port'] }),
    group: Flags.string({ char: 'g', multiple: true, description: 'join this group (repeatable)' }),
    echo: Flags.boolean({ description: 'reply with the request body', exclusive: ['exec'] }),
    exec: Flags.string({ helpValue: '<cmd>', description: 'reply with the JSON that CMD prints for the body on its stdin', exclusive: ['echo'] }),
    'exec-timeout': durationFlag({
      description: `kill CMD (and its process group) if it runs longer than this; the caller gets a remote error (default ${DEFAULT_EXEC_TIMEOUT_MS / 1000}s)`,
      dependsOn: ['exec'],
    }),
    'exec-concurrency': Flags.integer({
      min: 1,
      description: `run at most this many CMDs at once, queueing the rest (default ${DEFAULT_EXEC_CONCURRENCY})`,
      dependsOn: ['exec'],
    }),
    // streams (issue 15)
    accept: Flags.string({
      multiple: true,
      helpValue: '<protocol>',
      description: 'accept streams for this protocol (repeatable): with --exec, each stream is bridged to a fresh CMD\'s stdin/stdout; with --echo, echoed back; else its bytes are counted and dropped. Requests are then answered with {}',
    }),
    'stream-liveness': durationFlag({ description: 'fail a stream whose opener was silent this long (default 10s)', dependsOn: ['accept'] }),
    mesh: Flags.boolean({ description: 'also run a mesh node: link to neighbours, forward for others; works without a server', helpGroup: 'MESH' }),
    degree: Flags.integer({ min: 0, description: 'links to find by local discovery (0: only --dial)', dependsOn: ['mesh'], helpGroup: 'MESH' }),
    namespace: Flags.string({ description: 'discover only nodes of this namespace (default botz)', dependsOn: ['mesh'], helpGroup: 'MESH' }),
    dial: Flags.string({ multiple: true, helpValue: '<host:port>', description: 'mesh node to link to and keep linked (repeatable)', dependsOn: ['mesh'], helpGroup: 'MESH' }),
    'mesh-port': Flags.integer({ min: 0, max: 65535, description: 'port of the mesh listener (default: any free port)', dependsOn: ['mesh'], helpGroup: 'MESH' }),
    discovery: Flags.string({
      helpValue: '<addr:port>',
      description: `broadcast address or 239.x group and UDP port to solicit links on, with --degree (default ${DEFAULT_DISCOVERY}: this machine only)`,
      dependsOn: ['mesh'],
      helpGroup: 'MESH',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Register);
    checkRawWithJson(flags.raw, this.jsonEnabled());
    this.raw = flags.raw;
    this.failureContext.server = checkServerAddress(flags.server);
    const credential = credentialFrom(flags.credential);
    const secretText = credential ? undefined : await this.secretFor(flags);
    // The secret file is a keyring, reloaded when `botz keys` changes it (issue 18).
    const secret = secretText === undefined ? undefined : new Keyring(secretsOf(secretText));
    const secretPath = flags['secret-file'] ?? (process.env.BOTZ_SECRET ? undefined : configSecretPath(this.configDirectory));
    const unwatch = secret && secretPath ? watchKeyringFile(secretPath, secret, { error: (e) => process.stderr.write(`botz: keyring not reloaded: ${e.message}\n`) }) : undefined;
    const { Component } = await import('../index.js');
    const name = args.name;
    // Made before the component starts: a request may arrive as soon as it is registered.
    const pool =
      flags.exec === undefined || flags.accept
        ? undefined
        : new ExecPool(flags.exec, {
            timeoutMs: flags['exec-timeout'] ?? DEFAULT_EXEC_TIMEOUT_MS,
            concurrency: flags['exec-concurrency'] ?? DEFAULT_EXEC_CONCURRENCY,
          });
    const transport = await tlsTransport({ cert: flags['tls-cert'], key: flags['tls-key'], ca: flags['tls-ca'] }, {});
    const component = await Component.start({
      ...(transport ? { transport } : {}),
      server: flags.server,
      secret,
      ...(credential ? { identity: { credential } } : {}),
      name,
      port: flags.port,
      host: flags.host,
      groups: flags.group ?? [],
      encrypt: flags.encrypt,
      mesh: flags.mesh ? meshOptions(flags) : undefined,
      ...(flags['stream-liveness'] === undefined ? {} : { streams: { livenessMs: flags['stream-liveness'], keepaliveMs: Math.max(50, Math.floor(flags['stream-liveness'] / 5)) } }),
      onMessage: (msg: Message) => this.handle(name, msg, flags.echo && !flags.accept, pool),
    });
    const streams = flags.accept
      ? acceptStreams(component, flags.accept, {
          exec: flags.exec,
          echo: flags.echo,
          concurrency: flags['exec-concurrency'],
          print: (event) => (this.jsonEnabled() ? this.ndjson(event) : this.status(event.line)),
        })
      : undefined;
    // Output that does not fit in one packet could never be sent back.
    if (pool) pool.maxOutputBytes = component.maxPacketBytes;
    // The library answers the shutdownRequest, stops the component, then emits 'shutdown'.
    let notice: ShutdownNotice | undefined;
    const shutdown = new Promise<void>((resolve) => component.once('shutdown', (n: ShutdownNotice) => ((notice = n), resolve())));
    // issue 18: a revoked or expired credential ends the component (exit 6), not a reconnect loop.
    let refusal: BotzError | undefined;
    const refused = new Promise<void>((resolve) => component.once('credentialRejected', (e: BotzError) => ((refusal = e), resolve())));
    // Listen for signals before announcing ourselves: whoever reads that line may signal at once.
    const stopped = waitForStop(Promise.race([shutdown, refused]));
    const announce = () => {
      if (this.jsonEnabled()) this.ndjson({ type: 'registered', name, address: component.address, server: flags.server, mesh: component.mesh?.address ?? null });
      else this.status(`registered ${name} on ${flags.server}${component.address ? `, direct links at ${component.address}` : ', reached through the server relay'}`);
    };
    if (component.mesh) {
      const { address } = component.mesh;
      const serverless = !component.serverConnected;
      if (this.jsonEnabled()) this.ndjson({ type: 'mesh', name, address, serverless });
      else this.status(`mesh node ${name} at ${address}${serverless ? ` (mesh only: no server at ${flags.server}; will register when it answers)` : ''}`);
      // Started without the server: say so when it comes up and we register after all.
      if (serverless) component.once('registered', announce);
      else announce();
    } else announce();
    // Quiet is not healthy: say when the server link drops and when it is back (issue 17).
    followServerLink(component, flags.server, (change) => {
      process.stderr.write(`botz: ${linkChangeLine(change)}\n`);
      if (this.jsonEnabled()) this.ndjson(linkChangeRecord(change));
    });
    // issue 16: after a reconnect, and a failover to another server of the network, say where it is registered now.
    let registrations = 0;
    component.on('registered', (server: string) => {
      if (registrations++ === 0) return;
      if (this.jsonEnabled()) this.ndjson({ type: 'reregistered', name, server });
      else this.status(`re-registered ${name} on ${server}`);
    });

    const why = await stopped;
    if (why === 'done' && !refusal) {
      if (this.jsonEnabled()) this.ndjson({ type: 'shutdown', name, from: notice?.from, forced: notice?.forced });
      else this.status(`shutdown requested by ${notice?.from ?? 'unknown'}${notice?.forced ? ' (forced)' : ''}; ${name} exiting`);
    }
    // Kill every running CMD first: a hung one must not keep us (or itself) alive.
    await pool?.stop();
    await streams?.stop();
    unwatch?.();
    await component.stop();
    if (refusal) throw refusal;
  }

  /** --raw: stdout is the bodies only. */
  private raw = false;

  /** A line about the component (registered, re-registered, shutdown): stdout, or stderr under --raw. */
  private status(text: string): void {
    if (this.raw) process.stderr.write(text + '\n');
    else this.line(text);
  }

  private async handle(name: string, msg: Message, echo: boolean, pool: ExecPool | undefined): Promise<unknown> {
    const at = Date.now();
    const headers = Object.keys(msg.headers).length > 0 ? { headers: msg.headers } : {};
    if (this.jsonEnabled()) this.ndjson({ type: 'message', at, from: msg.from, to: name, kind: msg.kind, id: msg.id, path: msg.path, ...(msg.hops ? { hops: msg.hops } : {}), ...headers, body: jsonOfBody(msg.body) });
    else if (this.raw) this.line(rawLine(msg.body));
    else this.line(receivedLine(msg, name, at));
    if (echo) return reply(msg.body, headers);
    if (pool) return pool.run(jsonOfBody(msg.body), { from: msg.from, kind: msg.kind, headers: msg.headers });
    return {};
  }
}

/** The mesh flags as library options. */
function meshOptions(flags: { degree?: number; namespace?: string; dial?: string[]; 'mesh-port'?: number; discovery?: string; host?: string }): MeshOptions {
  const discovery = flags.discovery ?? DEFAULT_DISCOVERY;
  const at = discovery.lastIndexOf(':');
  const group = discovery.slice(0, at);
  const port = Number(discovery.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new BotzError(ErrorCode.INVALID_ARGUMENT, `--discovery must be ADDRESS:PORT, got "${discovery}"`);
  }
  return {
    degree: flags.degree,
    namespace: flags.namespace,
    dial: flags.dial ?? [],
    port: flags['mesh-port'] ?? 0,
    ...(flags.host ? { host: flags.host } : {}),
    discovery: { group, port },
  };
}

/**
 * TLS on the command line (issue 18): --tls-cert and --tls-key (a listener's certificate and
 * key, PEM files), --tls-ca (the CA a dialer trusts; env BOTZ_TLS_CA for every command). Any of
 * them makes every link of the process TLS (`wss://`); without them, links are plain `ws://`.
 */
import { readFileSync } from 'node:fs';
import { BotzError, ErrorCode } from '../lib/errors.js';
import type { Transport } from '../lib/transport/transport.js';

export interface TlsFiles {
  cert?: string;
  key?: string;
  ca?: string;
}

function read(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new BotzError(ErrorCode.INVALID_ARGUMENT, `cannot read the TLS ${what} ${path}: ${(e as Error).message}`, { details: { path } });
  }
}

/** The transport these files ask for, or undefined (plain WebSocket). */
export async function tlsTransport(files: TlsFiles, env: NodeJS.ProcessEnv = process.env): Promise<Transport | undefined> {
  const ca = files.ca ?? (env.BOTZ_TLS_CA || undefined);
  if (files.cert === undefined && files.key === undefined && ca === undefined) return undefined;
  if ((files.cert === undefined) !== (files.key === undefined)) throw new BotzError(ErrorCode.INVALID_ARGUMENT, '--tls-cert and --tls-key go together');
  const { wsTransportWith } = await import('../lib/transport/ws.js');
  return wsTransportWith({
    ...(files.cert ? { cert: read(files.cert, 'certificate'), key: read(files.key!, 'key') } : {}),
    ...(ca ? { ca: read(ca, 'CA') } : {}),
  });
}

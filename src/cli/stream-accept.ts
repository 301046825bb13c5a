/**
 * The accepting side of `botz register NAME --accept PROTOCOL`: each stream is bridged to a
 * fresh CMD (--exec, see stream-exec.ts), echoed (--echo), or drained; one line (or NDJSON
 * record) is printed when it opens and when it ends, with the bytes each way.
 */
import type { Component } from '../lib/component/component.js';
import { isBotzError } from '../lib/errors.js';
import type { StreamChannel, StreamInfo } from '../lib/stream/stream-channel.js';
import { StreamExec } from './stream-exec.js';

export interface StreamEvent {
  type: 'stream';
  event: 'open' | 'close' | 'fail';
  at: number;
  from: string;
  protocol: string;
  stream: string;
  bytesIn?: number;
  bytesOut?: number;
  code?: string;
  message?: string;
  /** The human line (left out of --json records). */
  line: string;
}

export interface AcceptStreamsOptions {
  exec?: string;
  echo?: boolean;
  concurrency?: number;
  print(event: Omit<StreamEvent, 'line'> & { line: string }): void;
}

export function acceptStreams(component: Component, protocols: string[], options: AcceptStreamsOptions): { stop(): Promise<void> } {
  const exec = options.exec === undefined ? undefined : new StreamExec(options.exec, options.concurrency);
  const print = (event: StreamEvent): void => {
    const { line, ...record } = event;
    options.print(Object.assign(record, { line }));
  };
  const handler = (channel: StreamChannel, info: StreamInfo): void => {
    if (exec) exec.accept(channel, info);
    else if (options.echo) channel.pipe(channel);
    else channel.resume();
    watch(channel, info, print);
  };
  for (const protocol of protocols) component.accept(protocol, handler);
  return { stop: async () => exec?.stop() };
}

function watch(channel: StreamChannel, info: StreamInfo, print: (event: StreamEvent) => void): void {
  const base = { type: 'stream' as const, from: info.peer, protocol: info.protocol, stream: info.stream };
  const at = Date.now();
  print({ ...base, event: 'open', at, line: `${clock(at)}  stream   ${info.peer}  ${info.protocol}  opened` });
  let failure: { code: string; message: string } | undefined;
  channel.on('error', (error) => (failure = { code: isBotzError(error) ? error.code : 'ERROR', message: error.message }));
  channel.on('close', () => {
    const now = Date.now();
    const { bytesIn, bytesOut } = channel;
    const f = failure ?? (channel.failure ? { code: channel.failure.code, message: channel.failure.message } : undefined);
    const counts = `in ${bytesIn} B, out ${bytesOut} B`;
    if (f) print({ ...base, event: 'fail', at: now, bytesIn, bytesOut, ...f, line: `${clock(now)}  stream   ${info.peer}  ${info.protocol}  failed ${f.code} (${counts}): ${f.message}` });
    else print({ ...base, event: 'close', at: now, bytesIn, bytesOut, line: `${clock(now)}  stream   ${info.peer}  ${info.protocol}  closed (${counts})` });
  });
}

function clock(at: number): string {
  return new Date(at).toISOString().slice(11, 23);
}

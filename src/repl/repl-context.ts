/**
 * How a verb runs in the REPL: on the REPL's own component (joined already, never closed by a
 * verb), with Ctrl-C as its signal, printing through the prompt's output. The CLI's one-shot
 * context (src/cli/one-shot.ts) is the same interface for a process of its own.
 */
import { readData } from '../cli/data-source.js';
import type { FailureContext } from '../cli/exit-codes.js';
import { withMeshControl } from '../cli/mesh-target.js';
import type { OutputStyle } from '../cli/output.js';
import type { StopReason } from '../cli/signals.js';
import type { VerbClient, VerbContext } from '../cli/verb.js';
import { BotzError, ErrorCode } from '../lib/errors.js';
import type { MeshControlClient } from '../lib/mesh/mesh-control-client.js';
import type { ComponentInfo, Json } from '../lib/wire/frames.js';
import type { ReplOutput } from './output.js';

export interface ReplContextOptions {
  client: VerbClient;
  output: ReplOutput;
  style: OutputStyle;
  json: boolean;
  signal?: AbortSignal;
  server: string;
  /** The shared secret, for control links to mesh nodes; absent if the session does not hold it. */
  secret?: string;
  failure: FailureContext;
  /** Asks the user to pick a component; absent without a terminal. */
  pick?: () => Promise<string>;
  /** A full listing arrived. */
  sawComponents?: (list: ComponentInfo[]) => void;
}

export class ReplContext implements VerbContext {
  readonly style: OutputStyle;
  readonly json: boolean;
  readonly signal?: AbortSignal;
  readonly server: string;
  readonly failure: FailureContext;
  readonly sawComponents?: (list: ComponentInfo[]) => void;

  constructor(private readonly o: ReplContextOptions) {
    this.style = o.style;
    this.json = o.json;
    this.signal = o.signal;
    this.server = o.server;
    this.failure = o.failure;
    this.sawComponents = o.sawComponents;
  }

  /** The component is the REPL's: each call gets the whole --timeout, and nothing is closed. */
  withClient<T>(timeoutMs: number, fn: (client: VerbClient, timeLeft: () => number) => Promise<T>): Promise<T> {
    return fn(this.o.client, () => timeoutMs);
  }

  async withControl<T>(node: string, timeoutMs: number, fn: (ctl: MeshControlClient) => Promise<T>): Promise<T> {
    const { secret } = this.o;
    if (!secret) throw new BotzError(ErrorCode.INVALID_ARGUMENT, 'mesh needs the shared secret, which this REPL session does not hold');
    const list = () => this.o.client.components({ timeout: timeoutMs, signal: this.signal });
    return withMeshControl(node, { secret, timeoutMs, list, failure: this.failure }, fn);
  }

  /** `--data -` is refused when the line is parsed: stdin is the REPL's. */
  readData(spec: string): Promise<Json> {
    return readData(spec);
  }

  out(text: string): void {
    this.o.output.out(text);
  }

  note(text: string): void {
    this.o.output.err(text);
  }

  /** A stream in the REPL runs until Ctrl-C cancels it. */
  untilStopped(until?: Promise<unknown>): Promise<StopReason> {
    return new Promise((resolve) => {
      this.signal?.addEventListener('abort', () => resolve('SIGINT'), { once: true });
      until?.then(
        () => resolve('done'),
        () => resolve('done'),
      );
    });
  }

  async pickComponent(): Promise<string> {
    if (!this.o.pick) throw new BotzError(ErrorCode.INVALID_ARGUMENT, 'send needs a component NAME (a pick-list is offered only on a terminal)');
    return this.o.pick();
  }
}

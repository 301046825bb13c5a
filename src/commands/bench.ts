import { Args, Flags } from '@oclif/core';
import { BotzError, ErrorCode } from '../lib/errors.js';
import { DEFAULT_MAX_PACKET_BYTES } from '../lib/wire/packet.js';
import type { RequestBenchResult, RequestTarget } from '../lib/bench/request-bench.js';
import type { LoadProgress } from '../lib/bench/request-load.js';
import { BotzCommand, connectionFlags } from '../cli/base-command.js';
import { durationFlag } from '../cli/verb-oclif.js';

/** Measured when neither --count nor --duration is given. */
const DEFAULT_DURATION_MS = 5_000;

export interface BenchResult {
  mode: 'direct' | 'relay' | 'mesh';
  encrypted: boolean;
  bodyBytes: number;
  inFlight: number;
  components: number;
  /** --field words (templates unexpanded), when the bodies were built from them. */
  fields?: string[];
  botz: RequestBenchResult;
  /** With --baseline: the same load over plain ws, and botz's figures as ratios of it. */
  baseline?: {
    raw: RequestBenchResult;
    rawCoalesced: RequestBenchResult;
    /** The plain echo carrying JSON frames that both sides parse and encode: the codec's floor. */
    rawJson: RequestBenchResult;
    ratios: {
      throughputVsRaw: number | null;
      throughputVsCoalesced: number | null;
      p50VsRaw: number | null;
      p50VsRawJson: number | null;
    };
  };
  pinning: string;
  /** With --credentials (issue 18): the same load with per-component credentials, and its figures as ratios of the shared secret's. */
  credentials?: {
    botz: RequestBenchResult;
    ratios: { throughput: number | null; p50: number | null };
  };
}

export default class Bench extends BotzCommand {
  static override summary = 'Measure request/response throughput and latency, optionally beside a raw WebSocket baseline';
  static override description =
    'Starts its own server and echo components in child processes (or, with --server, registers an echo component in ' +
    'that network) and keeps --in-flight requests outstanding. direct: component to component; relay: through the ' +
    'server. --baseline runs the same load over plain ws (one send() per message, write-coalescing, and carrying JSON ' +
    'frames that both sides parse and encode) in the same run.';
  static override examples = [
    '<%= config.bin %> bench',
    '<%= config.bin %> bench relay --in-flight 1 --count 2000',
    '<%= config.bin %> bench direct --size 1024 --duration 10s --baseline --json',
    "<%= config.bin %> bench relay --field 'n:={{Count}}' --field 'id={{ID}}' --field 'score:={{Random 1 100}}'",
  ];
  static override args = {
    mode: Args.string({ options: ['direct', 'relay', 'mesh'], default: 'direct', description: 'how requests travel' }),
  };
  static override flags = {
    size: Flags.integer({ default: 100, min: 8, description: 'request body size in bytes (JSON)' }),
    'in-flight': Flags.integer({ default: 64, min: 1, description: 'requests kept outstanding (1: latency mode)' }),
    components: Flags.integer({ default: 1, min: 1, description: 'echo components the requests are spread over' }),
    count: Flags.integer({ min: 1, exclusive: ['duration'], description: 'stop after this many requests' }),
    duration: durationFlag({ exclusive: ['count'], description: 'stop after this long, e.g. 10s (default 5s)' }),
    baseline: Flags.boolean({ default: false, description: 'also run a plain ws echo and print ratios' }),
    server: Flags.string({ helpValue: '<host:port>', description: 'use this existing network instead of starting one' }),
    'secret-file': connectionFlags['secret-file'],
    encrypt: Flags.boolean({ default: false, description: 'encrypt the botz exchanges (AES-256-GCM), to measure what encryption costs' }),
    credentials: Flags.boolean({ default: false, exclusive: ['server'], description: 'also run the load with per-component credentials (botz creds) and print their cost as ratios of the shared secret\'s' }),
    field: Flags.string({
      multiple: true,
      helpValue: 'KEY=VALUE|KEY:=JSON',
      description:
        'a body field as botz send takes it, templates expanded per request ({{Count}}, {{Random 1 100}}, {{ID}}, {{TimeStamp}}, {{Unix}}, {{UnixMilli}}); ' +
        'padded to --size with a d field; the --baseline runs keep the fixed body',
    }),
  };

  async run(): Promise<BenchResult> {
    const { args, flags } = await this.parse(Bench);
    const mode = args.mode as 'direct' | 'relay' | 'mesh';
    // A body no packet can hold would only measure failures.
    if (flags.size > DEFAULT_MAX_PACKET_BYTES) {
      throw new BotzError(ErrorCode.INVALID_ARGUMENT, `--size ${flags.size} is over the packet limit of ${DEFAULT_MAX_PACKET_BYTES} bytes; choose a smaller body`);
    }
    if (mode === 'mesh' && flags.server) {
      throw new BotzError(ErrorCode.INVALID_ARGUMENT, 'mesh mode starts its own mesh; it cannot use --server');
    }
    const fields = flags.field ?? [];
    const bodyFor = fields.length > 0 ? (await import('../cli/bench-body.js')).templatedBodies(fields, flags.size) : undefined;
    const [{ benchRequests }, { childHost, canPin, pinSelf }, { ratio }] = await Promise.all([
      import('../lib/bench/request-bench.js'),
      import('../lib/bench/peer-host.js'),
      import('../lib/bench/stats.js'),
    ]);
    let network: { server: string; secret: string } | undefined;
    if (flags.server) {
      this.failureContext.server = flags.server;
      network = { server: flags.server, secret: await this.secretFor(flags) };
    }
    const pinned = canPin() && pinSelf(0);
    const pinning = pinned ? 'measuring process on CPU 0, peers on CPU 1' : 'not pinned';
    const host = childHost();
    const amount = flags.count !== undefined ? { count: flags.count } : { durationMs: flags.duration ?? DEFAULT_DURATION_MS };
    const run = (target: RequestTarget, credentials = false): Promise<RequestBenchResult> =>
      benchRequests({
        credentials,
        target,
        inFlight: flags['in-flight'],
        bodyBytes: flags.size,
        components: flags.components,
        host,
        network,
        encrypt: flags.encrypt,
        bodyFor: target === mode ? bodyFor : undefined,
        ...amount,
        onProgress: (p) => this.progress(target, p),
      }).finally(() => this.progress());

    const botz = await run(mode);
    const result: BenchResult = { mode, encrypted: flags.encrypt, bodyBytes: flags.size, inFlight: flags['in-flight'], components: flags.components, botz, pinning };
    if (fields.length > 0) result.fields = fields;
    if (flags.credentials) {
      const withCredentials = await run(mode, true);
      result.credentials = {
        botz: withCredentials,
        ratios: { throughput: ratio(withCredentials.msgsPerSec, botz.msgsPerSec), p50: ratio(withCredentials.latencyMs.p50, botz.latencyMs.p50) },
      };
    }
    if (flags.baseline) {
      const raw = await run('raw');
      const rawCoalesced = await run('raw-coalesced');
      const rawJson = await run('raw-json');
      result.baseline = {
        raw,
        rawCoalesced,
        rawJson,
        ratios: {
          throughputVsRaw: ratio(botz.msgsPerSec, raw.msgsPerSec),
          throughputVsCoalesced: ratio(botz.msgsPerSec, rawCoalesced.msgsPerSec),
          p50VsRaw: ratio(botz.latencyMs.p50, raw.latencyMs.p50),
          p50VsRawJson: ratio(botz.latencyMs.p50, rawJson.latencyMs.p50),
        },
      };
    }
    this.print(result);
    // Figures of requests that failed are no measurement: say so, and do not exit 0.
    for (const figures of [botz, result.credentials?.botz]) {
      if (!figures || figures.errors === 0) continue;
      if (figures.messages === 0) {
        // The run stopped at its first request (see benchRequests): there are no figures at all.
        process.stderr.write(`botz: every request failed (${Object.keys(figures.errorCodes).join(', ')}); nothing was measured\n`);
      } else {
        const codes = Object.entries(figures.errorCodes).map(([c, n]) => `${c}: ${n}`).join(', ');
        process.stderr.write(`botz: ${figures.errors} of ${figures.errors + figures.messages} requests failed${codes ? ` (${codes})` : ''}; the figures are not a measurement\n`);
      }
      process.exitCode = 1;
    }
    return result;
  }

  /** One line on stderr, rewritten in place, only on a terminal; no argument clears it. */
  private progress(target?: string, p?: LoadProgress): void {
    if (!process.stderr.isTTY || this.jsonEnabled()) return;
    process.stderr.write('\r\x1b[K');
    if (target && p) process.stderr.write(`${target}: ${p.done} answered, ${p.errors} errors, ${(p.elapsedMs / 1000).toFixed(1)}s`);
  }

  private print(r: BenchResult): void {
    const x = (v: number | null): string => (v === null ? '-' : `${v.toFixed(2)}x`);
    this.line(`${r.bodyBytes}-byte bodies, ${r.inFlight} in flight, ${r.components} echo component(s); ${r.pinning}`);
    this.line(figureLine(`botz ${r.mode}${r.encrypted ? ', encrypted' : ''}`, r.botz));
    if (r.credentials) {
      this.line(figureLine('botz, credentials', r.credentials.botz));
      this.line(`credentials vs shared secret: throughput ${x(r.credentials.ratios.throughput)}, p50 latency ${x(r.credentials.ratios.p50)}`);
    }
    if (!r.baseline) return;
    this.line(figureLine('raw ws', r.baseline.raw));
    this.line(figureLine('raw ws, coalescing', r.baseline.rawCoalesced));
    this.line(figureLine('raw ws, JSON frames', r.baseline.rawJson));
    const q = r.baseline.ratios;
    this.line(
      `ratios: throughput ${x(q.throughputVsRaw)} of raw ws, ${x(q.throughputVsCoalesced)} of coalescing ws; ` +
        `p50 latency ${x(q.p50VsRaw)} of raw ws, ${x(q.p50VsRawJson)} of raw ws with JSON frames`,
    );
  }
}

function figureLine(label: string, f: RequestBenchResult): string {
  const ms = (v: number): string => v.toPrecision(3);
  const l = f.latencyMs;
  const codes = Object.entries(f.errorCodes).map(([c, n]) => `${c}:${n}`).join(' ');
  return (
    `${label.padEnd(20)} ${Math.round(f.msgsPerSec).toLocaleString('en-US')} msgs/s  ${f.mbPerSec.toFixed(2)} MB/s  ` +
    `latency ms min ${ms(l.min)} p50 ${ms(l.p50)} p90 ${ms(l.p90)} p99 ${ms(l.p99)} max ${ms(l.max)}  errors ${f.errors}${codes ? ` (${codes})` : ''}`
  );
}

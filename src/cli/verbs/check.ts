/**
 * `check [NAME...]`: a health check for monitoring, as `nats server check`: the server answers,
 * each named component is registered, ready and answers a ping within --warn / --crit. Exits
 * with the nagios codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN) in every --format.
 */
import { ErrorCode } from '../../lib/errors.js';
import { describeFailure } from '../exit-codes.js';
import { healthText, latencyStatus, nagiosLine, NAGIOS_EXIT, worst, type HealthCheck, type HealthResult } from '../health.js';
import { defineVerb } from '../verb.js';
import { timeoutFlag } from './flags.js';
import { PING_HEADER } from './ping.js';

export const checkVerb = defineVerb({
  name: 'check',
  summary: 'Check the health of the server and named components, with nagios exit codes',
  description:
    'The server must answer a listing; each NAME must be registered, ready, and answer a ping (an empty request with the header ' +
    'botz-ping: 1) within --crit (else CRITICAL) and --warn (else WARNING). Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. ' +
    '--format nagios prints the plugin line with perfdata; json (or --json) the checks.',
  examples: ['<%= config.bin %> check', '<%= config.bin %> check echo worker-1 --warn 50ms --crit 500ms', '<%= config.bin %> check echo --format nagios'],
  usage: 'check [NAME]... [--warn 100ms] [--crit 1s] [--format text|json|nagios] [--timeout 5s]',
  args: { names: { rest: true, names: 'components', description: 'components that must be ready and answer' } },
  flags: {
    warn: { type: 'duration', description: 'WARNING when a round trip takes longer, e.g. 100ms' },
    crit: { type: 'duration', description: 'CRITICAL when a round trip takes longer, e.g. 1s' },
    format: { type: 'string', options: ['text', 'json', 'nagios'], default: 'text', description: 'how to print the verdict' },
    timeout: timeoutFlag,
  },

  async run(ctx, { args, flags }): Promise<HealthResult> {
    const checks: HealthCheck[] = [];
    const thresholds = { warnMs: flags.warn, critMs: flags.crit };
    try {
      await ctx.withClient(flags.timeout, async (client, timeLeft) => {
        const started = performance.now();
        const list = await client.components({ timeout: timeLeft(), signal: ctx.signal });
        const rttMs = performance.now() - started;
        const status = latencyStatus(rttMs, flags.warn, flags.crit);
        checks.push({ name: 'server', status, rttMs, message: `server ${ctx.server} answered in ${rttMs.toFixed(1)} ms, ${list.length} component(s) registered` });
        for (const name of args.names as string[]) {
          const info = list.find((c) => c.name === name);
          if (!info) {
            checks.push({ name, status: 'CRITICAL', message: `${name} is not registered` });
            continue;
          }
          if (info.state !== 'ready') {
            checks.push({ name, status: 'CRITICAL', message: `${name} is ${info.state}, not ready` });
            continue;
          }
          const at = performance.now();
          try {
            await client.request(name, {}, { timeout: timeLeft(), signal: ctx.signal, headers: { [PING_HEADER]: '1' } });
            const ms = performance.now() - at;
            checks.push({ name, status: latencyStatus(ms, flags.warn, flags.crit), rttMs: ms, message: `${name} answered in ${ms.toFixed(1)} ms` });
          } catch (error) {
            // A handler that fails still answered: the component is alive.
            const answered = (error as { code?: string }).code === ErrorCode.REMOTE_ERROR;
            checks.push({ name, status: answered ? 'WARNING' : 'CRITICAL', message: `${name}: ${describeFailure(error).message}` });
          }
        }
      });
    } catch (error) {
      // Not reaching the server is the check's finding, not the command's failure.
      if ((error as { code?: string }).code === ErrorCode.INVALID_ARGUMENT) throw error;
      checks.push({ name: 'server', status: 'CRITICAL', message: describeFailure(error, { server: ctx.server }).line.split(';')[0] });
    }
    return { status: worst(checks.map((c) => c.status)), checks, thresholds };
  },

  render: (r, _style, { flags }) => (flags.format === 'nagios' ? nagiosLine(r) : flags.format === 'json' ? JSON.stringify(r, null, 2) : healthText(r)),
  exitCode: (r) => NAGIOS_EXIT[r.status],
  repl: { usage: 'check [NAME]... [--warn 100ms] [--crit 1s] [--format text|json|nagios] [--timeout 5s] [--json]' },
});

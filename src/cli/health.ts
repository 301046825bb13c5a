/**
 * The verdicts of `botz check`, as monitoring systems read them: OK, WARNING, CRITICAL, UNKNOWN
 * with the nagios exit codes 0-3, and the nagios plugin line (`BOTZ OK - ... | perfdata`). Pure.
 */

export type HealthStatus = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

/** The nagios plugin exit code of each status. */
export const NAGIOS_EXIT: Readonly<Record<HealthStatus, number>> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

const SEVERITY: readonly HealthStatus[] = ['OK', 'UNKNOWN', 'WARNING', 'CRITICAL'];

/** One thing checked: the server, or a component. */
export interface HealthCheck {
  /** `server`, or the component's name. */
  name: string;
  status: HealthStatus;
  message: string;
  /** The round trip, when one was made. */
  rttMs?: number;
}

/** What `botz check` prints (--json) and exits with. */
export interface HealthResult {
  status: HealthStatus;
  checks: HealthCheck[];
  thresholds: { warnMs?: number; critMs?: number };
}

/** The worst of the statuses (CRITICAL over WARNING over UNKNOWN over OK). */
export function worst(statuses: readonly HealthStatus[]): HealthStatus {
  return statuses.reduce<HealthStatus>((a, b) => (SEVERITY.indexOf(b) > SEVERITY.indexOf(a) ? b : a), 'OK');
}

/** A round trip's status against the thresholds: over --crit CRITICAL, over --warn WARNING. */
export function latencyStatus(rttMs: number, warnMs: number | undefined, critMs: number | undefined): HealthStatus {
  if (critMs !== undefined && rttMs > critMs) return 'CRITICAL';
  if (warnMs !== undefined && rttMs > warnMs) return 'WARNING';
  return 'OK';
}

/** The nagios plugin line: status, the messages of what is not OK (or all), then perfdata. */
export function nagiosLine(r: HealthResult): string {
  const notOk = r.checks.filter((c) => c.status !== 'OK');
  const summary = (notOk.length > 0 ? notOk : r.checks).map((c) => c.message).join('; ');
  const t = (ms: number | undefined) => (ms === undefined ? '' : `${ms}`);
  const perf = r.checks.filter((c) => c.rttMs !== undefined).map((c) => `rtt_${c.name}=${c.rttMs!.toFixed(3)}ms;${t(r.thresholds.warnMs)};${t(r.thresholds.critMs)}`);
  return `BOTZ ${r.status} - ${summary}${perf.length ? ` | ${perf.join(' ')}` : ''}`;
}

/** One line per check, for people. */
export function healthText(r: HealthResult): string {
  return [`${r.status}`, ...r.checks.map((c) => `  ${c.status.padEnd(8)} ${c.message}`)].join('\n');
}

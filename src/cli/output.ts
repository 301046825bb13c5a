/**
 * How results look: key/value and component tables (cli-table3) on a terminal, plain aligned
 * text when piped, no colour with --json or NO_COLOR. Formatting is pure and returns strings;
 * the caller writes them.
 */
import type { ComponentInfo, Json } from '../lib/wire/frames.js';
import { formatDuration } from './duration.js';

/** How to render: a table on a terminal, and colour only when allowed. */
export interface OutputStyle {
  tty: boolean;
  color: boolean;
}

/** The style for stdout: tables on a TTY, colour on a TTY unless NO_COLOR or --json. */
export function styleFor(stream: { isTTY?: boolean }, json: boolean, env: NodeJS.ProcessEnv = process.env): OutputStyle {
  const tty = stream.isTTY === true && !json;
  const noColor = (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.FORCE_COLOR === '0';
  return { tty, color: tty && !noColor };
}

/** A value as the payload grammar would write it: strings bare, anything else as JSON. */
function valueText(value: Json): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * A body as plain lines in the payload grammar (`key=value`, `key:=json`), so piped output can
 * be fed back to `botz send`. A body that is not an object prints as one JSON line.
 */
export function bodyLines(body: Json): string[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [JSON.stringify(body)];
  return Object.entries(body).map(([k, v]) => (typeof v === 'string' ? `${k}=${v}` : `${k}:=${JSON.stringify(v)}`));
}

/** Pad columns to equal width: what a table looks like when piped. */
export function alignColumns(rows: readonly string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).join('\n');
}

async function table(head: string[] | undefined, rows: string[][], style: OutputStyle): Promise<string> {
  // cli-table3 is only needed on a terminal; loading it lazily keeps piped runs fast.
  const { default: Table } = await import('cli-table3');
  const t = new Table({
    ...(head ? { head } : {}),
    // cli-table3 colours borders and headings even when colour is off, unless styles are empty.
    style: style.color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] },
  });
  t.push(...rows);
  return t.toString();
}

/** A reply or any body: a key/value table on a terminal, payload-grammar lines otherwise. */
export async function renderBody(body: Json, style: OutputStyle): Promise<string> {
  const isObject = body !== null && typeof body === 'object' && !Array.isArray(body);
  if (!style.tty || !isObject) return bodyLines(body).join('\n');
  const entries = Object.entries(body);
  if (entries.length === 0) return '(empty reply)';
  return table(undefined, entries.map(([k, v]) => [k, valueText(v)]), style);
}

/** "3s ago" for a heartbeat; "-" when there has not been one. */
export function formatAge(at: number, now: number): string {
  if (!at) return '-';
  return `${formatDuration(Math.max(0, now - at))} ago`;
}

export const COMPONENT_COLUMNS = ['NAME', 'ADDRESS', 'GROUPS', 'STATE', 'LAST HEARTBEAT'];

/** One component as table cells; a component without an address is reached through the relay. */
export function componentRow(c: ComponentInfo, now: number): string[] {
  return [c.name, c.address ?? 'relay', c.groups.length ? c.groups.join(',') : '-', c.state, formatAge(c.lastHeartbeat, now)];
}

/** The `botz components` listing, sorted by name. */
export async function renderComponents(list: readonly ComponentInfo[], style: OutputStyle, now: number): Promise<string> {
  if (list.length === 0) return '(no components registered)';
  // Several servers on one store (issue 16): which one each component is attached to.
  const servers = list.some((c) => c.server !== undefined);
  const columns = servers ? [...COMPONENT_COLUMNS, 'SERVER'] : COMPONENT_COLUMNS;
  const rows = [...list].sort((a, b) => a.name.localeCompare(b.name)).map((c) => (servers ? [...componentRow(c, now), c.server ?? '-'] : componentRow(c, now)));
  if (style.tty) {
    if (style.color) {
      const { default: chalk } = await import('chalk');
      for (const row of rows) row[3] = row[3] === 'ready' ? chalk.green(row[3]) : row[3] === 'suspect' ? chalk.yellow(row[3]) : row[3];
    }
    return table(columns, rows, style);
  }
  return alignColumns([columns, ...rows]);
}

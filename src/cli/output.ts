/**
 * How results look: key/value and component tables (cli-table3) on a terminal, plain aligned
 * text when piped, no colour with --json or NO_COLOR. Formatting is pure and returns strings;
 * the caller writes them.
 */
import type { ComponentInfo, Json } from '../lib/wire/frames.js';
import { BOTZILLA_META } from '../lib/botzilla/ops.js';
import { formatDuration } from './duration.js';
import { fitColumns } from './table-fit.js';

/** How to render: a table on a terminal, and colour only when allowed. */
export interface OutputStyle {
  tty: boolean;
  color: boolean;
  /** The terminal's width, when known: tables fit it. */
  columns?: number;
}

/** The style for stdout: tables on a TTY, colour on a TTY unless NO_COLOR or --json. */
export function styleFor(stream: { isTTY?: boolean; columns?: number }, json: boolean, env: NodeJS.ProcessEnv = process.env): OutputStyle {
  const tty = stream.isTTY === true && !json;
  const noColor = (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.FORCE_COLOR === '0';
  return { tty, color: tty && !noColor, ...(tty && typeof stream.columns === 'number' && stream.columns > 0 ? { columns: stream.columns } : {}) };
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

/** No rule between rows: a listing reads as one block, and takes half the lines. */
const COMPACT_ROWS = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

/** The widest line of each column (plus the cell's padding of 1 each side), without colour codes. */
function naturalWidths(rows: readonly string[][]): number[] {
  const widths: number[] = [];
  // eslint-disable-next-line no-control-regex
  const visible = (s: string) => Math.max(...s.replace(/\x1b\[[0-9;]*m/g, '').split('\n').map((l) => l.length));
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(cell) + 2)));
  return widths;
}

async function table(head: string[] | undefined, rows: string[][], style: OutputStyle): Promise<string> {
  // cli-table3 is only needed on a terminal; loading it lazily keeps piped runs fast.
  const { default: Table } = await import('cli-table3');
  const natural = naturalWidths(head ? [head, ...rows] : rows);
  // The borders take one column each, and one more at the end.
  const colWidths = style.columns ? fitColumns(natural, style.columns - natural.length - 1) : undefined;
  const t = new Table({
    ...(head ? { head } : {}),
    chars: COMPACT_ROWS,
    ...(colWidths ? { colWidths, wordWrap: true, wrapOnWordBoundary: false } : {}),
    // cli-table3 colours borders and headings even when colour is off, unless styles are empty.
    style: style.color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] },
  });
  t.push(...rows);
  return t.toString();
}

/**
 * A body as `--raw` prints it: compact JSON on one line, and a string bare (as `jq -r`), so a
 * text reply reads as text.
 */
export function rawBody(body: Json): string {
  return typeof body === 'string' ? body : JSON.stringify(body);
}

/**
 * A reply or any body: a key/value table on a terminal; piped, compact JSON on one line, which
 * jq reads and `botz send --data -` takes back whatever the values hold (spaces, newlines).
 */
export async function renderBody(body: Json, style: OutputStyle): Promise<string> {
  const isObject = body !== null && typeof body === 'object' && !Array.isArray(body);
  if (!style.tty) return JSON.stringify(body);
  if (!isObject) return bodyLines(body).join('\n');
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

/** Where a component is: its address, `relay` (reached through the server), or `botzilla HOST:PORT` (a Botzilla v1 component behind the gateway). */
export function componentAddress(c: Pick<ComponentInfo, 'address' | 'meta'>): string {
  const botzilla = c.meta?.[BOTZILLA_META];
  return botzilla !== undefined ? `botzilla ${botzilla}` : (c.address ?? 'relay');
}

/** One component as table cells; a component without an address is reached through the relay. */
export function componentRow(c: ComponentInfo, now: number): string[] {
  return [c.name, componentAddress(c), c.groups.length ? c.groups.join(',') : '-', c.state, formatAge(c.lastHeartbeat, now)];
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

/**
 * Persistent REPL history: one line per entry, oldest first, in `<config dir>/repl_history`
 * (mode 0600: lines can hold payloads). readline wants the opposite order (newest first), so the
 * conversion is a pure function; the file is appended to as lines are entered, so two REPLs
 * running at once both keep their lines.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** How many entries Up/Down can reach. */
export const HISTORY_SIZE = 1_000;

/** Where the history lives in the per-user config directory. */
export function historyPath(configDir: string): string {
  return join(configDir, 'repl_history');
}

/** File text (oldest first) → readline's history (newest first), without blanks or repeats in a row. */
export function parseHistory(text: string, max = HISTORY_SIZE): string[] {
  const entries: string[] = [];
  for (const line of text.split('\n')) {
    const entry = line.replace(/\r$/, '');
    if (entry.trim() === '' || entries[entries.length - 1] === entry) continue;
    entries.push(entry);
  }
  return entries.slice(-max).reverse();
}

/** Whether a line is worth remembering: not blank, not a repeat of the newest entry. */
export function shouldRecord(line: string, newest: string | undefined): boolean {
  return line.trim() !== '' && line !== newest && !line.includes('\n');
}

/** The history file: loaded once, appended to per line. */
export class HistoryFile {
  private newest: string | undefined;

  constructor(readonly path: string) {}

  /** The entries, newest first; compacts the file when it has grown well past `max`. */
  async load(max = HISTORY_SIZE): Promise<string[]> {
    let text = '';
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const entries = parseHistory(text, max);
    this.newest = entries[0];
    if (text.split('\n').length > 2 * max) {
      await writeFile(this.path, [...entries].reverse().join('\n') + '\n', { mode: 0o600 });
    }
    return entries;
  }

  /** Remember one entered line (a failure to write never disturbs the session). */
  async record(line: string): Promise<void> {
    if (!shouldRecord(line, this.newest)) return;
    this.newest = line;
    try {
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      await appendFile(this.path, line + '\n', { mode: 0o600 });
    } catch {
      // A read-only home must not break the REPL; history is a convenience.
    }
  }
}

/**
 * oclif's parse errors as one line that names what is wrong. oclif words them over several
 * lines ("The following errors occurred:" then the reasons; "Missing 1 required arg:" then the
 * argument), and some (a flag without its value, a flag given twice, a value its parser
 * refused) are plain errors without the `parse` mark its other usage errors carry. Pure.
 */

/** The shape of oclif's errors this module reads. */
interface OclifErrorLike {
  message?: unknown;
  parse?: unknown;
  args?: { name?: string; description?: string }[];
}

// oclif dims the reasons with ANSI codes even when colour is off.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** The reasons of a multi-line message, without oclif's boilerplate. */
function reasons(message: string): string[] {
  return message
    .replace(ANSI, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== 'See more help with --help');
}

/**
 * oclif's reasons for flags that exclude or need others, as people say them: one reason per
 * pair, however many sides oclif reported it from.
 */
function constraintReasons(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const exclusive = /^(--[\w-]+)(?:=\S*)? cannot also be provided when using (--[\w-]+)/.exec(line);
    const needs = /^All of the following must be provided when using (--[\w-]+): (.+)$/.exec(line);
    const reason = exclusive
      ? `${[exclusive[1], exclusive[2]].sort().join(' and ')} cannot be used together`
      : needs
        ? `${needs[1]} needs ${needs[2].split(', ').join(' and ')}`
        : line;
    if (!out.includes(reason)) out.push(reason);
  }
  return out;
}

/** One line for a usage error of oclif's parser, or undefined when `err` is not one. */
export function oclifUsageMessage(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as OclifErrorLike;
  if (typeof e.message !== 'string') return undefined;
  const lines = reasons(e.message);
  const first = lines[0] ?? '';
  if (/^Missing \d+ required args?/.test(first) && Array.isArray(e.args) && e.args.length > 0) {
    const missing = e.args.map((a) => `${(a.name ?? 'argument').toUpperCase()}${a.description ? ` (${a.description})` : ''}`);
    return `missing ${missing.join(' and ')}`;
  }
  let m = /^Flag (--\S+) expects a value/.exec(first);
  if (m) return `${m[1]} needs a value${first.includes(':') ? `: ${first.slice(first.indexOf(':') + 1).trim()}` : ''}`;
  m = /^Flag (--\S+) can only be specified once/.exec(first);
  if (m) return `${m[1]} was given more than once; give it once`;
  m = /^Parsing (--\S+)\s*$/.exec(first);
  if (m && lines.length > 1) return `${m[1]}: ${lines.slice(1).join(' ')}`;
  if (/^The following errors? occurred:?$/.test(first)) return constraintReasons(lines.slice(1)).join('; ') || first;
  if (e.parse !== undefined) return lines.join('; ');
  return undefined;
}

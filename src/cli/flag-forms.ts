/**
 * Spellings of a boolean flag that other CLIs accept and our parsers would misread:
 * `--encrypt=true` (oclif takes it for an argument, and the words around it shift) and
 * `--encrypt=false`. Both parsers get the argv with these rewritten to plain `--encrypt` or
 * nothing. Pure.
 */

const TRUE = new Set(['true', '1', 'yes', 'y', 'on']);
const FALSE = new Set(['false', '0', 'no', 'n', 'off']);

/** `argv` with `--flag=true` as `--flag` and `--flag=false` removed, for the boolean flags named. */
export function normalizeBooleanFlags(argv: readonly string[], booleans: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const [i, word] of argv.entries()) {
    // After `--` every word is an argument.
    if (word === '--') return [...out, ...argv.slice(i)];
    const m = /^--([^=]+)=(.*)$/.exec(word);
    if (m && booleans.has(m[1])) {
      const value = m[2].toLowerCase();
      if (TRUE.has(value)) {
        out.push(`--${m[1]}`);
        continue;
      }
      if (FALSE.has(value)) continue;
    }
    out.push(word);
  }
  return out;
}

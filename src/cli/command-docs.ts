/**
 * What `cheat` and `completion` need of every command, read from oclif's command list (the
 * manifest): its words, summary, examples and flag names. Pure over that list.
 */
import type { Command } from '@oclif/core';

/** One command as the cheat sheet and the completion scripts see it. */
export interface CommandDoc {
  /** Its words: `send`, `mesh routes`. */
  words: string;
  summary: string;
  /** Command lines, with the binary's name in place of oclif's template. */
  examples: string[];
  /** `--timeout`, `-d`... */
  flags: string[];
}

/** The commands people type (hidden ones left out), sorted by their words. */
export function commandDocs(commands: readonly Command.Loadable[], bin: string): CommandDoc[] {
  return commands
    .filter((c) => !c.hidden)
    .map((c) => ({
      words: c.id.replaceAll(':', ' '),
      summary: c.summary ?? c.description?.split('\n')[0] ?? '',
      examples: (c.examples ?? []).map((e) => (typeof e === 'string' ? e : e.command).replaceAll('<%= config.bin %>', bin)),
      flags: Object.values(c.flags ?? {}).flatMap((f) => [`--${f.name}`, ...(f.char ? [`-${f.char}`] : [])]),
    }))
    .sort((a, b) => a.words.localeCompare(b.words));
}

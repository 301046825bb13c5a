/**
 * The pick-list `send` offers on a terminal when no target is named. @inquirer/prompts runs its
 * own readline on stdin; while it does, the REPL's readline must not see the keys (it would echo
 * them into the prompt line), so its keypress listeners are detached, and afterwards re-attached
 * with raw mode restored (inquirer turns it off when it closes).
 */
import { Cancelled } from '../lib/errors.js';

/** Let the user choose one of `names`; Ctrl-C or Esc rejects with CANCELLED. */
export async function pickFrom(names: readonly string[], message: string, input: NodeJS.ReadStream = process.stdin): Promise<string> {
  const ours = input.listeners('keypress') as ((...args: unknown[]) => void)[];
  for (const l of ours) input.removeListener('keypress', l);
  // inquirer's select has no Escape; an abort is its way to be dismissed from outside.
  const dismiss = new AbortController();
  const onKey = (_text: unknown, key: { name?: string } | undefined) => {
    if (key?.name === 'escape') dismiss.abort();
  };
  input.on('keypress', onKey);
  try {
    // Loaded on first use: inquirer costs start-up time most sessions never need.
    const { select } = await import('@inquirer/prompts');
    // clearPromptOnDone: a dismissed (or answered) menu must not stay drawn above the prompt.
    const choices = names.map((name) => ({ name, value: name }));
    return await select({ message, choices, loop: false }, { signal: dismiss.signal, clearPromptOnDone: true });
  } catch (e) {
    if ((e as Error).name === 'ExitPromptError' || (e as Error).name === 'AbortPromptError') throw new Cancelled('the pick was cancelled');
    throw e;
  } finally {
    input.removeListener('keypress', onKey);
    for (const l of ours) input.on('keypress', l);
    if (input.isTTY) input.setRawMode(true);
    input.resume();
  }
}

/** Ask yes/no (default yes) with inquirer's confirm; Ctrl-C answers no. */
export async function confirm(message: string): Promise<boolean> {
  const prompts = await import('@inquirer/prompts');
  try {
    return await prompts.confirm({ message, default: true });
  } catch (e) {
    if ((e as Error).name === 'ExitPromptError') return false;
    throw e;
  }
}

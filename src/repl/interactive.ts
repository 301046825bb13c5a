/**
 * The terminal loop on node:readline: prompt, Tab completion, history across sessions, one line
 * at a time (lines typed while a command runs wait their turn), Ctrl-C cancels the running
 * command's wait or clears the line, Ctrl-R searches the history backwards, Ctrl-D (or `exit`)
 * leaves.
 */
import { createInterface, type Interface } from 'node:readline';
import { complete, type CompletionSources } from './completer.js';
import { HISTORY_SIZE, type HistoryFile } from './history.js';
import { PromptOutput } from './output.js';
import { installReverseSearch } from './reverse-search.js';
import type { LineResult } from './session.js';

export interface InteractiveOptions {
  prompt: string;
  history: HistoryFile;
  sources: CompletionSources;
  /** Builds the session once the prompt's output exists (it prints through it). */
  session: (output: PromptOutput, rl: Interface) => { run(line: string, signal?: AbortSignal): Promise<LineResult> };
  /** Printed once above the first prompt. */
  banner?: string;
  input?: NodeJS.ReadStream;
  output?: NodeJS.WriteStream;
  /** Leaves the loop when it settles (our component was shut down). */
  until?: Promise<unknown>;
}

/** Runs until `exit`, Ctrl-D or SIGTERM; resolves to 0. */
export async function runInteractive(o: InteractiveOptions): Promise<number> {
  const input = o.input ?? process.stdin;
  const stdout = o.output ?? process.stdout;
  let entries = await o.history.load();
  const rl = createInterface({
    input,
    output: stdout,
    terminal: true,
    prompt: o.prompt,
    history: entries,
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    completer: (line: string) => complete(line, o.sources),
    tabSize: 4,
  });
  rl.on('history', (now: string[]) => (entries = now));
  const uninstallSearch = installReverseSearch(rl, input, () => entries);
  const out = new PromptOutput(rl, stdout);
  const session = o.session(out, rl);
  const queue: string[] = [];
  let running: AbortController | undefined;
  let closed = false;

  const done = new Promise<void>((resolve) => {
    rl.on('close', () => {
      // Ctrl-D leaves the cursor after the prompt; the shell's prompt belongs on a new line.
      if (!closed) stdout.write('\n');
      closed = true;
      uninstallSearch();
      running?.abort();
      resolve();
    });
  });
  const onTerm = () => rl.close();
  void o.until?.then(onTerm);
  process.once('SIGTERM', onTerm);
  process.once('SIGHUP', onTerm);

  rl.on('SIGINT', () => {
    if (running) return running.abort();
    if (rl.line === '') return out.notice('(Ctrl-D or `exit` leaves the REPL)');
    // Ctrl-E then Ctrl-U: to the end of the line, then delete everything before the cursor.
    rl.write(null, { ctrl: true, name: 'e' });
    rl.write(null, { ctrl: true, name: 'u' });
  });

  const pump = async () => {
    if (running) return;
    while (queue.length && !closed) {
      const line = queue.shift()!;
      running = new AbortController();
      out.busy();
      void o.history.record(line);
      const result = await session.run(line, running.signal);
      running = undefined;
      if (result.quit) return rl.close();
    }
    if (!closed) out.showPrompt();
  };
  rl.on('line', (line) => {
    queue.push(line);
    void pump();
  });

  if (o.banner) stdout.write(o.banner + '\n');
  out.showPrompt();
  await done;
  process.removeListener('SIGTERM', onTerm);
  process.removeListener('SIGHUP', onTerm);
  return 0;
}

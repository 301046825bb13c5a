/**
 * `botz repl` put together: join as a component, keep the completion list current from
 * membership events, then run the terminal loop (stdin a TTY) or the script runner (stdin piped).
 */
import { receivedLine } from '../cli/event-lines.js';
import { describeSecretSource } from '../cli/secret.js';
import { styleFor } from '../cli/output.js';
import { followServerLink, isLinkLost, linkChangeLine } from '../cli/server-link-notices.js';
import type { Message, ShutdownNotice } from '../index.js';
import { historyPath, HistoryFile } from './history.js';
import { runInteractive } from './interactive.js';
import { join, type Joined } from './join.js';
import { LiveComponents } from './live-components.js';
import { PlainOutput, type ReplOutput } from './output.js';
import { confirm, pickFrom } from './pick.js';
import { runScript } from './script.js';
import { Session } from './session.js';

export interface ReplOptions {
  server: string;
  name: string;
  secretFile?: string;
  /** Encrypt payloads on our links. */
  encrypt?: boolean;
  configDir: string;
  /** True when stdin is a terminal: prompt, completion, history, pick-lists, the local-server offer. */
  interactive: boolean;
}

/** Runs the REPL to its end; resolves to the process exit code. Throws when it cannot join. */
export async function runRepl(o: ReplOptions): Promise<number> {
  // Messages can arrive as soon as we are registered, before the output exists: queue them.
  const early: string[] = [];
  let notice: (line: string) => void = (line) => void early.push(line);
  const onMessage = (m: Message) => notice(receivedLine(m, o.name, Date.now()));

  const joined: Joined = await join({
    server: o.server,
    name: o.name,
    secretFile: o.secretFile,
    encrypt: o.encrypt,
    configDir: o.configDir,
    onMessage,
    confirm: o.interactive ? confirm : undefined,
    say: (line) => process.stderr.write(line + '\n'),
  });
  const { component } = joined;
  const live = new LiveComponents(component.name);
  let unwatch: (() => void) | undefined;
  let linkNotice: (line: string) => void = (line) => void early.push(line);
  let linkDown: string | undefined;
  const unfollow = followServerLink(component, joined.server, (change) => {
    linkDown = change.state === 'lost' ? linkChangeLine(change) : undefined;
    linkNotice(linkChangeLine(change));
  });
  // `botz shutdown <our name>` stops our component: every later verb would fail, so leave.
  const shutDown = new Promise<ShutdownNotice>((resolve) => component.once('shutdown', resolve)).then((n) =>
    linkNotice(`${component.name} was shut down by ${n.from}${n.forced ? ' (forced)' : ''}; leaving the REPL`),
  );
  try {
    try {
      unwatch = await component.watch((e) => live.apply(e));
      live.reset(await component.components());
    } catch (error) {
      // The server went away as we joined: completion starts empty, and the REPL says it is reconnecting.
      if (!isLinkLost(error)) throw error;
    }
    const style = styleFor(process.stdout, false);
    const makeSession = (output: ReplOutput) => {
      notice = (line) => output.notice(line);
      // Above the prompt on a terminal; on stderr in a script, where stdout is the results.
      linkNotice = (line) => (o.interactive ? output.notice(line) : output.err(line));
      for (const line of early.splice(0)) output.notice(line);
      return new Session({
        client: component,
        output,
        live,
        style,
        server: joined.server,
        secretSource: describeSecretSource(joined.secret),
        secret: joined.secret.secret,
        stopped: shutDown,
        linkDown: () => linkDown,
        pick: o.interactive
          ? async (names) => {
              output.hold();
              try {
                const name = await pickFrom(names, 'send to which component?');
                // The menu is erased once answered: the choice stays on screen as one line.
                output.err(`send to ${name}`);
                return name;
              } finally {
                output.release();
              }
            }
          : undefined,
      });
    };
    if (!o.interactive) {
      const session = makeSession(new PlainOutput());
      try {
        return await runScript(process.stdin, session, shutDown);
      } finally {
        await session.close();
      }
    }
    let session: Session | undefined;
    const server = style.color ? `\x1b[2m${joined.server}\x1b[22m` : joined.server;
    try {
      return await runInteractive({
        prompt: `${server} botz> `,
        history: new HistoryFile(historyPath(o.configDir)),
        sources: live,
        banner: `joined ${joined.server} as ${component.name}; \`help\` lists the verbs, Tab completes, Ctrl-D leaves`,
        session: (output) => (session = makeSession(output)),
        until: shutDown,
      });
    } finally {
      await session?.close();
    }
  } finally {
    unfollow();
    unwatch?.();
    await component.stop().catch(() => {});
    await joined.localServer?.stop().catch(() => {});
  }
}

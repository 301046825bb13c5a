/**
 * Drives a real terminal for the REPL's end-to-end tests: tmux runs the binary in a detached
 * 120x40 pane; keys go in with send-keys and the screen comes back with capture-pane. Waiting
 * polls the screen for the expected text with a bounded deadline.
 *
 * Each test process gets its own tmux server (a private socket, no user config) that a keeper
 * session holds open until `stopTmux()`. Without the keeper, killing a test's only session makes
 * tmux shut its server down, and the next test's new-session can reach the dying server and fail
 * with "server exited unexpectedly" (seen in CI on a slow machine).
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../e2e/harness.js';

/** The built binary to drive (BOTZ_E2E_ROOT points at another build, e.g. a private one). */
export const BIN = join(process.env.BOTZ_E2E_ROOT ?? ROOT, 'bin', 'run.js');

const SOCKET = join(tmpdir(), `botz-tmux-${process.pid}`);
let counter = 0;
let serverStarted = false;

/** Ends this process's tmux server and every pane in it; call from afterAll. */
export function stopTmux(): void {
  if (!serverStarted) return;
  serverStarted = false;
  try {
    tmux('kill-server');
  } catch {
    // already gone
  }
  rmSync(SOCKET, { force: true });
}

function ensureServer(): void {
  if (serverStarted) return;
  // The keeper outlives every test pane; it ends itself if the test process dies without cleanup.
  tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'keeper', 'sleep 900');
  serverStarted = true;
}

export class TmuxPane {
  readonly name = `botz-repl-${process.pid}-${++counter}`;

  /** Start `node BIN args...` with `env` in a fresh pane; the shell stays after it exits. */
  constructor(args: string[], env: NodeJS.ProcessEnv) {
    const vars = Object.entries(env)
      .filter(([k, v]) => v !== undefined && /^(BOTZ_|NO_COLOR$|PATH$|HOME$|TERM$)/.test(k))
      .map(([k, v]) => `${k}=${shq(v!)}`);
    const cmd = `env ${vars.join(' ')} ${shq(process.execPath)} ${shq(BIN)} ${args.map(shq).join(' ')}; echo "[exited $?]"; sleep 600`;
    ensureServer();
    tmux('new-session', '-d', '-s', this.name, '-x', '120', '-y', '40', cmd);
  }

  /** Type literal text (no Enter). */
  type(text: string): void {
    tmux('send-keys', '-t', this.name, '-l', text);
  }

  /** Press named keys: Enter, Tab, Up, C-c, C-d... */
  press(...keys: string[]): void {
    for (const key of keys) tmux('send-keys', '-t', this.name, key);
  }

  screen(): string {
    return tmux('capture-pane', '-p', '-t', this.name, '-S', '-200');
  }

  /** Resolves with the screen once `re` matches it; fails with the screen after `timeoutMs`. */
  async waitFor(re: RegExp, timeoutMs = 8_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (re.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re} on screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  kill(): void {
    try {
      tmux('kill-session', '-t', this.name);
    } catch {
      // already gone
    }
  }
}

function tmux(...args: string[]): string {
  try {
    return execFileSync('tmux', ['-S', SOCKET, ...args], { encoding: 'utf8' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('tmux is not installed: the REPL terminal tests need it (apt-get install tmux; `npm test` installs it when run as root)', {
        cause: error,
      });
    }
    throw error;
  }
}

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

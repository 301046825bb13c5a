/**
 * `botz connect` on a terminal (tmux): a line session like wscat. Lines typed are sent, lines
 * received are shown after "< ", Ctrl-D half-closes, and the other side's end ends the session.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startNetwork, type Network } from './harness.js';
import { stopTmux, TmuxPane } from '../repl/tmux.js';

let net: Network;
let pane: TmuxPane | undefined;
beforeAll(async () => {
  net = await startNetwork();
  await net.register('tty-echo', '--accept', 'chat', '--echo');
});
afterAll(async () => {
  pane?.kill();
  stopTmux();
  await net?.stop();
});

it('sends typed lines, shows the echoes, and ends with exit 0 after Ctrl-D and the echo\'s end', async () => {
  pane = new TmuxPane(['connect', 'tty-echo', 'chat'], net.env);
  await pane.waitFor(/^>\s*$/m);
  pane.type('hello there');
  pane.press('Enter');
  await pane.waitFor(/^< hello there$/m);
  pane.type('second line');
  pane.press('Enter');
  await pane.waitFor(/^< second line$/m);
  pane.press('C-d');
  const screen = await pane.waitFor(/\[exited \d+\]/);
  expect(screen).toContain('(closed by the other side)');
  expect(screen).toContain('[exited 0]');
});

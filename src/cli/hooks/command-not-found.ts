/**
 * oclif's `command_not_found` hook: an unknown command is a usage error (exit 2) on one line,
 * with the nearest command when the word looks like a typo of one (`botz sned` → send).
 */
import type { Hook } from '@oclif/core';
import { didYouMean } from '../did-you-mean.js';
import { ExitCode } from '../exit-codes.js';

const hook: Hook.CommandNotFound = async function (options) {
  // oclif joins the words it could not place with ':' (`sned:echo`); only a topic's next word is
  // part of the command (`mesh:rootes`), the rest are arguments.
  const [first, second] = options.id.split(':');
  const commands = options.config.commands.filter((c) => !c.hidden).map((c) => c.id.replaceAll(':', ' '));
  const isTopic = second !== undefined && commands.some((c) => c.startsWith(`${first} `));
  const typed = isTopic ? `${first} ${second}` : first;
  const near = didYouMean(typed, commands);
  const advice = near ? `did you mean \`botz ${near}\`?` : 'run `botz --help` for the list of commands';
  process.stderr.write(`botz: unknown command "${typed}"; ${advice}\n`);
  process.exitCode = ExitCode.USAGE;
};

export default hook;

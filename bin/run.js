#!/usr/bin/env node
// chalk 5 and cli-table3 ignore NO_COLOR; FORCE_COLOR=0 turns them off. It must be set before
// anything that reads it is imported, hence the dynamic imports below.
if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') process.env.FORCE_COLOR = '0';

// `botz send` is the one-shot command people time: it skips loading oclif when it can
// (src/cli/fast-send.ts); anything it does not understand falls through to oclif below.
if (process.argv[2] === 'send') {
  const { fastSend } = await import('../dist/cli/fast-send.js');
  const code = await fastSend(process.argv.slice(3));
  if (code !== undefined) {
    process.exitCode = code;
    // Nothing of ours is left to wait for; do not let a lingering socket delay the exit.
    setImmediate(() => process.exit(code));
  }
}
if (process.exitCode === undefined) {
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
}

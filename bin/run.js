#!/usr/bin/env node
// chalk 5 and cli-table3 ignore NO_COLOR; FORCE_COLOR=0 turns them off. It must be set before
// anything that reads it is imported, hence the dynamic imports below.
if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') process.env.FORCE_COLOR = '0';

// Before anything writes: a failed write to stdout fails a one-shot command, and stops a
// streaming one whose reader went away (src/cli/stdout-closed.ts).
const { stdoutWatch } = await import('../dist/cli/stdout-closed.js');
stdoutWatch.install();

// `--context NAME`, BOTZ_CONTEXT or the selected context, as the variables of its settings
// (src/cli/context-env.ts), before any command reads them.
let argv = process.argv.slice(2);
let done = false;
try {
  const { applyContext } = await import('../dist/cli/context-env.js');
  argv = applyContext(argv);
} catch (error) {
  const { failureReport } = await import('../dist/cli/exit-codes.js');
  const report = failureReport(error, {}, undefined);
  process.stderr.write(report.line + '\n');
  process.exitCode = report.exit;
  done = true;
}

// `botz send` is the one-shot command people time: it skips loading oclif when it can
// (src/cli/fast-send.ts); anything it does not understand falls through to oclif below.
if (!done && argv[0] === 'send') {
  const { fastSend } = await import('../dist/cli/fast-send.js');
  const code = await fastSend(argv.slice(1));
  if (code !== undefined) {
    done = true;
    // No process.exit(): the process ends when the reply has reached stdout's reader and the
    // link's closing handshake is over (about a millisecond; ws.ts bounds it at 1 s).
    process.exitCode = await stdoutWatch.exitCode(code);
  }
}
if (!done) {
  const { execute } = await import('@oclif/core');
  // Loading oclif added its own stdout error listener: take over from it.
  stdoutWatch.install();
  await execute({ dir: import.meta.url, args: argv });
}

#!/usr/bin/env node
/* global process */
// chalk 5 and cli-table3 ignore NO_COLOR; FORCE_COLOR=0 turns them off. It must be set before
// anything that reads it is imported, hence the dynamic import below.
if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') process.env.FORCE_COLOR = '0';

const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });

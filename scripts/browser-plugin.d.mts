import type { Plugin } from 'esbuild';

/** The esbuild plugin that builds the library for browsers (see browser-plugin.mjs). */
export function browserPlugin(root: string): Plugin;

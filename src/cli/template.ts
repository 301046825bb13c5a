/**
 * Payload templates, as `nats pub` has them: `{{Count}}`, `{{Random 10 100}}`, `{{TimeStamp}}`,
 * `{{Unix}}`, `{{UnixMilli}}`, `{{ID}}` in `key=value` words, expanded per message. An unknown
 * `{{...}}` is left as it is: a payload may hold braces of its own. Pure: randomness and time
 * come in.
 */
import { randomBytes } from 'node:crypto';
import { BotzError, ErrorCode } from '../lib/errors.js';

export interface TemplateContext {
  /** The message's number in its run, from 1. */
  count: number;
  /** [0, 1), as Math.random. */
  random: () => number;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** A fresh unique id. */
  id: () => string;
}

/** The context of a command's one message: number 1, real time and randomness. */
export function liveTemplateContext(count = 1): TemplateContext {
  return { count, random: Math.random, now: Date.now, id: () => randomBytes(8).toString('hex') };
}

/** A command's `key=value` words with their templates expanded, for its one message. */
export function expandPayload(words: readonly string[], ctx: TemplateContext = liveTemplateContext()): string[] {
  return words.map((w) => expandTemplate(w, ctx));
}

const TEMPLATE = /\{\{\s*(\w+)((?:\s+[^\s}]+)*)\s*\}\}/g;

/** `text` with every known template replaced; a usage error for a Random with bad bounds. */
export function expandTemplate(text: string, ctx: TemplateContext): string {
  if (!text.includes('{{')) return text;
  return text.replace(TEMPLATE, (whole, name: string, rawArgs: string) => {
    const args = rawArgs.trim() === '' ? [] : rawArgs.trim().split(/\s+/);
    switch (name) {
      case 'Count':
        return String(ctx.count);
      case 'Random': {
        const [lo, hi] = args.map((a) => (/^-?\d+$/.test(a) ? Number(a) : NaN));
        if (args.length !== 2 || Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) {
          throw new BotzError(ErrorCode.INVALID_ARGUMENT, `{{Random ${args.join(' ')}}} needs two whole numbers, the lower first: {{Random 10 100}}`);
        }
        return String(lo + Math.floor(ctx.random() * (hi - lo + 1)));
      }
      case 'TimeStamp':
        return new Date(ctx.now()).toISOString();
      case 'Unix':
        return String(Math.floor(ctx.now() / 1000));
      case 'UnixMilli':
        return String(ctx.now());
      case 'ID':
        return ctx.id();
      default:
        return whole;
    }
  });
}

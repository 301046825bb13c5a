/** Reads what `--data` names: a file, stdin, or the inline text itself. */
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { BotzError, ErrorCode } from '../lib/errors.js';
import type { Json } from '../lib/wire/frames.js';
import { fileProblem } from './system-errors.js';
import { parseDataSpec, parseDataText } from './payload.js';

/** Everything a stream yields, as UTF-8 text. */
export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** The JSON body `--data spec` names; `stdin` is injectable for tests and the REPL. */
export async function readData(spec: string, stdin: Readable = process.stdin): Promise<Json> {
  const parsed = parseDataSpec(spec);
  switch (parsed.kind) {
    case 'inline':
      return parseDataText(parsed.text, 'argument');
    case 'stdin':
      return parseDataText(await readAll(stdin), '- (stdin)');
    case 'file': {
      let text: string;
      try {
        text = await readFile(parsed.path, 'utf8');
      } catch (e) {
        throw new BotzError(ErrorCode.INVALID_ARGUMENT, `--data @${parsed.path}: the file ${fileProblem(e)}`, {
          cause: e,
          details: { path: parsed.path },
        });
      }
      return parseDataText(text, `@${parsed.path}`);
    }
  }
}

/**
 * PROTOCOL.md §8 and the one field table of the code (FRAME_FIELDS, src/lib/wire/validate.ts)
 * must say the same, so that a client written from the spec alone checks frames as botz does.
 * This parses §8's frame table and compares it with the code: every frame type, every field,
 * in the order they are checked, optional or not, nullable or not, and the type each is
 * documented with (tried with sample values that type must accept and refuse).
 *
 * Grammar of a row (the second cell): `—`, or fields separated by `; `, each
 *   `name`: TYPE (explanation)      a required field
 *   `name`?: TYPE (explanation)     an optional field (absent, never null)
 * where TYPE is one of TYPE_SAMPLES below, `T \| null`, or literals `"a" \| "b"`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FrameType } from '../../../src/lib/wire/frames.js';
import type { FieldCheck } from '../../../src/lib/wire/fields.js';
import { FRAME_FIELDS } from '../../../src/lib/wire/validate.js';

const protocol = readFileSync(fileURLToPath(new URL('../../../PROTOCOL.md', import.meta.url)), 'utf8');

interface DocField {
  name: string;
  optional: boolean;
  /** The type text, without its explanation. */
  type: string;
}

/** The text of `## 8. ...` up to the next `## ` heading. */
function section8(markdown: string): string {
  const start = markdown.search(/^## 8\. /m);
  if (start < 0) throw new Error('PROTOCOL.md has no "## 8." section');
  const rest = markdown.slice(start + 3);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** Splits a table row on its unescaped pipes. */
function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, '|'));
}

/** Splits `text` on `separator` where no (), [] or {} is open. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0 && text.startsWith(separator, i)) {
      parts.push(text.slice(from, i));
      from = i + separator.length;
      i += separator.length - 1;
    }
  }
  parts.push(text.slice(from));
  return parts;
}

/** The frame table of §8: type → its fields, in the order given; and what could not be read. */
function frameTable(markdown: string): { table: Map<string, DocField[]>; unreadable: string[] } {
  const lines = section8(markdown).split('\n');
  const head = lines.findIndex((l) => /^\|\s*type\s*\|\s*fields/.test(l));
  if (head < 0) throw new Error('§8 has no table whose header starts with "| type | fields"');
  const table = new Map<string, DocField[]>();
  const unreadable: string[] = [];
  for (const line of lines.slice(head + 2)) {
    if (!line.startsWith('|')) break;
    const [typeCell, fieldsCell] = cells(line);
    const type = /^`(\w+)`$/.exec(typeCell)?.[1];
    if (!type || table.has(type)) {
      unreadable.push(`a row whose first cell is not one new \`type\`: ${line}`);
      continue;
    }
    const fields: DocField[] = [];
    if (fieldsCell !== '—') {
      for (const segment of splitTopLevel(fieldsCell, '; ')) {
        const m = /^`(\w+)`(\?)?: (.+)$/.exec(segment.trim());
        if (m) fields.push({ name: m[1], optional: m[2] === '?', type: splitTopLevel(m[3], ' (')[0].trim() });
        else unreadable.push(`${type}: "${segment}" (expected \`name\`: type or \`name\`?: type)`);
      }
    }
    table.set(type, fields);
  }
  return { table, unreadable };
}

const component = { name: 'a', address: null, groups: ['g'], state: 'ready', meta: {}, lastHeartbeat: 1, registeredAt: 1 };
const request = { v: 1, type: 'request', id: 'x.1', from: 'a', body: null };
const hello = { v: 1, type: 'hello', id: 'x.2', from: 'a', role: 'peer', codecs: [], nonce: 'n' };

/** What a documented type must accept and refuse (beyond absence, which optional-ness covers). */
const TYPE_SAMPLES: Record<string, { accepts: unknown[]; refuses: unknown[] }> = {
  string: { accepts: ['', 'x'], refuses: [1, null, ['x']] },
  'non-empty string': { accepts: ['x'], refuses: ['', 1, null] },
  name: { accepts: ['n', 'é'.repeat(127)], refuses: ['', 'x'.repeat(256), null] },
  boolean: { accepts: [true, false], refuses: ['true', 0, null] },
  number: { accepts: [0, -3, 1.5], refuses: ['1', Infinity, null] },
  'integer ≥ 0': { accepts: [0, 7, 2 ** 53 - 1], refuses: [-1, 1.5, 2 ** 53, '1', null] },
  'integer ≥ 1': { accepts: [1, 7], refuses: [0, 1.5, null] },
  'integer 0 … 2^52': { accepts: [0, 2 ** 52], refuses: [-1, 1.5, 2 ** 52 + 1, null] },
  'string[]': { accepts: [[], ['a', '']], refuses: [['a', 1], 'a', null] },
  Json: { accepts: [null, false, 0, 'x', [1], { a: [1, { b: null }] }], refuses: [] },
  object: { accepts: [{}, { a: 1 }], refuses: [[], null, 'x'] },
  'object[]': { accepts: [[], [{}]], refuses: [[1], [[]], {}, null] },
  Headers: { accepts: [{}, { 'trace-id': 'abc' }], refuses: [{ a: 1 }, [], null] },
  'string map': { accepts: [{}, { version: '2' }], refuses: [{ a: 1 }, { a: null }, [], null] },
  ComponentInfo: { accepts: [component], refuses: [{}, { ...component, groups: 'g' }, null] },
  'ComponentInfo[]': { accepts: [[], [component]], refuses: [[{}], component, null] },
  'Range[]': { accepts: [[], [[1, 1], [3, 5]]], refuses: [[[2, 1]], [[0, 1]], [[1]], Array(9).fill([1, 1]), null] },
  'Miss[]': { accepts: [[], [{ name: 'a', code: 'NO_ROUTE' }]], refuses: [[{ name: 'a' }], [{ code: 'X' }], null] },
  MeshIdentity: { accepts: [{ grant: 'g.s', key: 'k', proof: 'p' }], refuses: [{}, { grant: '', key: 'k', proof: 'p' }, { grant: 'g', key: 'k' }, { grant: 'g', key: 'k'.repeat(65), proof: 'p' }, null] },
  'bytes or string': { accepts: [new Uint8Array(0), Buffer.from('ab'), 'q83v'], refuses: [[1, 2], 7, null] },
  'frame[]': { accepts: [[request], [request, { ...request, id: 'x.3' }]], refuses: [[], [hello], [{}], null] },
};

/** The sample values of a documented type: literals, a nullable type, or one of TYPE_SAMPLES (undefined: unknown). */
function samplesOf(type: string): { accepts: unknown[]; refuses: unknown[] } | undefined {
  const alternatives = type.split(' | ').map((a) => a.trim());
  if (alternatives.every((a) => /^"[^"]+"$/.test(a))) {
    return { accepts: alternatives.map((a) => a.slice(1, -1)), refuses: ['no-such-value', 1, null] };
  }
  if (alternatives.length === 2 && alternatives[1] === 'null') {
    const base = samplesOf(alternatives[0]);
    return base && { accepts: [...base.accepts, null], refuses: base.refuses.filter((v) => v !== null) };
  }
  return TYPE_SAMPLES[type];
}

/** A check's verdict; one that throws (a carried frame's own error) refuses the value too. */
function takes(check: FieldCheck, value: unknown): boolean {
  try {
    return check(value);
  } catch {
    return false;
  }
}

const { table: documented, unreadable } = frameTable(protocol);
const inCode = FRAME_FIELDS as Record<FrameType, Record<string, FieldCheck>>;

describe('PROTOCOL.md §8 and FRAME_FIELDS', () => {
  it('§8 can be read: every row names one type, every field is `name`: type', () => {
    expect(unreadable).toEqual([]);
  });

  it('list the same frame types', () => {
    expect([...documented.keys()].sort()).toEqual(Object.keys(inCode).sort());
  });

  it.each(Object.keys(inCode))('%s: the same fields, in the order they are checked', (type) => {
    expect(documented.get(type)?.map((f) => f.name)).toEqual(Object.keys(inCode[type as FrameType]));
  });

  it.each(Object.keys(inCode))('%s: optional where the code lets the field be absent', (type) => {
    const checks = inCode[type as FrameType];
    for (const field of documented.get(type) ?? []) {
      expect({ field: field.name, optional: checks[field.name]?.(undefined) }).toEqual({ field: field.name, optional: field.optional });
    }
  });

  it.each(Object.keys(inCode))('%s: each field takes the values of its documented type', (type) => {
    const checks = inCode[type as FrameType];
    for (const field of documented.get(type) ?? []) {
      const check = checks[field.name];
      if (!check) continue; // reported by the field-list test
      const samples = samplesOf(field.type);
      // A type this test does not know: add it to TYPE_SAMPLES, with what it accepts and refuses.
      expect({ field: field.name, type: field.type, known: samples !== undefined }).toMatchObject({ known: true });
      const { accepts, refuses } = samples!;
      for (const value of accepts) expect({ field: field.name, type: field.type, value, accepted: takes(check, value) }).toMatchObject({ accepted: true });
      for (const value of refuses) expect({ field: field.name, type: field.type, value, accepted: takes(check, value) }).toMatchObject({ accepted: false });
    }
  });
});

import { describe, expect, it } from 'vitest';
import type { ComponentInfo } from '../../src/lib/wire/frames.js';
import { alignColumns, bodyLines, componentRow, formatAge, renderBody, renderComponents, styleFor } from '../../src/cli/output.js';
import { formatClock, memberLine, tailLine, trafficLine } from '../../src/cli/event-lines.js';

const PLAIN = { tty: false, color: false };
const TTY = { tty: true, color: false };
const ESC = String.fromCharCode(27);

const info = (name: string, over: Partial<ComponentInfo> = {}): ComponentInfo => ({
  name,
  address: '127.0.0.1:4100',
  groups: [],
  state: 'ready',
  meta: {},
  lastHeartbeat: 1000,
  registeredAt: 0,
  ...over,
});

describe('styleFor', () => {
  it.each([
    [{ isTTY: true }, false, {}, { tty: true, color: true }],
    [{ isTTY: true }, false, { NO_COLOR: '1' }, { tty: true, color: false }],
    [{ isTTY: true }, true, {}, { tty: false, color: false }],
    [{ isTTY: false }, false, {}, { tty: false, color: false }],
    [{}, false, {}, { tty: false, color: false }],
  ])('%j json=%s env=%j', (stream, json, env, expected) => {
    expect(styleFor(stream, json, env)).toEqual(expected);
  });
});

describe('bodies', () => {
  it('prints payload-grammar lines when piped', async () => {
    expect(bodyLines({ a: '1', n: 2, l: [true] })).toEqual(['a=1', 'n:=2', 'l:=[true]']);
    expect(await renderBody({ a: '1', s: 'x y\nz' }, PLAIN)).toBe('{"a":"1","s":"x y\\nz"}');
    expect(await renderBody('hi', TTY)).toBe('"hi"');
  });

  it('draws a table on a terminal, without escapes when colour is off', async () => {
    const text = await renderBody({ greeting: 'hello' }, TTY);
    expect(text).toContain('greeting');
    expect(text).toContain('│');
    expect(text).not.toContain(ESC);
  });
});

describe('components', () => {
  it('says "relay" for a component without an address and sorts by name', async () => {
    const text = await renderComponents([info('zeta', { address: null, groups: ['a', 'b'] }), info('alpha')], PLAIN, 3000);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+ADDRESS\s+GROUPS\s+STATE\s+LAST HEARTBEAT$/);
    expect(lines[1]).toMatch(/^alpha\s+127\.0\.0\.1:4100\s+-\s+ready\s+2s ago$/);
    expect(lines[2]).toMatch(/^zeta\s+relay\s+a,b\s+ready/);
  });

  it('adds the server each component is attached to when several servers share a store (issue 16)', async () => {
    const text = await renderComponents([info('b', { server: '10.0.0.2:7300' }), info('a', { server: '10.0.0.1:7300' })], PLAIN, 3000);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+ADDRESS\s+GROUPS\s+STATE\s+LAST HEARTBEAT\s+SERVER$/);
    expect(lines[1]).toMatch(/^a\s+.*2s ago\s+10\.0\.0\.1:7300$/);
    expect(lines[2]).toMatch(/^b\s+.*10\.0\.0\.2:7300$/);
  });

  it('has a message for an empty network', async () => {
    expect(await renderComponents([], PLAIN, 0)).toBe('(no components registered)');
  });

  it('formats ages and rows', () => {
    expect(formatAge(0, 5000)).toBe('-');
    expect(formatAge(1000, 1250)).toBe('250ms ago');
    expect(componentRow(info('x', { state: 'suspect' }), 1000)[3]).toBe('suspect');
  });

  it('aligns columns', () => {
    expect(alignColumns([['a', 'bb'], ['ccc', 'd']])).toBe('a    bb\nccc  d');
  });
});

describe('event lines', () => {
  it('formats traffic with latency and path', () => {
    const at = new Date(2026, 0, 1, 12, 3, 4, 5).getTime();
    expect(formatClock(at)).toBe('12:03:04.005');
    const line = trafficLine({ at, from: 'cli', to: 'echo', kind: 'response', id: 'x', size: 2048, path: 'relay', latencyMs: 1.5, body: { a: 1 } }, true);
    expect(line).toBe('12:03:04.005  cli → echo  response  2.0kB  1.5ms  relay  {"a":1}');
  });

  it('formats membership events', () => {
    expect(memberLine('join', info('echo', { address: null, groups: ['g'] }), 0)).toMatch(/join\s+echo {2}relay {2}groups=g$/);
  });

  it.each([
    [1, '12:03:04.005  … 1 event dropped (tail too slow)'],
    [12, '12:03:04.005  … 12 events dropped (tail too slow)'],
  ])('says a slow tail missed %i event(s)', (dropped, line) => {
    const at = new Date(2026, 0, 1, 12, 3, 4, 5).getTime();
    expect(tailLine({ kind: 'dropped', dropped, at })).toBe(line);
  });
});

import { describe, it, expect } from 'vitest';
import { resultsPath, selectParts, SUITE_PARTS } from '../../../src/lib/bench/suite-parts.js';

describe('selectParts (BENCH_ONLY)', () => {
  it('runs every part when unset or empty', () => {
    expect([...selectParts(undefined)]).toEqual([...SUITE_PARTS]);
    expect([...selectParts(' ')]).toEqual([...SUITE_PARTS]);
  });

  it('runs only the named parts, comma or space separated', () => {
    expect([...selectParts('bodies,broadcast')].sort()).toEqual(['bodies', 'broadcast']);
    expect([...selectParts('moleculer nats')].sort()).toEqual(['moleculer', 'nats']);
  });

  it('refuses an unknown part, naming the known ones', () => {
    expect(() => selectParts('bodies,brodcast')).toThrow(/unknown benchmark part brodcast .*parts: requests, bodies/);
  });
});

describe('resultsPath', () => {
  const now = new Date('2026-12-04T03:04:05.678Z');

  it('defaults to an untracked, dated file under bench/out', () => {
    expect(resultsPath([], '/repo', now)).toBe('/repo/bench/out/results-2026-12-04T03-04-05Z.json');
  });

  it('takes --out FILE or --out=FILE', () => {
    expect(resultsPath(['--out', '/tmp/r.json'], '/repo', now)).toBe('/tmp/r.json');
    expect(resultsPath(['--out=/tmp/s.json'], '/repo', now)).toBe('/tmp/s.json');
    expect(() => resultsPath(['--out'], '/repo', now)).toThrow(/--out needs a file name/);
  });
});

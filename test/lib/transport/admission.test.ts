import { describe, expect, it } from 'vitest';
import { Admission, sourceOf } from '../../../src/lib/transport/admission.js';

/**
 * Steps: `+c@S` admits connection c from source S (expected: the ones it evicted, or 'refused'),
 * `*c` authenticates c, `-c` releases it.
 */
type Limits = { maxConnections: number; maxUnauthenticated: number; maxUnauthenticatedPerSource: number };

function run(limits: Limits, steps: string[]): { verdicts: string[]; counts: { total: number; unauthenticated: number } } {
  const admission = new Admission<string>(limits);
  const verdicts: string[] = [];
  for (const step of steps) {
    const [op, rest] = [step[0], step.slice(1)];
    if (op === '+') {
      const [conn, source] = rest.split('@');
      const verdict = admission.admit(conn, source);
      if (!verdict.admitted) verdicts.push(`${conn}:refused`);
      else if (verdict.evicted.length > 0) verdicts.push(`${conn}:evicts ${verdict.evicted.join(',')}`);
    } else if (op === '*') {
      admission.authenticate(rest);
    } else {
      admission.release(rest);
    }
  }
  return { verdicts, counts: admission.counts };
}

const roomy = { maxConnections: 100, maxUnauthenticated: 100, maxUnauthenticatedPerSource: 100 };

describe('Admission', () => {
  it.each([
    ['under every cap, nobody is evicted', roomy, ['+a1@A', '+a2@A', '+b1@B'], [], { total: 3, unauthenticated: 3 }],
    ['at the per-source cap, the oldest of that source goes', { ...roomy, maxUnauthenticatedPerSource: 2 }, ['+a1@A', '+a2@A', '+a3@A'], ['a3:evicts a1'], { total: 2, unauthenticated: 2 }],
    ['the per-source cap leaves other sources alone', { ...roomy, maxUnauthenticatedPerSource: 2 }, ['+a1@A', '+a2@A', '+b1@B', '+b2@B'], [], { total: 4, unauthenticated: 4 }],
    ['authenticated connections do not count against unauthenticated caps', { ...roomy, maxUnauthenticatedPerSource: 2 }, ['+a1@A', '*a1', '+a2@A', '+a3@A'], [], { total: 3, unauthenticated: 2 }],
    ['at the unauthenticated cap, the oldest of the heaviest source goes, not another source\'s', { ...roomy, maxUnauthenticated: 3 }, ['+b1@B', '+a1@A', '+a2@A', '+c1@C'], ['c1:evicts a1'], { total: 3, unauthenticated: 3 }],
    ['between equally heavy sources, the oldest connection goes', { ...roomy, maxUnauthenticated: 2 }, ['+b1@B', '+a1@A', '+c1@C'], ['c1:evicts b1'], { total: 2, unauthenticated: 2 }],
    ['at the total cap, an unauthenticated connection makes room', { ...roomy, maxConnections: 2 }, ['+a1@A', '*a1', '+b1@B', '+c1@C'], ['c1:evicts b1'], { total: 2, unauthenticated: 1 }],
    ['at the total cap with every slot authenticated, the newcomer is refused', { ...roomy, maxConnections: 2 }, ['+a1@A', '*a1', '+b1@B', '*b1', '+c1@C'], ['c1:refused'], { total: 2, unauthenticated: 0 }],
    ['a released slot is free again', { ...roomy, maxConnections: 1 }, ['+a1@A', '*a1', '-a1', '+b1@B'], [], { total: 1, unauthenticated: 1 }],
    ['releasing twice, or something unknown, changes nothing', roomy, ['+a1@A', '-a1', '-a1', '-zz'], [], { total: 0, unauthenticated: 0 }],
    ['an evicted connection is forgotten: its release and authentication change nothing', { ...roomy, maxUnauthenticatedPerSource: 1 }, ['+a1@A', '+a2@A', '*a1', '-a1'], ['a2:evicts a1'], { total: 1, unauthenticated: 1 }],
    ['one eviction at the per-source cap also frees a slot of the total', { maxConnections: 2, maxUnauthenticated: 2, maxUnauthenticatedPerSource: 1 }, ['+a1@A', '+b1@B', '+b2@B'], ['b2:evicts b1'], { total: 2, unauthenticated: 2 }],
  ])('%s', (_name, limits, steps, verdicts, counts) => {
    expect(run(limits, steps)).toEqual({ verdicts, counts });
  });

  it('a flood from one source never evicts another source\'s pending connection', () => {
    const admission = new Admission<string>({ maxConnections: 10, maxUnauthenticated: 6, maxUnauthenticatedPerSource: 6 });
    admission.admit('legit', 'B');
    const evicted: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const verdict = admission.admit(`a${i}`, 'A');
      if (verdict.admitted) evicted.push(...verdict.evicted);
    }
    expect(evicted).not.toContain('legit');
    expect(admission.counts).toEqual({ total: 6, unauthenticated: 6 });
  });
});

describe('sourceOf', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['::1', '0:0:0:0::/64'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2::7', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:0db8:0001:0002:ffff::', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['mem-host', 'mem-host'],
  ])('%s → %s', (ip, source) => {
    expect(sourceOf(ip)).toBe(source);
  });
});

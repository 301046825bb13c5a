/** Issue 17: tables fit the terminal's width and draw no rule between rows. */
import { describe, expect, it } from 'vitest';
import type { ComponentInfo } from '../../src/lib/wire/frames.js';
import { renderBody, renderComponents, styleFor } from '../../src/cli/output.js';
import { fitColumns } from '../../src/cli/table-fit.js';

const widths = (text: string) => text.split('\n').map((l) => l.length);

describe('fitColumns', () => {
  it.each([
    [[10, 20], 100, [10, 20]],
    [[10, 200], 60, [10, 50]],
    [[30, 30, 30], 60, [20, 20, 20]],
    [[3, 3], 2, [3, 3]],
  ])('%j in %i', (natural, available, fitted) => {
    expect(fitColumns(natural, available)).toEqual(fitted);
  });
});

describe('tables on a terminal', () => {
  it('a 200-character value wraps inside a 120-column table', async () => {
    const text = await renderBody({ short: 'x', long: 'v'.repeat(200) }, { tty: true, color: false, columns: 120 });
    expect(Math.max(...widths(text))).toBeLessThanOrEqual(120);
    expect(text.replace(/[^v]/g, '')).toHaveLength(200);
  });

  it('the component list fits 60 columns, with no rule between rows', async () => {
    const info = (name: string): ComponentInfo => ({ name, address: '127.0.0.1:41000', groups: ['workers'], state: 'ready', meta: {}, lastHeartbeat: 1000, registeredAt: 0 });
    const text = await renderComponents([info('a'), info('b'), info('c')], { tty: true, color: false, columns: 60 }, 2000);
    expect(Math.max(...widths(text))).toBeLessThanOrEqual(60);
    expect(text.split('\n').filter((l) => l.startsWith('├'))).toHaveLength(0);
    // Wide enough, a row is one line: top rule, heading, three rows, bottom rule.
    const wide = await renderComponents([info('a'), info('b'), info('c')], { tty: true, color: false, columns: 100 }, 2000);
    expect(wide.split('\n')).toHaveLength(6);
  });

  it('takes the width from a terminal stream', () => {
    expect(styleFor({ isTTY: true, columns: 80 } as never, false, {})).toEqual({ tty: true, color: true, columns: 80 });
  });
});

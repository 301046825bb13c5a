/**
 * Column widths that fit a terminal: the widest columns give way first, down to a floor, so a
 * 200-character value wraps inside its cell instead of wrapping the whole table into garbage.
 * Pure.
 */

/** The narrowest a column is cut to: room for a short word and the cell's padding. */
const MIN_COLUMN = 6;

/**
 * `natural` widths (padding included) cut so their sum fits `available`; the widest column is
 * cut first, one character at a time, so columns that must give way end up equal. Columns at
 * the floor are not cut further, even if the table then does not fit.
 */
export function fitColumns(natural: readonly number[], available: number, min = MIN_COLUMN): number[] {
  const widths = [...natural];
  let over = widths.reduce((a, b) => a + b, 0) - available;
  while (over > 0) {
    const widest = Math.max(...widths);
    if (widest <= min) break;
    widths[widths.indexOf(widest)]--;
    over--;
  }
  return widths;
}

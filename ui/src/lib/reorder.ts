// The index math of drag-to-reorder, apart from the DOM so it can be tested:
// where a pointer at `y` would drop a row among the rows' rectangles, and
// which `move {to}` that is (the lineup's `to` is the index the product
// ends at, counted after taking it out).

export interface RowRect {
  top: number;
  height: number;
}

/**
 * The gap the pointer is over: 0 is before the first row, `rects.length`
 * after the last. A row's upper half drops before it, its lower half after.
 */
export function dropGap(y: number, rects: readonly RowRect[]): number {
  let gap = 0;
  for (const r of rects) {
    if (y >= r.top + r.height / 2) gap++;
    else break;
  }
  return gap;
}

/** The `to` of a move from index `from` into `gap`; null when the row would stay where it is. */
export function moveTarget(from: number, gap: number): number | null {
  const to = gap > from ? gap - 1 : gap;
  return to === from ? null : to;
}

/** Alt+ArrowUp/Down on a row: the index it moves to, or null at either end. */
export function keyboardTarget(from: number, delta: -1 | 1, count: number): number | null {
  const to = from + delta;
  return to < 0 || to >= count ? null : to;
}

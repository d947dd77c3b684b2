import { describe, expect, it } from 'vitest';
import { dropGap, keyboardTarget, moveTarget } from './reorder';

// Four rows, 30 px high, from y = 100.
const rows = [0, 1, 2, 3].map((i) => ({ top: 100 + i * 30, height: 30 }));

describe('drag to reorder', () => {
  it('finds the gap under the pointer by the rows’ midpoints', () => {
    expect(dropGap(50, rows)).toBe(0);
    expect(dropGap(114, rows)).toBe(0);
    expect(dropGap(115, rows)).toBe(1);
    expect(dropGap(160, rows)).toBe(2);
    expect(dropGap(219, rows)).toBe(4);
    expect(dropGap(500, rows)).toBe(4);
    expect(dropGap(10, [])).toBe(0);
  });

  it('turns a gap into the index the row ends at', () => {
    // Dragging row 0 down past row 2 (gap 3) puts it at index 2.
    expect(moveTarget(0, 3)).toBe(2);
    expect(moveTarget(0, 4)).toBe(3);
    // Dragging row 3 up to the top.
    expect(moveTarget(3, 0)).toBe(0);
    expect(moveTarget(2, 1)).toBe(1);
  });

  it('ignores a drop where the row already is', () => {
    expect(moveTarget(1, 1)).toBeNull();
    expect(moveTarget(1, 2)).toBeNull();
    expect(moveTarget(0, 0)).toBeNull();
  });

  it('combines both for a whole drag', () => {
    const to = (from: number, y: number) => moveTarget(from, dropGap(y, rows));
    expect(to(0, 205)).toBe(3);
    expect(to(3, 101)).toBe(0);
    expect(to(1, 140)).toBeNull();
  });

  it('moves one step with the keyboard, not past either end', () => {
    expect(keyboardTarget(1, -1, 4)).toBe(0);
    expect(keyboardTarget(0, -1, 4)).toBeNull();
    expect(keyboardTarget(2, 1, 4)).toBe(3);
    expect(keyboardTarget(3, 1, 4)).toBeNull();
  });
});

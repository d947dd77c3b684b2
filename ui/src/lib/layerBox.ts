// Geometry of the preview's layer editing: where the program picture
// sits inside the preview element, and a layer's box after the pointer
// moved one of its handles, snapped to the canvas edges and centre.
// Pure functions, in program pixels, so what the host drags is what is
// streamed.

import { LIMITS, type LayerBox } from '../ipc';

export type Handle = 'move' | 'nw' | 'n' | 'ne' | 'e' | 'se' | 's' | 'sw' | 'w';
export const RESIZE_HANDLES: Handle[] = ['nw', 'n', 'ne', 'e', 'se', 's', 'sw', 'w'];

export interface Size {
  width: number;
  height: number;
}

/** Where a `program`-sized picture is drawn in an `element`-sized box
 *  with `object-fit: contain`: its offset and CSS pixels per program pixel. */
export interface Fit {
  x: number;
  y: number;
  scale: number;
}

export function containFit(element: Size, program: Size): Fit {
  if (program.width <= 0 || program.height <= 0 || element.width <= 0 || element.height <= 0) {
    return { x: 0, y: 0, scale: 1 };
  }
  const scale = Math.min(element.width / program.width, element.height / program.height);
  return {
    x: (element.width - program.width * scale) / 2,
    y: (element.height - program.height * scale) / 2,
    scale,
  };
}

/** Snaps `value` (an edge or centre, in program pixels) to the nearest of
 *  `lines` within `within` pixels; returns the shift to apply (0 if none). */
function snapShift(values: number[], lines: number[], within: number): number {
  let best = 0;
  let bestDist = within + 1;
  for (const v of values) {
    for (const l of lines) {
      const d = Math.abs(l - v);
      if (d <= within && d < bestDist) {
        best = l - v;
        bestDist = d;
      }
    }
  }
  return best;
}

const clampSide = (v: number) => Math.min(LIMITS.layer_side.max, Math.max(LIMITS.layer_side.min, Math.round(v)));
const clampPos = (v: number) => Math.min(LIMITS.layer_position.max, Math.max(LIMITS.layer_position.min, Math.round(v)));

/**
 * The box after dragging `handle` by (`dx`, `dy`) program pixels from
 * `start`. Moving snaps the box's left, centre and right (and top,
 * middle, bottom) to the canvas's edges and centre lines; resizing snaps
 * the moving edges. Corner handles keep the box's aspect ratio unless
 * `free` (the Shift key). Sizes never go under the smallest layer.
 */
export function dragBox(start: LayerBox, handle: Handle, dx: number, dy: number, canvas: Size, snap: number, free = false): LayerBox {
  const xs = [0, canvas.width / 2, canvas.width];
  const ys = [0, canvas.height / 2, canvas.height];
  if (handle === 'move') {
    let x = start.x + dx;
    let y = start.y + dy;
    x += snapShift([x, x + start.width / 2, x + start.width], xs, snap);
    y += snapShift([y, y + start.height / 2, y + start.height], ys, snap);
    return { x: clampPos(x), y: clampPos(y), width: start.width, height: start.height };
  }
  let left = start.x;
  let top = start.y;
  let right = start.x + start.width;
  let bottom = start.y + start.height;
  const west = handle.includes('w');
  const east = handle.includes('e');
  const north = handle.includes('n');
  const south = handle.includes('s');
  if (west) left += dx;
  if (east) right += dx;
  if (north) top += dy;
  if (south) bottom += dy;
  if (west) left += snapShift([left], xs, snap);
  if (east) right += snapShift([right], xs, snap);
  if (north) top += snapShift([top], ys, snap);
  if (south) bottom += snapShift([bottom], ys, snap);
  const min = LIMITS.layer_side.min;
  if (right - left < min) {
    if (west) left = right - min;
    else right = left + min;
  }
  if (bottom - top < min) {
    if (north) top = bottom - min;
    else bottom = top + min;
  }
  const corner = (west || east) && (north || south);
  if (corner && !free && start.width > 0 && start.height > 0) {
    // Keep the aspect: the wider of the two changes leads, and the
    // opposite corner stays put.
    const aspect = start.width / start.height;
    let w = right - left;
    let h = bottom - top;
    if (w / aspect >= h) h = w / aspect;
    else w = h * aspect;
    if (west) left = right - w;
    else right = left + w;
    if (north) top = bottom - h;
    else bottom = top + h;
  }
  return {
    x: clampPos(left),
    y: clampPos(top),
    width: clampSide(right - left),
    height: clampSide(bottom - top),
  };
}

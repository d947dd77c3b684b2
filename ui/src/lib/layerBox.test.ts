import { describe, expect, it } from 'vitest';
import { LIMITS } from '../ipc';
import { containFit, dragBox } from './layerBox';

const canvas = { width: 1280, height: 720 };
const pip = { x: 820, y: 440, width: 426, height: 240 };

describe('containFit', () => {
  it('letterboxes a 16:9 picture in a tall box and pillarboxes it in a wide one', () => {
    expect(containFit({ width: 640, height: 480 }, canvas)).toEqual({ x: 0, y: 60, scale: 0.5 });
    expect(containFit({ width: 1000, height: 360 }, canvas)).toEqual({ x: 180, y: 0, scale: 0.5 });
    expect(containFit({ width: 0, height: 0 }, canvas)).toEqual({ x: 0, y: 0, scale: 1 });
  });
});

describe('dragBox', () => {
  it('moves by the pointer and snaps to the edges and the centre', () => {
    expect(dragBox(pip, 'move', -100, -50, canvas, 0)).toEqual({ ...pip, x: 720, y: 390 });
    // 6 px from the right edge: snapped flush.
    expect(dragBox(pip, 'move', 28, 0, canvas, 8)).toEqual({ ...pip, x: 854 });
    // Its centre near the canvas's centre line.
    const centred = dragBox(pip, 'move', -820 + 640 - 213 + 5, 0, canvas, 8);
    expect(centred.x + centred.width / 2).toBe(640);
    // Outside the snapping distance nothing moves it.
    expect(dragBox(pip, 'move', 20, 0, canvas, 8).x).toBe(840);
  });

  it('resizes by an edge freely and by a corner keeping the aspect', () => {
    expect(dragBox(pip, 'e', -100, 0, canvas, 0)).toEqual({ ...pip, width: 326 });
    expect(dragBox(pip, 'n', 0, 40, canvas, 0)).toEqual({ ...pip, y: 480, height: 200 });
    const grown = dragBox(pip, 'nw', -213, -10, canvas, 0);
    expect(grown.x + grown.width).toBe(pip.x + pip.width);
    expect(grown.y + grown.height).toBe(pip.y + pip.height);
    expect(grown.width).toBe(639);
    expect(grown.height).toBe(360);
    const free = dragBox(pip, 'se', 10, -100, canvas, 0, true);
    expect(free).toEqual({ ...pip, width: 436, height: 140 });
  });

  it('snaps a dragged edge and never makes a box smaller than a layer may be', () => {
    expect(dragBox(pip, 'se', 30, 0, canvas, 8, true).width).toBe(1280 - 820);
    const tiny = dragBox(pip, 'w', 5000, 0, canvas, 0);
    expect(tiny.width).toBe(LIMITS.layer_side.min);
    expect(tiny.x + tiny.width).toBe(pip.x + pip.width);
  });
});

import { describe, expect, it, vi } from 'vitest';
vi.mock('../ipc/api', async () => (await import('../test/apiMock')).apiMock);

import type { LayerBox } from '../ipc';
import { fake } from '../test/apiMock';
import { byTestId, makeCtx } from '../test/ctx';
import { makeFakeApi, session } from '../test/fakeApi';
import { LayerEditor } from './layerEditor';

function pointer(type: string, x: number, y: number): MouseEvent {
  return new MouseEvent(type, { clientX: x, clientY: y, button: 0, bubbles: true });
}

function rig() {
  fake.current = makeFakeApi();
  const host = document.createElement('div');
  document.body.appendChild(host);
  const ctx = makeCtx(host);
  ctx.store.setSession(session({ rev: 1, mode: 'rehearsal', phase: 'preview', role: 'host', can_stream: true }));
  ctx.store.setSettings({ ...ctx.store.settings, scenes: { ...ctx.store.settings.scenes, active: 'camera-video' } });
  // A 640x480 preview element: the 1280x720 picture is drawn at half
  // size, 60 px down (letterboxed).
  const picture = document.createElement('div');
  picture.getBoundingClientRect = () => ({ x: 0, y: 0, left: 0, top: 0, right: 640, bottom: 480, width: 640, height: 480, toJSON: () => ({}) });
  const editor = new LayerEditor(ctx, picture);
  host.appendChild(editor.element);
  const pip = () => ctx.store.settings.scenes.list.find((s) => s.id === 'camera-video')!.layers[0]!;
  return { ctx, editor, pip };
}

describe('the layer editor', () => {
  it('draws each layer where the program has it and moves it with the pointer', async () => {
    const { ctx, editor, pip } = rig();
    expect(ctx.store.settings.canvas).toMatchObject({ width: 1280, height: 720 });
    editor.render();
    const start: LayerBox = pip().box;
    const box = byTestId(editor.element, `layer-box-${pip().id}`)!;
    expect([box.style.left, box.style.top, box.style.width, box.style.height]).toEqual([
      `${start.x / 2}px`,
      `${60 + start.y / 2}px`,
      `${start.width / 2}px`,
      `${start.height / 2}px`,
    ]);
    expect(byTestId(editor.element, 'handle-se')).toBeNull();

    // 40 CSS px left and 20 up is 80 and 40 program pixels.
    box.dispatchEvent(pointer('pointerdown', 300, 300));
    const dragged = byTestId(editor.element, `layer-box-${pip().id}`)!;
    expect(byTestId(dragged, 'handle-se'), 'the pressed layer is selected').not.toBeNull();
    dragged.dispatchEvent(pointer('pointermove', 260, 280));
    const moved = { ...start, x: start.x - 80, y: start.y - 40 };
    expect(pip().box).toEqual(moved);
    expect(dragged.style.left).toBe(`${moved.x / 2}px`);
    dragged.dispatchEvent(pointer('pointerup', 260, 280));
    await vi.waitFor(() =>
      expect(fake.current.api.setLayerBox).toHaveBeenLastCalledWith('camera-video', pip().id, moved, pip().crop, true),
    );
  });

  it('resizes from a corner keeping the aspect, snapping to the canvas edge', async () => {
    const { editor, pip } = rig();
    editor.render();
    const start = pip().box;
    byTestId(editor.element, `layer-box-${pip().id}`)!.dispatchEvent(pointer('pointerdown', 300, 300));
    byTestId(editor.element, `layer-box-${pip().id}`)!.dispatchEvent(pointer('pointerup', 300, 300));
    const handle = byTestId(editor.element, 'handle-nw')!;
    // Drag the top-left corner to 3 CSS px from the canvas's left edge.
    handle.dispatchEvent(pointer('pointerdown', start.x / 2, 60 + start.y / 2));
    handle.dispatchEvent(pointer('pointermove', 3, 60 + start.y / 2));
    handle.dispatchEvent(pointer('pointerup', 3, 60 + start.y / 2));
    const b = pip().box;
    expect(b.x).toBe(0);
    expect(b.x + b.width).toBe(start.x + start.width);
    expect(b.y + b.height).toBe(start.y + start.height);
    expect(b.width / b.height).toBeCloseTo(start.width / start.height, 1);
    await vi.waitFor(() => expect(fake.current.api.setLayerBox).toHaveBeenLastCalledWith('camera-video', pip().id, b, pip().crop, true));
  });

  it('gives an assistant nothing to drag', () => {
    const { ctx, editor } = rig();
    ctx.store.setSession(session({ rev: 2, mode: 'assistant', role: 'assistant' }));
    editor.render();
    expect(editor.element.children.length).toBe(0);
  });
});

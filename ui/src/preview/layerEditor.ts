// The preview's layer editing: a box over each visible layer of the
// active scene, placed where the program draws it. Drag a box to move
// its layer, drag a handle to resize it (corners keep the aspect; hold
// Shift for free). Edges and centres snap to the canvas's edges and
// centre lines. The box lands in program pixels, so what the host sees
// here is what is streamed.

import { t } from '../i18n';
import type { Layer, LayerBox, Scene } from '../ipc';
import { containFit, dragBox, RESIZE_HANDLES, type Fit, type Handle } from '../lib/layerBox';
import { clear, h } from '../lib/dom';
import type { Ctx } from '../ctx';

/** Snapping reaches this many CSS pixels, whatever the preview's size. */
const SNAP_CSS_PX = 8;

export function layerLabel(l: Layer): string {
  switch (l.source.kind) {
    case 'text':
      return l.source.text || t('scenes.layer_text');
    case 'picture':
      return t('scenes.layer_picture');
    case 'video':
      return t(`sources.kind_${l.source.video.kind}`);
    case 'product_card':
      return t('scenes.layer_card');
  }
}

export class LayerEditor {
  readonly element: HTMLDivElement;
  private selected: string | null = null;
  private dragging = false;

  constructor(
    private readonly ctx: Ctx,
    /** The element the program picture fills (`object-fit: contain`). */
    private readonly picture: HTMLElement,
  ) {
    this.element = h('div', { class: 'layer-editor', testid: 'layer-editor' });
  }

  private scene(): Scene | undefined {
    const s = this.ctx.store.settings.scenes;
    return s.list.find((x) => x.id === s.active) ?? s.list[0];
  }

  private fit(): Fit {
    const c = this.ctx.store.settings.canvas;
    const r = this.picture.getBoundingClientRect();
    return containFit({ width: r.width, height: r.height }, { width: c.width, height: c.height });
  }

  /** Redraws the boxes (settings changed, the panel resized). Skipped
   *  mid-drag: the drag draws its own box. */
  render(): void {
    if (this.dragging) return;
    clear(this.element);
    const scene = this.scene();
    const editable = this.ctx.store.session.role !== 'assistant';
    if (!scene || !editable) return;
    const fit = this.fit();
    for (const layer of scene.layers) {
      if (!layer.visible) continue;
      const box = h('div', {
        class: `layer-box${layer.id === this.selected ? ' selected' : ''}`,
        testid: `layer-box-${layer.id}`,
        attrs: { title: layerLabel(layer) },
      });
      box.appendChild(h('span', { class: 'layer-label', text: layerLabel(layer) }));
      this.place(box, layer.box, fit);
      box.addEventListener('pointerdown', (e) => this.start(e, scene.id, layer, 'move', box));
      if (layer.id === this.selected) {
        for (const handle of RESIZE_HANDLES) {
          const knob = h('div', { class: `layer-handle handle-${handle}`, testid: `handle-${handle}` });
          knob.addEventListener('pointerdown', (e) => {
            e.stopPropagation();
            this.start(e, scene.id, layer, handle, box);
          });
          box.appendChild(knob);
        }
      }
      this.element.appendChild(box);
    }
  }

  private place(el: HTMLElement, b: LayerBox, fit: Fit): void {
    el.style.left = `${fit.x + b.x * fit.scale}px`;
    el.style.top = `${fit.y + b.y * fit.scale}px`;
    el.style.width = `${b.width * fit.scale}px`;
    el.style.height = `${b.height * fit.scale}px`;
  }

  private start(e: PointerEvent, scene: string, layer: Layer, handle: Handle, el: HTMLElement): void {
    if (e.button !== 0) return;
    e.preventDefault();
    if (this.selected !== layer.id) {
      this.selected = layer.id;
      this.render();
      // The redraw made new elements: drag the new box.
      const fresh = [...this.element.children].find(
        (c): c is HTMLElement => c instanceof HTMLElement && c.dataset.testid === `layer-box-${layer.id}`,
      );
      if (fresh) el = fresh;
    }
    const fit = this.fit();
    const c = this.ctx.store.settings.canvas;
    const canvas = { width: c.width, height: c.height };
    const snap = SNAP_CSS_PX / fit.scale;
    const from = { x: e.clientX, y: e.clientY };
    let last = layer.box;
    this.dragging = true;
    // Keeps the moves coming when the pointer leaves the box or the window.
    el.setPointerCapture?.(e.pointerId);
    const move = (ev: PointerEvent) => {
      const dx = (ev.clientX - from.x) / fit.scale;
      const dy = (ev.clientY - from.y) / fit.scale;
      const next = dragBox(layer.box, handle, dx, dy, canvas, snap, ev.shiftKey);
      if (next.x === last.x && next.y === last.y && next.width === last.width && next.height === last.height) return;
      last = next;
      this.place(el, next, fit);
      this.ctx.actions.scenes.moveLayer(scene, layer.id, next, false);
    };
    const end = (ev: PointerEvent) => {
      // The release may come without a move at its own position.
      if (ev.type === 'pointerup') move(ev);
      el.removeEventListener('pointermove', move);
      el.removeEventListener('pointerup', end);
      el.removeEventListener('pointercancel', end);
      this.dragging = false;
      this.ctx.actions.scenes.moveLayer(scene, layer.id, last, true);
      this.render();
    };
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerup', end);
    el.addEventListener('pointercancel', end);
  }
}

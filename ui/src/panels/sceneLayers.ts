// The active scene's layers in the Sources panel: add a text, a picture,
// a video or the product card; show, hide, fade, restack or remove each; style a text
// (words, size, colour, outline, background, font). Every change goes to the
// session as the whole scene list, which it checks and saves; moving and
// resizing happen with the pointer on the preview.

import { t } from '../i18n';
import { LIMITS, NEW_TEXT_LOOK, type Layer, type LayerSource, type Scenes, type TextLook } from '../ipc';
import { button, clear, h } from '../lib/dom';
import { addScene, patchLayer, removeLayer, removeScene, renameScene, restack } from '../lib/sceneEdit';
import type { Ctx } from '../ctx';
import { layerLabel } from '../preview/layerEditor';
import type { Subs } from './panel';
import { sceneName } from './sceneBar';

type AddKind = 'text' | 'picture' | 'file' | 'camera' | 'screen' | 'test' | 'card';
const ADD_KINDS: AddKind[] = ['text', 'picture', 'file', 'camera', 'screen', 'test', 'card'];

/** `#rrggbb` of a colour that may carry alpha (the colour input has none). */
const rgbOf = (c: string) => c.slice(0, 7);

export function sceneLayers(ctx: Ctx, subs: Subs): HTMLElement {
  const { store, actions } = ctx;
  const scenes = () => store.settings.scenes;
  const active = () => scenes().list.find((s) => s.id === scenes().active) ?? scenes().list[0];
  const save = (next: Scenes) => void actions.scenes.save(next);

  const nameInput = h('input', { class: 'input', testid: 'scene-name', attrs: { type: 'text', maxlength: LIMITS.scene_name_chars.max } });
  nameInput.addEventListener('change', () => {
    const s = active();
    if (s) save(renameScene(scenes(), s.id, nameInput.value.trim()));
  });
  const list = h('div', { class: 'layer-list', testid: 'layer-list' });
  const kindSel = h('select', { class: 'input', testid: 'layer-kind' });
  for (const k of ADD_KINDS) {
    const label =
      k === 'text' ? 'scenes.layer_text' : k === 'picture' ? 'scenes.layer_picture' : k === 'card' ? 'scenes.layer_card' : (`sources.kind_${k}` as const);
    kindSel.appendChild(h('option', { i18n: label, attrs: { value: k } }));
  }
  const valueInput = h('input', { class: 'input', testid: 'layer-value', attrs: { type: 'text', spellcheck: 'false' } });
  const layoutAdd = () => {
    const k = kindSel.value as AddKind;
    valueInput.hidden = k === 'screen' || k === 'test' || k === 'card';
    valueInput.placeholder = t(k === 'text' ? 'scenes.text_ph' : k === 'camera' ? 'scenes.camera_ph' : 'scenes.path_ph');
  };
  kindSel.addEventListener('change', layoutAdd);
  layoutAdd();

  const add = async () => {
    const s = active();
    if (!s) return;
    const v = valueInput.value.trim();
    const k = kindSel.value as AddKind;
    let source: LayerSource;
    switch (k) {
      case 'text':
        source = { kind: 'text', ...NEW_TEXT_LOOK, text: v || t('scenes.new_text') };
        break;
      case 'picture':
        source = { kind: 'picture', path: v };
        break;
      case 'file':
        source = { kind: 'video', video: { kind: 'file', path: v, once: false } };
        break;
      case 'camera':
        source = { kind: 'video', video: { kind: 'camera', id: v } };
        break;
      case 'screen':
        source = { kind: 'video', video: { kind: 'screen', id: null } };
        break;
      case 'test':
        source = { kind: 'video', video: { kind: 'test' } };
        break;
      case 'card':
        source = { kind: 'product_card' };
        break;
    }
    if (await actions.scenes.addLayer(s.id, source)) valueInput.value = '';
  };

  const el = h(
    'div',
    { class: 'scene-layers', testid: 'scene-layers' },
    h('h3', { i18n: 'scenes.layers' }),
    h(
      'div',
      { class: 'row' },
      nameInput,
      button('scenes.add_scene', () => save(addScene(scenes(), t('scenes.new_scene'))), { class: 'btn btn-small', testid: 'scene-add' }),
      button('scenes.remove_scene', () => { const s = active(); if (s) save(removeScene(scenes(), s.id)); }, { class: 'btn btn-small', testid: 'scene-remove' }),
    ),
    list,
    h('div', { class: 'row' }, kindSel, valueInput, button('scenes.add_layer', () => void add(), { class: 'btn btn-small btn-primary', testid: 'layer-add' })),
  );

  const row = (sceneId: string, l: Layer, i: number, n: number): HTMLElement => {
    const visible = h('input', { testid: `layer-visible-${l.id}`, attrs: { type: 'checkbox', 'aria-label': t('scenes.visible') } });
    visible.checked = l.visible;
    visible.addEventListener('change', () => save(patchLayer(scenes(), sceneId, l.id, { visible: visible.checked })));
    const opacity = h('input', {
      class: 'range',
      testid: `layer-opacity-${l.id}`,
      attrs: { type: 'range', min: LIMITS.opacity.min, max: LIMITS.opacity.max, step: 0.05, 'aria-label': t('scenes.opacity') },
    });
    opacity.value = String(l.opacity);
    opacity.addEventListener('change', () => save(patchLayer(scenes(), sceneId, l.id, { opacity: Number(opacity.value) })));
    const tools = h(
      'div',
      { class: 'layer-tools' },
      button('scenes.up', () => save(restack(scenes(), sceneId, l.id, 1)), { class: 'btn btn-small', title: 'scenes.up' }),
      button('scenes.down', () => save(restack(scenes(), sceneId, l.id, -1)), { class: 'btn btn-small', title: 'scenes.down' }),
      button('scenes.remove_layer', () => save(removeLayer(scenes(), sceneId, l.id)), { class: 'btn btn-small', testid: `layer-remove-${l.id}` }),
    );
    (tools.children[0] as HTMLButtonElement).disabled = i === n - 1;
    (tools.children[1] as HTMLButtonElement).disabled = i === 0;
    const r = h(
      'div',
      { class: 'layer-row', testid: `layer-row-${l.id}` },
      h('div', { class: 'row' }, visible, h('span', { class: 'layer-name', text: layerLabel(l) }), opacity),
      tools,
    );
    if (l.source.kind === 'text') r.appendChild(textFields(sceneId, l.id, l.source));
    const video = l.source.kind === 'video' ? l.source.video : null;
    if (video?.kind === 'file') {
      // Played once, a product video starts from the beginning each time
      // its scene comes on and leaves the picture at its end.
      const once = h('input', { testid: `layer-once-${l.id}`, attrs: { type: 'checkbox' } });
      once.checked = video.once;
      once.addEventListener('change', () =>
        save(patchLayer(scenes(), sceneId, l.id, { source: { kind: 'video', video: { ...video, once: once.checked } } })),
      );
      r.appendChild(h('label', { class: 'check' }, once, h('span', { i18n: 'scenes.play_once' })));
    }
    return r;
  };

  const textFields = (sceneId: string, id: string, look: TextLook & { kind: 'text' }): HTMLElement => {
    const setLook = (patch: Partial<TextLook>) => save(patchLayer(scenes(), sceneId, id, { source: { ...look, ...patch } }));
    const words = h('textarea', { class: 'input', testid: `layer-text-${id}`, attrs: { rows: 2, maxlength: LIMITS.text_chars.max } });
    words.value = look.text;
    words.addEventListener('change', () => setLook({ text: words.value }));
    const size = h('input', {
      class: 'input input-small',
      testid: `layer-size-${id}`,
      attrs: { type: 'number', min: LIMITS.text_size_px.min, max: LIMITS.text_size_px.max, 'aria-label': t('scenes.size') },
    });
    size.value = String(look.size_px);
    size.addEventListener('change', () => setLook({ size_px: Number(size.value) }));
    const color = h('input', { testid: `layer-color-${id}`, attrs: { type: 'color', 'aria-label': t('scenes.color') } });
    color.value = rgbOf(look.color);
    color.addEventListener('change', () => setLook({ color: color.value }));
    const outline = h('input', { testid: `layer-outline-${id}`, attrs: { type: 'checkbox', 'aria-label': t('scenes.outline') } });
    outline.checked = look.outline !== null;
    outline.addEventListener('change', () =>
      setLook({ outline: outline.checked ? (NEW_TEXT_LOOK.outline ?? { color: '#000000', width_px: 2 }) : null }),
    );
    const bg = h('input', { testid: `layer-background-${id}`, attrs: { type: 'checkbox', 'aria-label': t('scenes.background') } });
    bg.checked = look.background !== null;
    bg.addEventListener('change', () => setLook({ background: bg.checked ? '#000000b3' : null }));
    const font = h('select', { class: 'input', testid: `layer-font-${id}`, attrs: { 'aria-label': t('scenes.font') } });
    const fill = (families: string[]) => {
      clear(font);
      font.appendChild(h('option', { i18n: 'scenes.font_default', attrs: { value: '' } }));
      // A saved family this computer lacks stays listed, so that
      // opening the list never changes it behind the host's back.
      const shown = look.font && !families.includes(look.font) ? [...families, look.font] : families;
      for (const f of shown) font.appendChild(h('option', { text: f, attrs: { value: f } }));
      font.value = look.font ?? '';
    };
    fill([]);
    void actions.scenes.fontFamilies().then(fill);
    font.addEventListener('change', () => setLook({ font: font.value || null }));
    return h(
      'div',
      { class: 'layer-text' },
      words,
      h(
        'div',
        { class: 'row' },
        size,
        color,
        h('label', { class: 'check' }, outline, h('span', { i18n: 'scenes.outline' })),
        h('label', { class: 'check' }, bg, h('span', { i18n: 'scenes.background' })),
      ),
      font,
    );
  };

  let drawn = '';
  const render = () => {
    const s = active();
    el.hidden = store.session.role === 'assistant' || !s;
    if (!s) return;
    // Not while the host types in a layer's field: a redraw would lose
    // what is typed (the field saves when it is left).
    const typing = document.activeElement;
    if (typing instanceof HTMLTextAreaElement || (typing instanceof HTMLInputElement && typing.type !== 'checkbox' && typing.type !== 'range')) {
      if (list.contains(typing)) return;
    }
    const key = JSON.stringify([s, scenes().list.length]);
    if (key === drawn) return;
    drawn = key;
    nameInput.value = sceneName(s);
    clear(list);
    // Top of the stack first, as it looks on the picture.
    s.layers
      .map((l, i) => row(s.id, l, i, s.layers.length))
      .reverse()
      .forEach((r) => list.appendChild(r));
    if (s.layers.length === 0) list.appendChild(h('p', { class: 'hint', i18n: 'scenes.no_layers' }));
  };
  render();
  subs.add(store.on('settings', render), store.on('session', render));
  return el;
}

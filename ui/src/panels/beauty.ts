// Beauty & Filters: four levels, a LUT with its strength, a reset, and the
// on/off switch (the session's beauty bypass, which keeps the levels).
// Ranges are the generated LIMITS. Changes go to the core on `input`
// (throttled to ~20/s) and are saved.

import { language, onLanguage } from '../i18n';
import { DEFAULT_SETTINGS, LIMITS, type BeautyLevels } from '../ipc';
import { h, setI18n, setText, button, clear } from '../lib/dom';
import { streamGate, Subs, type PanelDef } from './panel';

export const BEAUTY_KEYS = ['smoothing', 'whitening', 'ruddy', 'sharpen'] as const;

/** Only inline images are shown: no remote resources in the window. */
export function isInlineImage(src: string): boolean {
  return /^data:image\/(png|jpeg|webp|gif);base64,[A-Za-z0-9+/=\s]+$/.test(src);
}

export const beautyPanel: PanelDef = {
  id: 'beauty',
  title: 'panel.beauty',
  create(ctx) {
    const { store, actions } = ctx;
    const subs = new Subs();

    const sliders = {} as Record<(typeof BEAUTY_KEYS)[number], HTMLInputElement>;
    const values = {} as Record<(typeof BEAUTY_KEYS)[number], HTMLElement>;
    const rows = BEAUTY_KEYS.map((k) => {
      const input = h('input', {
        class: 'range',
        testid: `beauty-${k}`,
        attrs: { type: 'range', min: LIMITS.beauty_level.min, max: LIMITS.beauty_level.max, step: 1, id: `beauty-${k}` },
      });
      const value = h('span', { class: 'value' });
      sliders[k] = input;
      values[k] = value;
      input.addEventListener('input', () => {
        setText(value, input.value);
        actions.setBeauty(readLevels());
      });
      return h(
        'div',
        { class: 'field slider-row' },
        h('label', { i18n: `beauty.${k}`, attrs: { for: `beauty-${k}` } }),
        input,
        value,
      );
    });

    const enabled = h('input', { testid: 'beauty-enabled', attrs: { type: 'checkbox' } });
    enabled.addEventListener('change', () => {
      if (enabled.checked !== !store.session.beauty_bypass) {
        // The answer's session view sets the box; a refusal puts it back.
        void actions.toggleBeauty().then(fromSession);
      }
    });
    const bypassNote = h('p', { class: 'hint warn', i18n: 'beauty.bypassed' });

    const lutGrid = h('div', { class: 'lut-grid', testid: 'lut-grid', attrs: { role: 'radiogroup' } });
    const strength = h('input', {
      class: 'range',
      testid: 'lut-strength',
      attrs: { type: 'range', min: LIMITS.lut_strength.min, max: LIMITS.lut_strength.max, step: 1, id: 'lut-strength' },
    });
    const strengthValue = h('span', { class: 'value' });
    strength.addEventListener('input', () => {
      setText(strengthValue, `${strength.value}%`);
      actions.setLut({ name: store.settings.lut.name, strength: Number(strength.value) });
    });
    const noLuts = h('p', { class: 'hint', i18n: 'beauty.no_luts' });

    const reset = button(
      'beauty.reset',
      () => {
        actions.setBeauty({ ...DEFAULT_SETTINGS.beauty });
        actions.setLut({ ...DEFAULT_SETTINGS.lut });
      },
      { class: 'btn', testid: 'beauty-reset' },
    );

    const el = h('div', { class: 'panel-body beauty' });
    streamGate(ctx, subs, el,
      h('div', { class: 'row spread' }, h('h3', { i18n: 'beauty.title' }), h('label', { class: 'check' }, enabled, h('span', { i18n: 'beauty.enabled' }))),
      ...rows,
      bypassNote,
      h('h3', { i18n: 'beauty.lut' }),
      lutGrid,
      noLuts,
      h(
        'div',
        { class: 'field slider-row' },
        h('label', { i18n: 'beauty.strength', attrs: { for: 'lut-strength' } }),
        strength,
        strengthValue,
      ),
      h('div', { class: 'row' }, reset),
    );

    function readLevels(): BeautyLevels {
      return {
        smoothing: Number(sliders.smoothing.value),
        whitening: Number(sliders.whitening.value),
        ruddy: Number(sliders.ruddy.value),
        sharpen: Number(sliders.sharpen.value),
      };
    }

    function lutTile(name: string | null, thumbnail: string | null, shown: string | null = name): HTMLElement {
      const selected = store.settings.lut.name === name;
      const img = thumbnail && isInlineImage(thumbnail) ? h('img', { attrs: { src: thumbnail, alt: '' } }) : h('div', { class: 'lut-none' });
      const label = name === null ? h('span', { i18n: 'beauty.lut_none' }) : h('span', { text: shown ?? name });
      const tile = h(
        'button',
        {
          class: selected ? 'lut-tile selected' : 'lut-tile',
          testid: name === null ? 'lut-none' : 'lut-tile',
          attrs: { type: 'button', role: 'radio', 'aria-checked': selected ? 'true' : 'false', 'data-lut': name ?? '' },
        },
        img,
        label,
      );
      tile.addEventListener('click', () => actions.setLut({ name, strength: Number(strength.value) }));
      return tile;
    }

    function renderLuts(): void {
      clear(lutGrid);
      lutGrid.appendChild(lutTile(null, null));
      // A shipped filter by its name in the window's language; one the
      // host added by its file name.
      for (const l of store.luts) lutGrid.appendChild(lutTile(l.name, l.thumbnail, l.label?.[language()] ?? l.name));
      noLuts.hidden = store.luts.length > 0 || !store.lutsLoaded;
    }

    function fromSettings(): void {
      const b = store.settings.beauty;
      for (const k of BEAUTY_KEYS) {
        if (document.activeElement !== sliders[k]) sliders[k].value = String(b[k]);
        setText(values[k], String(b[k]));
      }
      const l = store.settings.lut;
      if (document.activeElement !== strength) strength.value = String(l.strength);
      setText(strengthValue, `${l.strength}%`);
      lutGrid.querySelectorAll<HTMLElement>('.lut-tile').forEach((tile) => {
        const sel = (tile.dataset.lut || null) === l.name;
        tile.classList.toggle('selected', sel);
        tile.setAttribute('aria-checked', sel ? 'true' : 'false');
      });
    }

    function fromSession(): void {
      const bypassed = store.session.beauty_bypass;
      enabled.checked = !bypassed;
      bypassNote.hidden = !bypassed;
      el.classList.toggle('bypassed', bypassed);
      setI18n(bypassNote, 'beauty.bypassed');
    }

    renderLuts();
    fromSettings();
    fromSession();
    subs.add(
      store.on('luts', () => {
        renderLuts();
        fromSettings();
      }),
      store.on('settings', fromSettings),
      store.on('session', fromSession),
      onLanguage(() => {
        renderLuts();
        fromSettings();
      }),
    );
    return { element: el, dispose: () => subs.dispose() };
  },
};

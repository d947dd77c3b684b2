// The product card on the stream: off by default; when on, the host's
// video shows the product being explained in the chosen corner at the
// chosen size. Saved in settings.product_card by the settings action.

import type { Ctx } from '../../ctx';
import type { MessageKey } from '../../i18n';
import { LIMITS, type Corner, type ProductCardSettings } from '../../ipc';
import { field, h, setText, show } from '../../lib/dom';
import { clamp } from '../../lib/format';
import type { Section } from './common';

const CORNER_KEYS: Record<Corner, MessageKey> = {
  top_left: 'products.corner_top_left',
  top_right: 'products.corner_top_right',
  bottom_left: 'products.corner_bottom_left',
  bottom_right: 'products.corner_bottom_right',
};
const CORNERS = Object.keys(CORNER_KEYS) as Corner[];
const SCALE = LIMITS.product_card_scale;

export function createCardOverlay(ctx: Ctx): Section {
  const { store, actions } = ctx;

  const toggle = h('input', { testid: 'product-card-toggle', attrs: { type: 'checkbox' } });
  const corner = h(
    'select',
    { class: 'input', testid: 'product-card-corner' },
    ...CORNERS.map((c) => h('option', { i18n: CORNER_KEYS[c], attrs: { value: c } })),
  );
  const scale = h('input', {
    class: 'range',
    testid: 'product-card-scale',
    attrs: { type: 'range', min: SCALE.min, max: SCALE.max, step: 0.05 },
  });
  const scaleText = h('span', { class: 'value' });
  const hostOnly = h('p', { class: 'hint', i18n: 'products.card_host_only' });
  const controls = h(
    'fieldset',
    { class: 'plain' },
    h('label', { class: 'check' }, toggle, h('span', { i18n: 'products.card_toggle' })),
    field('products.card_corner', corner),
    field('products.card_scale', scale, scaleText),
    h('p', { class: 'hint', i18n: 'products.card_hint' }),
  );
  const element = h('section', { class: 'card-overlay', testid: 'card-overlay' }, hostOnly, controls);

  const save = () => {
    const next: ProductCardSettings = {
      enabled: toggle.checked,
      corner: corner.value as Corner,
      scale: clamp(Number(scale.value), SCALE.min, SCALE.max),
    };
    setText(scaleText, `${Math.round(next.scale * 100)}%`);
    actions.updateSettings((s) => ({ ...s, product_card: next }));
  };
  toggle.addEventListener('change', save);
  corner.addEventListener('change', save);
  scale.addEventListener('input', save);

  const render = () => {
    const c = store.settings.product_card;
    toggle.checked = c.enabled;
    corner.value = c.corner;
    if (document.activeElement !== scale) scale.value = String(c.scale);
    setText(scaleText, `${Math.round(c.scale * 100)}%`);
    // The card is drawn on the host's stream: an assistant has none.
    const assistant = store.session.role === 'assistant';
    controls.disabled = assistant;
    show(hostOnly, assistant);
  };
  return { element, render };
}

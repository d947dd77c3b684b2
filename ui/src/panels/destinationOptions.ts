// A saved destination's options row in the Output panel: dynamic bitrate
// (on by default) with its floor, and how it reconnects. Ranges come from
// the generated LIMITS; the session checks them again.

import { t } from '../i18n';
import { h } from '../lib/dom';
import { clamp } from '../lib/format';
import { LIMITS, type DestinationOptions, type DestinationView, type Range } from '../ipc';

function numberInput(testid: string, range: Range, step: number, label: string, value: number): HTMLInputElement {
  const el = h('input', {
    class: 'input input-narrow',
    testid,
    attrs: { type: 'number', min: range.min, max: range.max, step, 'aria-label': label },
  });
  el.value = String(value);
  return el;
}

/** The row; `save` gets the whole options whenever one changes. */
export function destinationOptionsRow(
  d: DestinationView,
  disabled: boolean,
  save: (options: DestinationOptions) => void,
): HTMLElement {
  const o = d.options;
  const id = `dyn-${d.name}`;
  const dynamic = h('input', { testid: 'dest-dynamic', attrs: { type: 'checkbox', id } });
  dynamic.checked = o.dynamic_bitrate;
  const floor = numberInput('dest-floor', LIMITS.bitrate_floor_percent, 5, t('output.bitrate_floor'), o.bitrate_floor_percent);
  const delay = numberInput('dest-retry-delay', LIMITS.retry_delay_s, 1, t('output.retry_delay'), o.retry_delay_s);
  const retries = numberInput('dest-max-retries', LIMITS.max_retries, 1, t('output.max_retries'), o.max_retries);
  const read = (el: HTMLInputElement, r: Range) => {
    const v = clamp(Math.round(Number(el.value) || r.min), r.min, r.max);
    el.value = String(v);
    return v;
  };
  const changed = () =>
    save({
      dynamic_bitrate: dynamic.checked,
      bitrate_floor_percent: read(floor, LIMITS.bitrate_floor_percent),
      retry_delay_s: read(delay, LIMITS.retry_delay_s),
      max_retries: read(retries, LIMITS.max_retries),
    });
  for (const el of [dynamic, floor, delay, retries]) {
    el.addEventListener('change', changed);
    el.disabled = disabled;
  }
  const floorPart = h('span', { class: 'dest-floor' }, floor, h('span', { class: 'hint', i18n: 'output.bitrate_floor' }));
  floorPart.hidden = !o.dynamic_bitrate;
  return h(
    'div',
    { class: 'dest-options', testid: 'dest-options' },
    h('div', { class: 'row' }, dynamic, h('label', { i18n: 'output.dynamic_bitrate', attrs: { for: id } }), floorPart),
    h(
      'div',
      { class: 'row' },
      h('span', { class: 'hint', i18n: 'output.retry_delay' }),
      delay,
      h('span', { class: 'hint', i18n: 'output.max_retries' }),
      retries,
    ),
  );
}

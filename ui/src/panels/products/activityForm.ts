// The compact form behind each "new activity" button: prefilled with one
// click's worth of defaults (see lib/activityForm.ts), checked early
// against `LIMITS`, then sent. The room server is the judge: a refusal is
// shown by the Activities section (the form stays open, nothing typed is
// lost).

import type { Ctx } from '../../ctx';
import { language, t, type MessageKey } from '../../i18n';
import type { LineupItem } from '../../ipc';
import {
  activityDefaults,
  specFromForm,
  type ActivityFormValues,
  type ActivityKind,
} from '../../lib/activityForm';
import { KIND_KEYS } from '../../lib/activityText';
import { button, field, h, setI18n, show } from '../../lib/dom';
import { productName } from './common';

type TextKey = Exclude<keyof ActivityFormValues, 'kind' | 'exclude_muted' | 'discount_type' | 'condition' | 'goods_id'>;

/** The text fields, their labels, and the kinds that show them. */
const TEXT_FIELDS: { key: TextKey; label: MessageKey; kinds: ActivityKind[]; numeric?: boolean }[] = [
  { key: 'title', label: 'activities.field_title', kinds: ['coupon', 'draw', 'lucky_bag'] },
  { key: 'price', label: 'activities.field_price', kinds: ['flash_sale'], numeric: true },
  { key: 'discount', label: 'activities.field_discount', kinds: ['coupon'], numeric: true },
  { key: 'min_spend', label: 'activities.field_min_spend', kinds: ['coupon'], numeric: true },
  { key: 'pool', label: 'activities.field_pool', kinds: ['lucky_bag'], numeric: true },
  { key: 'keyword', label: 'activities.field_keyword', kinds: ['draw', 'lucky_bag'] },
  { key: 'quantity', label: 'activities.field_quantity', kinds: ['coupon', 'flash_sale'], numeric: true },
  { key: 'per_user', label: 'activities.field_per_user', kinds: ['coupon', 'flash_sale'], numeric: true },
  { key: 'winners', label: 'activities.field_winners', kinds: ['draw', 'lucky_bag'], numeric: true },
  { key: 'duration_secs', label: 'activities.field_duration', kinds: ['coupon', 'flash_sale', 'draw', 'lucky_bag'], numeric: true },
];

/** A coupon's title and a draw's or bag's prize share one field. */
const TITLE_LABEL: Record<ActivityKind, MessageKey> = {
  coupon: 'activities.field_title',
  flash_sale: 'activities.field_title',
  draw: 'activities.field_prize',
  lucky_bag: 'activities.field_prize',
};

export interface ActivityForm {
  element: HTMLElement;
  /** Opens the form for `kind`, on `goodsId` (a flash sale's or coupon's product) when given. */
  open(kind: ActivityKind, goodsId?: string | null): void;
  close(): void;
  readonly isOpen: boolean;
}

export function createActivityForm(ctx: Ctx): ActivityForm {
  const { store, actions } = ctx;
  const lineup = () => store.lineupStore.snapshot?.items ?? [];

  const inputs = {} as Record<TextKey, HTMLInputElement>;
  const errors = {} as Record<string, HTMLElement>;
  const rows = {} as Record<string, HTMLElement>;
  const errorEl = (key: string) => {
    const e = h('div', { class: 'field-error' });
    show(e, false);
    errors[key] = e;
    return e;
  };

  const goods = h('select', { class: 'input', testid: 'activity-goods_id', attrs: { name: 'goods_id' } });
  rows.goods_id = field('activities.field_product', goods, errorEl('goods_id'));
  const discountType = h(
    'select',
    { class: 'input', testid: 'activity-discount_type', attrs: { name: 'discount_type' } },
    h('option', { i18n: 'activities.discount_percent', attrs: { value: 'percent' } }),
    h('option', { i18n: 'activities.discount_amount', attrs: { value: 'amount' } }),
  );
  rows.discount_type = field('activities.field_discount_type', discountType);
  const condition = h(
    'select',
    { class: 'input', testid: 'activity-condition', attrs: { name: 'condition' } },
    h('option', { i18n: 'activities.condition_follow', attrs: { value: 'follow' } }),
    h('option', { i18n: 'activities.condition_keyword', attrs: { value: 'keyword' } }),
  );
  rows.condition = field('activities.field_condition', condition);
  for (const f of TEXT_FIELDS) {
    const input = h('input', {
      class: 'input',
      testid: `activity-${f.key}`,
      attrs: { name: f.key, type: 'text', inputmode: f.numeric ? 'decimal' : null, spellcheck: 'false' },
    });
    inputs[f.key] = input;
    rows[f.key] = field(f.label, input, errorEl(f.key));
  }
  const excludeMuted = h('input', { testid: 'activity-exclude_muted', attrs: { type: 'checkbox' } });
  rows.exclude_muted = h('label', { class: 'check small' }, excludeMuted, h('span', { i18n: 'activities.exclude_muted' }));

  const title = h('h4', {});
  const start = h('button', {
    class: 'btn btn-primary',
    testid: 'activity-start',
    i18n: 'activities.start',
    attrs: { type: 'submit' },
  });
  const cancel = button('common.cancel', () => close(), { class: 'btn', testid: 'activity-cancel' });
  const form = h(
    'form',
    { class: 'activity-form', testid: 'activity-form', attrs: { novalidate: true } },
    title,
    h(
      'div',
      { class: 'grid2' },
      rows.goods_id,
      rows.discount_type,
      rows.condition,
      ...TEXT_FIELDS.map((f) => rows[f.key]),
    ),
    rows.exclude_muted,
    h('div', { class: 'row dialog-buttons' }, cancel, start),
  );
  form.hidden = true;

  let kind: ActivityKind = 'coupon';
  /** The lineup's currency (a coupon for any product, a lucky bag's pool). */
  const roomCurrency = () => lineup()[0]?.currency ?? 'CNY';
  const itemOf = (id: string): LineupItem | null => lineup().find((i) => i.goods_id === id) ?? null;

  const clearErrors = () => {
    for (const [k, e] of Object.entries(errors)) {
      show(e, false);
      (k === 'goods_id' ? goods : inputs[k as TextKey])?.removeAttribute('aria-invalid');
    }
  };

  const fill = (v: ActivityFormValues) => {
    for (const f of TEXT_FIELDS) inputs[f.key].value = v[f.key];
    discountType.value = v.discount_type;
    condition.value = v.condition;
    excludeMuted.checked = v.exclude_muted;
    currency = v.currency;
  };
  let currency = 'CNY';

  const layout = () => {
    const visible = new Set<string>(TEXT_FIELDS.filter((f) => f.kinds.includes(kind)).map((f) => f.key));
    if (kind === 'coupon' || kind === 'flash_sale') visible.add('goods_id');
    if (kind === 'coupon') visible.add('discount_type');
    if (kind === 'lucky_bag') {
      visible.add('condition');
      if (condition.value !== 'keyword') visible.delete('keyword');
    }
    if (kind !== 'flash_sale') visible.add('exclude_muted');
    for (const [k, row] of Object.entries(rows)) show(row, visible.has(k));
    const titleLabel = rows.title?.querySelector('label');
    if (titleLabel) setI18n(titleLabel, TITLE_LABEL[kind]);
  };

  const fillProducts = (selected: string) => {
    const lang = language();
    const options = lineup().map((i) =>
      h('option', { text: productName(i, lang, i.goods_id), attrs: { value: i.goods_id } }),
    );
    // A coupon may be for any product; a flash sale needs one.
    if (kind === 'coupon') options.unshift(h('option', { i18n: 'activities.any_product', attrs: { value: '' } }));
    goods.replaceChildren(...options);
    goods.value = selected;
  };

  const defaults = (goodsId: string) =>
    activityDefaults(kind, { product: itemOf(goodsId), currency: roomCurrency(), tr: t });

  function open(k: ActivityKind, goodsId: string | null = null): void {
    kind = k;
    setI18n(title, 'activities.new', { kind: t(KIND_KEYS[k]) });
    // A flash sale is on a product: the one asked for, else the first in the lineup.
    const id = goodsId ?? (k === 'flash_sale' ? (lineup()[0]?.goods_id ?? '') : '');
    fillProducts(id);
    fill(defaults(goods.value));
    layout();
    clearErrors();
    form.hidden = false;
    (k === 'flash_sale' ? inputs.price : inputs.title).focus();
  }

  function close(): void {
    form.hidden = true;
    clearErrors();
  }

  goods.addEventListener('change', () => {
    // A flash sale's price and quantity follow its product; a coupon keeps what was typed.
    const v = defaults(goods.value);
    if (kind === 'flash_sale') {
      inputs.price.value = v.price;
      inputs.quantity.value = v.quantity;
    }
    currency = v.currency;
  });
  condition.addEventListener('change', layout);

  const values = (): ActivityFormValues => {
    const v = {
      kind,
      discount_type: discountType.value === 'amount' ? 'amount' : 'percent',
      condition: condition.value === 'keyword' ? 'keyword' : 'follow',
      goods_id: goods.value,
      currency,
      exclude_muted: excludeMuted.checked,
    } as ActivityFormValues;
    for (const f of TEXT_FIELDS) v[f.key] = inputs[f.key].value;
    return v;
  };

  let sending = false;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (sending) return;
    clearErrors();
    const r = specFromForm(values(), lineup());
    if (!r.ok) {
      for (const err of r.errors) {
        const el = errors[err.field];
        if (!el) continue;
        setI18n(el, err.key, err.params);
        show(el, true);
        (err.field === 'goods_id' ? goods : inputs[err.field as TextKey])?.setAttribute('aria-invalid', 'true');
      }
      return;
    }
    sending = true;
    start.disabled = true;
    void actions.activities.create(r.spec).then((res) => {
      sending = false;
      start.disabled = false;
      if (res.ok) close();
    });
  });
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      close();
    }
  });

  return {
    element: form,
    open,
    close,
    get isOpen() {
      return !form.hidden;
    },
  };
}

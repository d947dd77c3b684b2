// The catalogue's add/edit form. Early feedback comes from `LIMITS` only;
// the Rust side is the judge, and its refusal message is shown next to the
// form. Images it could not use come back as warnings (the product is
// saved without them).

import type { Ctx } from '../../ctx';
import { t } from '../../i18n';
import type { CatalogProduct, SavedProduct } from '../../ipc';
import { button, field, h, setI18n, setText, show } from '../../lib/dom';
import { majorText } from '../../lib/format';
import { formValues, productFromForm, type ProductFormValues } from '../../lib/productForm';

type Key = keyof ProductFormValues;

const FIELDS: { key: Key; label: Parameters<typeof field>[0]; area?: boolean }[] = [
  { key: 'id', label: 'products.field_id' },
  { key: 'name_zh', label: 'products.field_name_zh' },
  { key: 'name_en', label: 'products.field_name_en' },
  { key: 'description', label: 'products.field_description', area: true },
  { key: 'price', label: 'products.field_price' },
  { key: 'list_price', label: 'products.field_list_price' },
  { key: 'currency', label: 'products.field_currency' },
  { key: 'stock', label: 'products.field_stock' },
  { key: 'image', label: 'products.field_image' },
  { key: 'link', label: 'products.field_link' },
  { key: 'tags', label: 'products.field_tags' },
];

export interface ProductForm {
  element: HTMLElement;
  /** Opens the form empty (null) or on a product to edit. */
  open(p: CatalogProduct | null): void;
  close(): void;
}

export function createProductForm(ctx: Ctx, onSaved: (saved: SavedProduct) => void): ProductForm {
  const inputs = {} as Record<Key, HTMLInputElement | HTMLTextAreaElement>;
  const errors = {} as Record<Key, HTMLElement>;
  const rows: HTMLElement[] = [];
  for (const f of FIELDS) {
    const attrs: Record<string, string | number> = { name: f.key };
    if (f.key === 'currency') Object.assign(attrs, { maxlength: 3, autocapitalize: 'characters', spellcheck: 'false' });
    if (f.key === 'price' || f.key === 'list_price') attrs.inputmode = 'decimal';
    if (f.key === 'stock') attrs.inputmode = 'numeric';
    const input = f.area
      ? h('textarea', { class: 'input', attrs: { ...attrs, rows: 2 } })
      : h('input', { class: 'input', testid: `product-${f.key}`, attrs: { ...attrs, type: 'text' } });
    inputs[f.key] = input;
    errors[f.key] = h('div', { class: 'field-error' });
    show(errors[f.key], false);
    rows.push(field(f.label, input, errors[f.key]));
  }
  // The server judges the code; the field only keeps it upper case.
  inputs.currency.addEventListener('input', () => {
    const up = inputs.currency.value.toUpperCase();
    if (up !== inputs.currency.value) inputs.currency.value = up;
  });

  const title = h('h3', { i18n: 'products.new_product' });
  const serverError = h('div', { class: 'field-error form-error', testid: 'product-form-error', attrs: { role: 'alert' } });
  const save = h('button', { class: 'btn btn-primary', i18n: 'common.save', attrs: { type: 'submit' } });
  const cancel = button('common.cancel', () => close(), { class: 'btn' });
  const form = h(
    'form',
    { class: 'product-form', testid: 'product-form', attrs: { novalidate: true } },
    title,
    h('div', { class: 'grid2' }, ...rows),
    serverError,
    h('div', { class: 'row dialog-buttons' }, cancel, save),
  );
  form.hidden = true;

  let editing: CatalogProduct | null = null;
  const clearErrors = () => {
    for (const k of Object.keys(errors) as Key[]) {
      show(errors[k], false);
      inputs[k].removeAttribute('aria-invalid');
    }
    setText(serverError, '');
    show(serverError, false);
  };

  function open(p: CatalogProduct | null): void {
    editing = p;
    const v = formValues(p, majorText);
    for (const k of Object.keys(inputs) as Key[]) inputs[k].value = v[k];
    // An id names the product: editing keeps it (a new id is a new product).
    inputs.id.readOnly = p !== null;
    setI18n(title, p ? 'products.edit_product' : 'products.new_product');
    clearErrors();
    form.hidden = false;
    (p ? inputs.name_zh : inputs.id).focus();
  }

  function close(): void {
    form.hidden = true;
    editing = null;
    clearErrors();
  }

  let saving = false;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (saving) return;
    clearErrors();
    const values = {} as ProductFormValues;
    for (const k of Object.keys(inputs) as Key[]) values[k] = inputs[k].value;
    const r = productFromForm(values, editing);
    if (!r.ok) {
      for (const err of r.errors) {
        const k = err.field as Key;
        if (!errors[k]) continue;
        setI18n(errors[k], err.key, err.params);
        show(errors[k], true);
        inputs[k].setAttribute('aria-invalid', 'true');
      }
      return;
    }
    saving = true;
    save.disabled = true;
    void ctx.actions.catalog.save(r.product).then((res) => {
      saving = false;
      save.disabled = false;
      if (!res.ok) {
        // The server's own words: it is the judge.
        setText(serverError, t('products.save_refused', { reason: res.error.message }));
        show(serverError, true);
        return;
      }
      close();
      onSaved(res.value);
    });
  });
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      close();
    }
  });

  return { element: form, open, close };
}

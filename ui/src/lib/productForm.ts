// Early feedback for the product forms (the lineup's inline price and stock,
// the catalogue's add/edit form). Ranges come from the generated `LIMITS`
// only; the Rust side validates every product again and its message is the
// one the form shows when it refuses.

import type { MessageKey } from '../i18n';
import { LIMITS, type CatalogProduct, type ImportReport, type Range } from '../ipc';
import { parseMajor } from './format';
import type { FieldError } from './validate';
import { utf8Bytes } from './validate';

export type Checked<T> = { ok: true; value: T } | { ok: false; key: MessageKey; params?: Record<string, string | number> };

function within(n: number, r: Range): boolean {
  return n >= r.min && n <= r.max;
}

/** A major-unit price ("99.00") in minor units of `currency`, within `LIMITS.price_minor`. */
export function checkPrice(text: string, currency: string): Checked<number> {
  const p = parseMajor(text, currency);
  if (!p.ok) {
    switch (p.why) {
      case 'empty':
        return { ok: false, key: 'validate.required' };
      case 'currency':
        return { ok: false, key: 'products.currency_unknown', params: { currency } };
      case 'digits':
        return { ok: false, key: 'products.price_digits', params: { digits: p.digits ?? 0, currency } };
      default:
        return { ok: false, key: 'products.price_number' };
    }
  }
  if (!within(p.minor, LIMITS.price_minor)) return { ok: false, key: 'products.price_range' };
  return { ok: true, value: p.minor };
}

/** A stock count: a whole number in LIMITS.stock. */
export function checkStock(text: string): Checked<number> {
  const s = text.trim();
  if (s === '') return { ok: false, key: 'validate.required' };
  const n = Number(s);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(n)) return { ok: false, key: 'products.stock_number' };
  if (!within(n, LIMITS.stock)) return { ok: false, key: 'products.stock_range' };
  return { ok: true, value: n };
}

/** The catalogue form's raw values (strings from its inputs). */
export interface ProductFormValues {
  id: string;
  name_zh: string;
  name_en: string;
  description: string;
  price: string;
  list_price: string;
  currency: string;
  stock: string;
  image: string;
  link: string;
  tags: string;
}

export function formValues(p: CatalogProduct | null, majorText: (minor: number, currency: string) => string): ProductFormValues {
  if (!p) {
    return { id: '', name_zh: '', name_en: '', description: '', price: '', list_price: '', currency: 'CNY', stock: '0', image: '', link: '', tags: '' };
  }
  return {
    id: p.id,
    name_zh: p.name_zh,
    name_en: p.name_en,
    description: p.description,
    price: majorText(p.price, p.currency),
    list_price: p.list_price === null ? '' : majorText(p.list_price, p.currency),
    currency: p.currency,
    stock: String(p.stock),
    image: p.images[0] ?? '',
    link: p.link,
    tags: p.tags.join(', '),
  };
}

export type ProductFormResult = { ok: true; product: CatalogProduct } | { ok: false; errors: FieldError[] };

/**
 * The form as a `CatalogProduct`. Editing keeps what the form does not
 * show (other names, SKUs, further images, the thumbnail).
 */
export function productFromForm(f: ProductFormValues, original: CatalogProduct | null): ProductFormResult {
  const errors: FieldError[] = [];
  const bad = (field: string, c: { key: MessageKey; params?: Record<string, string | number> }) =>
    errors.push({ field, key: c.key, params: c.params });

  const id = f.id.trim();
  const idBytes = utf8Bytes(id);
  if (id === '') bad('id', { key: 'validate.required' });
  else if (!within(idBytes, LIMITS.product_id_bytes))
    bad('id', { key: 'products.id_long', params: { max: LIMITS.product_id_bytes.max } });

  const names = { name_zh: f.name_zh.trim(), name_en: f.name_en.trim() };
  for (const field of ['name_zh', 'name_en'] as const) {
    const n = [...names[field]].length;
    if (n === 0) bad(field, { key: 'validate.required' });
    else if (!within(n, LIMITS.product_name_chars))
      bad(field, { key: 'products.name_long', params: { max: LIMITS.product_name_chars.max } });
  }

  const currency = f.currency.trim().toUpperCase();
  if (currency === '') bad('currency', { key: 'validate.required' });
  const price = currency ? checkPrice(f.price, currency) : null;
  if (price && !price.ok) bad('price', price);
  let listPrice: number | null = null;
  if (f.list_price.trim() !== '' && currency) {
    const lp = checkPrice(f.list_price, currency);
    if (lp.ok) listPrice = lp.value;
    else bad('list_price', lp);
  }
  const stock = checkStock(f.stock);
  if (!stock.ok) bad('stock', stock);

  if (errors.length || !price?.ok || !stock.ok) return { ok: false, errors };
  const image = f.image.trim();
  const rest = original ? original.images.slice(1) : [];
  return {
    ok: true,
    product: {
      names: {},
      skus: [],
      thumbnail: null,
      ...original,
      id,
      ...names,
      description: f.description.trim(),
      price: price.value,
      list_price: listPrice,
      currency,
      stock: stock.value,
      images: image ? [image, ...rest] : rest,
      link: f.link.trim(),
      tags: f.tags.split(',').map((t) => t.trim()).filter((t) => t !== ''),
    },
  };
}

/** An import's outcome as lines: the totals, then one line per refused row and per dropped image. */
export function importReportLines(r: ImportReport, tr: (key: MessageKey, params?: Record<string, string | number>) => string): string[] {
  const lines = [tr('products.import_summary', { added: r.added, updated: r.updated, refused: r.refused.length })];
  for (const e of r.refused) lines.push(tr('products.import_row', { row: e.row, field: e.field, reason: e.reason }));
  for (const e of r.image_errors) lines.push(tr('products.import_image', { row: e.row, field: e.field, reason: e.reason }));
  return lines;
}

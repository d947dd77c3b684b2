import { describe, expect, it } from 'vitest';
import { t } from '../i18n';
import { LIMITS } from '../ipc';
import { catalogProduct } from '../test/fakeApi';
import { majorText } from './format';
import { checkPrice, checkStock, formValues, importReportLines, productFromForm } from './productForm';

describe('inline price and stock', () => {
  it('takes major units and gives minor units of the item’s currency', () => {
    expect(checkPrice('99.00', 'CNY')).toEqual({ ok: true, value: 9900 });
    expect(checkPrice('500', 'JPY')).toEqual({ ok: true, value: 500 });
    expect(checkPrice('5.5', 'JPY')).toMatchObject({ ok: false, key: 'products.price_digits', params: { digits: 0 } });
    expect(checkPrice('abc', 'CNY')).toMatchObject({ ok: false, key: 'products.price_number' });
    expect(checkPrice('', 'CNY')).toMatchObject({ ok: false, key: 'validate.required' });
  });

  it('keeps prices within LIMITS.price_minor', () => {
    const max = LIMITS.price_minor.max;
    expect(checkPrice(majorText(max, 'CNY'), 'CNY')).toEqual({ ok: true, value: max });
    expect(checkPrice(majorText(max + 1, 'CNY'), 'CNY')).toMatchObject({ ok: false, key: 'products.price_range' });
  });

  it('takes a whole stock count', () => {
    expect(checkStock('0')).toEqual({ ok: true, value: 0 });
    expect(checkStock(' 12 ')).toEqual({ ok: true, value: 12 });
    expect(checkStock('-1')).toMatchObject({ ok: false });
    expect(checkStock('1.5')).toMatchObject({ ok: false });
  });
});

describe('the catalogue form', () => {
  it('fills from a product and builds it back, keeping what the form does not show', () => {
    const p = catalogProduct({
      list_price: 12900,
      images: ['/img/a.jpg', '/img/b.jpg'],
      skus: [{ id: 's', name: 'S', price: 9900, stock: 1 }],
      names: { ja: '龍井茶' },
      tags: ['tea', 'green'],
      thumbnail: 'p1.jpg',
    });
    const v = formValues(p, majorText);
    expect(v).toMatchObject({ price: '99.00', list_price: '129.00', image: '/img/a.jpg', tags: 'tea, green' });
    const r = productFromForm({ ...v, price: '89.5', image: '/img/c.jpg', tags: 'tea, , sale ' }, p);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.product).toEqual({
      ...p,
      price: 8950,
      images: ['/img/c.jpg', '/img/b.jpg'],
      tags: ['tea', 'sale'],
    });
  });

  it('gives early feedback from LIMITS only, field by field', () => {
    const v = formValues(null, majorText);
    const r = productFromForm(
      { ...v, id: 'x'.repeat(LIMITS.product_id_bytes.max + 1), name_en: 'n'.repeat(LIMITS.product_name_chars.max + 1), price: '1.234', stock: 'many' },
      null,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.fromEntries(r.errors.map((e) => [e.field, e.key]))).toEqual({
      id: 'products.id_long',
      name_zh: 'validate.required',
      name_en: 'products.name_long',
      price: 'products.price_digits',
      stock: 'products.stock_number',
    });
  });

  it('makes a new product with an upper-case currency and no list price', () => {
    const r = productFromForm(
      { ...formValues(null, majorText), id: 'jp1', name_zh: '抹茶', name_en: 'Matcha', price: '500', currency: 'jpy', stock: '3' },
      null,
    );
    expect(r).toMatchObject({ ok: true, product: { id: 'jp1', price: 500, currency: 'JPY', list_price: null, images: [], skus: [], names: {} } });
  });
});

describe('the import report', () => {
  it('says the totals, then one line per refused row and per dropped image', () => {
    const lines = importReportLines(
      {
        added: 3,
        updated: 1,
        refused: [
          { row: 4, field: 'price', reason: 'not a number' },
          { row: 7, field: 'skus[1].stock', reason: 'must be 0 or more' },
        ],
        image_errors: [{ row: 2, field: 'images[0]', reason: 'not found' }],
      },
      t,
    );
    expect(lines).toEqual([
      'Added 3, updated 1, refused 2.',
      'row 4: price: not a number',
      'row 7: skus[1].stock: must be 0 or more',
      'row 2: images[0]: image not used: not found',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { t } from '../i18n';
import { LIMITS } from '../ipc';
import { lineupItem } from '../test/fakeApi';
import { activityDefaults, specFromForm, type ActivityFormValues } from './activityForm';

const tea = lineupItem({ goods_id: 'p1', price: 9900, stock: 10 });
const scarf = lineupItem({ goods_id: 'p2', name_en: 'Silk Scarf', price: 12_345, stock: 500, currency: 'USD' });
const lineup = [tea, scarf];
const defaults = (kind: ActivityFormValues['kind'], product = tea) =>
  activityDefaults(kind, { product, currency: 'CNY', tr: t });

describe('activity form defaults', () => {
  it('a coupon: 10% off, 100 coupons, 1 each, 10 minutes, in the product’s currency', () => {
    const v = defaults('coupon', scarf);
    expect(v).toMatchObject({ discount_type: 'percent', discount: '10', quantity: '100', per_user: '1', duration_secs: '600' });
    expect(v.title).toBe('10% off');
    expect(v.currency).toBe('USD');
    expect(v.goods_id).toBe('');
  });

  it('a flash sale: 20% below the lineup price, at most 20 units and never above the stock, 60 s', () => {
    expect(defaults('flash_sale', tea)).toMatchObject({ goods_id: 'p1', price: '79.20', quantity: '10', per_user: '1', duration_secs: '60' });
    // 12345 × 0.8 = 9876 cents; 500 in stock, so 20.
    expect(defaults('flash_sale', scarf)).toMatchObject({ goods_id: 'p2', price: '98.76', quantity: '20' });
  });

  it('a draw: keyword 666, 3 winners, 60 s; a lucky bag: follow, 5 winners, 120 s', () => {
    expect(defaults('draw')).toMatchObject({ keyword: '666', winners: '3', duration_secs: '60', exclude_muted: true });
    expect(defaults('draw').title).not.toBe('');
    expect(defaults('lucky_bag')).toMatchObject({ condition: 'follow', winners: '5', duration_secs: '120' });
  });

  it('every default passes the early checks', () => {
    for (const kind of ['coupon', 'flash_sale', 'draw', 'lucky_bag'] as const) {
      expect(specFromForm(defaults(kind), lineup).ok, kind).toBe(true);
    }
  });
});

describe('activity form checks', () => {
  it('builds the spec the server takes', () => {
    expect(specFromForm(defaults('draw'), lineup)).toEqual({
      ok: true,
      spec: { kind: 'draw', prize: 'Mystery gift', keyword: '666', winners: 3, duration_secs: 60, exclude_muted: true },
    });
    expect(specFromForm(defaults('flash_sale'), lineup)).toEqual({
      ok: true,
      spec: { kind: 'flash_sale', goods_id: 'p1', price: 7920, quantity: 10, per_user: 1, duration_secs: 60 },
    });
    const coupon = specFromForm({ ...defaults('coupon'), discount_type: 'amount', discount: '5', min_spend: '50', goods_id: 'p1' }, lineup);
    expect(coupon).toMatchObject({
      ok: true,
      spec: { kind: 'coupon', discount: { type: 'amount', minor: 500 }, min_spend: 5000, currency: 'CNY', goods_id: 'p1' },
    });
    const bag = specFromForm({ ...defaults('lucky_bag'), condition: 'keyword', keyword: ' lucky ', pool: '88.8' }, lineup);
    expect(bag).toMatchObject({ ok: true, spec: { condition: { type: 'keyword', keyword: 'lucky' }, pool: 8880 } });
  });

  it('refuses more winners than the limit, and an empty keyword', () => {
    const over = String(LIMITS.activity_winners.max + 1);
    const r = specFromForm({ ...defaults('draw'), winners: over, keyword: '  ' }, lineup);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual(
      expect.arrayContaining([
        { field: 'winners', key: 'activities.whole_range', params: { min: LIMITS.activity_winners.min, max: LIMITS.activity_winners.max } },
        { field: 'keyword', key: 'validate.required', params: undefined },
      ]),
    );
    // The limit itself is fine.
    expect(specFromForm({ ...defaults('draw'), winners: String(LIMITS.activity_winners.max) }, lineup).ok).toBe(true);
  });

  it('refuses a keyword or title over its length, a duration out of range, and fractions', () => {
    const long = 'x'.repeat(LIMITS.activity_keyword_chars.max + 1);
    const r = specFromForm(
      { ...defaults('draw'), keyword: long, title: 'y'.repeat(LIMITS.activity_title_chars.max + 1), duration_secs: '0' },
      lineup,
    );
    expect(r.ok ? [] : r.errors.map((e) => [e.field, e.key])).toEqual([
      ['duration_secs', 'activities.whole_range'],
      ['title', 'activities.text_long'],
      ['keyword', 'activities.text_long'],
    ]);
    const frac = specFromForm({ ...defaults('coupon'), quantity: '2.5', discount: String(LIMITS.discount_percent.max + 1) }, lineup);
    expect(frac.ok ? [] : frac.errors.map((e) => e.field).sort()).toEqual(['discount', 'quantity']);
  });

  it('a flash sale needs a lineup product, a price in its currency and no more units than its stock', () => {
    const none = specFromForm({ ...defaults('flash_sale'), goods_id: 'gone' }, lineup);
    expect(none.ok ? [] : none.errors.map((e) => e.key)).toEqual(['activities.pick_product']);
    const much = specFromForm({ ...defaults('flash_sale'), quantity: '11', price: '1.234' }, lineup);
    expect(much.ok ? [] : much.errors.map((e) => [e.field, e.key])).toEqual([
      ['price', 'products.price_digits'],
      ['quantity', 'activities.quantity_stock'],
    ]);
  });
});

// The activity forms' defaults and early checks. Ranges come from the
// generated `LIMITS` only (the room server checks the same numbers, and
// more: the lineup's stock, keywords already in use); its refusal is the
// message the form shows when it says no.

import type { MessageKey, Params } from '../i18n';
import { LIMITS, type ActivitySpec, type BagCondition, type Discount, type LineupItem, type Range } from '../ipc';
import { clamp, majorText } from './format';
import { checkPrice } from './productForm';
import type { FieldError } from './validate';

export type ActivityKind = ActivitySpec['kind'];
export const ACTIVITY_KINDS: readonly ActivityKind[] = ['coupon', 'flash_sale', 'draw', 'lucky_bag'];

/** A form's raw values (strings from its inputs); each kind uses some. */
export interface ActivityFormValues {
  kind: ActivityKind;
  /** A coupon's title, a draw's or lucky bag's prize. */
  title: string;
  discount_type: Discount['type'];
  /** A percentage, or an amount in major units. */
  discount: string;
  min_spend: string;
  /** Of a coupon's amounts or a lucky bag's pool (a flash sale uses its product's). */
  currency: string;
  /** A flash sale's product; a coupon's, or '' for any. */
  goods_id: string;
  /** A flash sale's price, major units. */
  price: string;
  quantity: string;
  per_user: string;
  duration_secs: string;
  keyword: string;
  winners: string;
  pool: string;
  condition: BagCondition['type'];
  exclude_muted: boolean;
}

/**
 * One click's worth of activity: a UI choice, not a limit. Each is clamped
 * to `LIMITS` when the form opens.
 */
export const ACTIVITY_DEFAULTS = {
  coupon: { percent: 10, quantity: 100, per_user: 1, duration_secs: 600 },
  flash_sale: { off_percent: 20, max_quantity: 20, per_user: 1, duration_secs: 60 },
  draw: { keyword: '666', winners: 3, duration_secs: 60 },
  lucky_bag: { winners: 5, duration_secs: 120 },
} as const;

/** What the defaults depend on: the product (current or chosen) and the texts in the window's language. */
export interface DefaultsContext {
  product: LineupItem | null;
  /** The lineup's currency when there is no product (a coupon, a lucky bag's pool). */
  currency: string;
  tr: (key: MessageKey, params?: Params) => string;
}

const inRange = (n: number, r: Range) => clamp(n, r.min, r.max);

/** A prefilled form for `kind`. */
export function activityDefaults(kind: ActivityKind, c: DefaultsContext): ActivityFormValues {
  const L = LIMITS;
  const currency = c.product?.currency ?? c.currency;
  const base: ActivityFormValues = {
    kind,
    title: '',
    discount_type: 'percent',
    discount: '',
    min_spend: '',
    currency,
    goods_id: '',
    price: '',
    quantity: '',
    per_user: '',
    duration_secs: '',
    keyword: '',
    winners: '',
    pool: '',
    condition: 'follow',
    exclude_muted: true,
  };
  switch (kind) {
    case 'coupon': {
      const d = ACTIVITY_DEFAULTS.coupon;
      const percent = inRange(d.percent, L.discount_percent);
      return {
        ...base,
        title: c.tr('activities.coupon_default_title', { percent }),
        discount: String(percent),
        quantity: String(inRange(d.quantity, L.activity_quantity)),
        per_user: String(inRange(d.per_user, L.activity_per_user)),
        duration_secs: String(inRange(d.duration_secs, L.activity_duration_secs)),
      };
    }
    case 'flash_sale': {
      const d = ACTIVITY_DEFAULTS.flash_sale;
      const p = c.product;
      // Whole minor units below the lineup price.
      const price = p ? inRange(Math.round((p.price * (100 - d.off_percent)) / 100), L.price_minor) : null;
      const quantity = p ? Math.min(d.max_quantity, p.stock, L.activity_quantity.max) : d.max_quantity;
      return {
        ...base,
        goods_id: p?.goods_id ?? '',
        price: p && price !== null ? majorText(price, p.currency) : '',
        quantity: String(quantity),
        per_user: String(inRange(d.per_user, L.activity_per_user)),
        duration_secs: String(inRange(d.duration_secs, L.activity_duration_secs)),
      };
    }
    case 'draw': {
      const d = ACTIVITY_DEFAULTS.draw;
      return {
        ...base,
        title: c.tr('activities.draw_default_prize'),
        keyword: d.keyword,
        winners: String(inRange(d.winners, L.activity_winners)),
        duration_secs: String(inRange(d.duration_secs, L.activity_duration_secs)),
      };
    }
    case 'lucky_bag': {
      const d = ACTIVITY_DEFAULTS.lucky_bag;
      return {
        ...base,
        title: c.tr('activities.bag_default_prize'),
        pool: '',
        winners: String(inRange(d.winners, L.activity_winners)),
        duration_secs: String(inRange(d.duration_secs, L.activity_duration_secs)),
        condition: 'follow',
      };
    }
  }
}

export type ActivityFormResult = { ok: true; spec: ActivitySpec } | { ok: false; errors: FieldError[] };

type Bad = { key: MessageKey; params?: Record<string, string | number> };

/** A whole number within `r`. */
function whole(text: string, r: Range): { ok: true; value: number } | ({ ok: false } & Bad) {
  const s = text.trim();
  if (s === '') return { ok: false, key: 'validate.required' };
  const n = Number(s);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(n) || n < r.min || n > r.max) {
    return { ok: false, key: 'activities.whole_range', params: { min: r.min, max: r.max } };
  }
  return { ok: true, value: n };
}

/** Trimmed text of 1 to `r.max` characters. */
function text(s: string, r: Range): { ok: true; value: string } | ({ ok: false } & Bad) {
  const v = s.trim();
  const n = [...v].length;
  if (n === 0) return { ok: false, key: 'validate.required' };
  if (n < r.min || n > r.max) return { ok: false, key: 'activities.text_long', params: { max: r.max } };
  return { ok: true, value: v };
}

/** An optional amount in major units: empty is 0. */
function optionalMoney(s: string, currency: string): { ok: true; value: number } | ({ ok: false } & Bad) {
  if (s.trim() === '') return { ok: true, value: 0 };
  const p = checkPrice(s, currency);
  return p.ok ? p : { ok: false, key: p.key, params: p.params };
}

/**
 * The form as an `ActivitySpec`, or what is wrong with it by field.
 * `lineup` is the lineup on screen (a flash sale's product and stock).
 */
export function specFromForm(f: ActivityFormValues, lineup: readonly LineupItem[]): ActivityFormResult {
  const L = LIMITS;
  const errors: FieldError[] = [];
  const bad = (field: keyof ActivityFormValues, b: Bad) => errors.push({ field, key: b.key, params: b.params });
  function get<T>(field: keyof ActivityFormValues, r: { ok: true; value: T } | ({ ok: false } & Bad)): T | undefined {
    if (r.ok) return r.value;
    bad(field, r);
    return undefined;
  }
  const duration = get('duration_secs', whole(f.duration_secs, L.activity_duration_secs));

  switch (f.kind) {
    case 'coupon': {
      const title = get('title', text(f.title, L.activity_title_chars));
      const currency = f.currency.trim().toUpperCase();
      let discount: Discount | undefined;
      if (f.discount_type === 'percent') {
        const p = get('discount', whole(f.discount, L.discount_percent));
        if (p !== undefined) discount = { type: 'percent', percent: p };
      } else {
        const m = checkPrice(f.discount, currency);
        if (m.ok) discount = { type: 'amount', minor: m.value };
        else bad('discount', m);
      }
      const minSpend = get('min_spend', optionalMoney(f.min_spend, currency));
      const quantity = get('quantity', whole(f.quantity, L.activity_quantity));
      const perUser = get('per_user', whole(f.per_user, L.activity_per_user));
      if (errors.length || title === undefined || !discount || minSpend === undefined) return { ok: false, errors };
      if (quantity === undefined || perUser === undefined || duration === undefined) return { ok: false, errors };
      return {
        ok: true,
        spec: {
          kind: 'coupon',
          title,
          discount,
          min_spend: minSpend,
          currency,
          quantity,
          per_user: perUser,
          duration_secs: duration,
          goods_id: f.goods_id === '' ? null : f.goods_id,
          exclude_muted: f.exclude_muted,
        },
      };
    }
    case 'flash_sale': {
      const item = lineup.find((i) => i.goods_id === f.goods_id);
      if (!item) bad('goods_id', { key: 'activities.pick_product' });
      let price: number | undefined;
      if (item) {
        const p = checkPrice(f.price, item.currency);
        if (p.ok) price = p.value;
        else bad('price', p);
      }
      let quantity = get('quantity', whole(f.quantity, L.activity_quantity));
      // Early word on the stock the lineup shows; the server counts what is sold.
      if (item && quantity !== undefined && quantity > item.stock) {
        bad('quantity', { key: 'activities.quantity_stock', params: { stock: item.stock } });
        quantity = undefined;
      }
      const perUser = get('per_user', whole(f.per_user, L.activity_per_user));
      if (errors.length || !item || price === undefined || quantity === undefined) return { ok: false, errors };
      if (perUser === undefined || duration === undefined) return { ok: false, errors };
      return {
        ok: true,
        spec: { kind: 'flash_sale', goods_id: item.goods_id, price, quantity, per_user: perUser, duration_secs: duration },
      };
    }
    case 'draw': {
      const prize = get('title', text(f.title, L.activity_title_chars));
      const keyword = get('keyword', text(f.keyword, L.activity_keyword_chars));
      const winners = get('winners', whole(f.winners, L.activity_winners));
      if (errors.length || prize === undefined || keyword === undefined || winners === undefined || duration === undefined) {
        return { ok: false, errors };
      }
      return {
        ok: true,
        spec: { kind: 'draw', prize, keyword, winners, duration_secs: duration, exclude_muted: f.exclude_muted },
      };
    }
    case 'lucky_bag': {
      const prize = get('title', text(f.title, L.activity_title_chars));
      const currency = f.currency.trim().toUpperCase();
      const pool = get('pool', optionalMoney(f.pool, currency));
      const winners = get('winners', whole(f.winners, L.activity_winners));
      let condition: BagCondition = { type: 'follow' };
      if (f.condition === 'keyword') {
        const keyword = get('keyword', text(f.keyword, L.activity_keyword_chars));
        if (keyword !== undefined) condition = { type: 'keyword', keyword };
      }
      if (errors.length || prize === undefined || pool === undefined || winners === undefined || duration === undefined) {
        return { ok: false, errors };
      }
      return {
        ok: true,
        spec: {
          kind: 'lucky_bag',
          prize,
          pool,
          currency,
          winners,
          duration_secs: duration,
          condition,
          exclude_muted: f.exclude_muted,
        },
      };
    }
  }
}

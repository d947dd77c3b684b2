// The activity feed: who changed the lineup and when ("小助手 moved Silk
// Scarf to #1"), from the room's `lineup` events, mixed with the room's
// shopping events (purchases, and coupons, flash sales, draws and lucky
// bags starting and ending). Newest first. Every name in it is room data,
// set as text.

import type { Ctx } from '../../ctx';
import { language, t } from '../../i18n';
import type { Language } from '../../ipc';
import { h } from '../../lib/dom';
import { feedLine } from '../../lib/activityText';
import { clockTime, money } from '../../lib/format';
import type { LineupActivity } from '../../state/lineup';
import type { ActivityEvent } from '../../state/room';
import { productName, ROLE_KEYS, type Section } from './common';

/** Lines shown (the stores keep more). */
export const ACTIVITY_SHOWN = 50;

/** Who did a lineup change: their nickname, else their role. */
export function actorName(a: LineupActivity): string {
  return a.by.nick || t(ROLE_KEYS[a.by.role]);
}

/** The line for one lineup change, in `lang`. */
export function lineupActivityText(a: LineupActivity, lang: Language): string {
  const who = actorName(a);
  const goods = a.names ? productName(a.names, lang, a.goods_id ?? '') : (a.goods_id ?? '');
  const op = a.op;
  switch (op.kind) {
    case 'add':
      return t('products.act_add', { who, goods });
    case 'remove':
      return t('products.act_remove', { who, goods });
    case 'move':
      return t('products.act_move', { who, goods, pos: op.to + 1 });
    case 'pin':
      return t(op.pinned ? 'products.act_pin' : 'products.act_unpin', { who, goods });
    case 'set_price':
      return t('products.act_price', {
        who,
        goods,
        price: a.names ? money(op.price, a.names.currency, lang) : String(op.price),
      });
    case 'set_stock':
      return t('products.act_stock', { who, goods, stock: op.stock });
    case 'sold_out':
      return t('products.act_sold_out', { who, goods });
    case 'explain':
      return t('products.act_explain', { who, goods });
    case 'next':
      return a.goods_id ? t('products.act_next', { who, goods }) : t('products.act_next_none', { who });
    case 'stop_explaining':
      return t('products.act_stop', { who });
  }
}

type FeedLine = { ts: number; lineup: LineupActivity } | { ts: number; shop: ActivityEvent };

/** Both feeds, newest first, at most `max` lines. */
export function mergeFeeds(lineup: readonly LineupActivity[], shop: readonly ActivityEvent[], max: number): FeedLine[] {
  const out: FeedLine[] = [];
  let i = 0;
  let j = 0;
  while (out.length < max && (i < lineup.length || j < shop.length)) {
    const a = lineup[i];
    const b = shop[j];
    if (a && (!b || a.ts >= b.ts)) {
      out.push({ ts: a.ts, lineup: a });
      i++;
    } else if (b) {
      out.push({ ts: b.ts, shop: b });
      j++;
    }
  }
  return out;
}

export function createActivity(ctx: Ctx): Section {
  const { store, room } = ctx;
  const list = h('ol', { class: 'activity', testid: 'lineup-activity' });
  const element = h('section', { class: 'activity-section' }, h('h3', { i18n: 'products.activity' }), list);

  const render = () => {
    const lang = language();
    const nameOf = (id: string) => {
      const n = store.lineupStore.namesOf(id);
      return n ? productName(n, lang, id) : id;
    };
    const lines = mergeFeeds(store.lineupStore.activity, room.activity, ACTIVITY_SHOWN);
    list.replaceChildren(
      ...lines.map((l) => {
        const time = h('time', { class: 'act-time', text: clockTime(l.ts, lang) });
        if ('lineup' in l) {
          const a = l.lineup;
          return h(
            'li',
            { class: 'act act-lineup', attrs: { 'data-role': a.by.role } },
            time,
            h('span', { class: 'tag role', i18n: ROLE_KEYS[a.by.role] }),
            h('span', { class: 'act-text', text: lineupActivityText(a, lang) }),
          );
        }
        const line = feedLine(l.shop, nameOf, (minor, currency) => money(minor, currency, lang));
        return h('li', { class: 'act act-shop' }, time, h('span', { class: 'act-text', text: line }));
      }),
    );
    if (lines.length === 0) list.appendChild(h('li', { class: 'dim', i18n: 'products.no_activity' }));
  };
  return { element, render };
}

// How the page words an activity: its kind, title, counts, winners and
// why it ended, and the feed line for a purchase or an activity that
// started or ended. Every string returned holds room data (titles,
// prizes, nicknames, product names) and is set as text, never as markup.

import { t, type MessageKey } from '../i18n';
import type { Activity, EndReason, Winner } from '../ipc';
import type { ActivityEvent } from '../state/room';
import type { ActivityKind } from './activityForm';
import { mmss } from './format';

export const KIND_KEYS: Record<ActivityKind, MessageKey> = {
  coupon: 'activities.kind_coupon',
  flash_sale: 'activities.kind_flash_sale',
  draw: 'activities.kind_draw',
  lucky_bag: 'activities.kind_lucky_bag',
};

export const END_KEYS: Record<EndReason, MessageKey> = {
  time: 'activities.end_time',
  manual: 'activities.end_manual',
  sold_out: 'activities.end_sold_out',
};

/** A product's name in the window's language, or its id. */
export type NameOf = (goodsId: string) => string;

/** What the host calls it: a coupon's title, a draw's or bag's prize, a flash sale's product. */
export function activityTitle(a: Pick<Activity, 'spec'>, nameOf: NameOf): string {
  const s = a.spec;
  switch (s.kind) {
    case 'coupon':
      return s.title;
    case 'flash_sale':
      return nameOf(s.goods_id);
    case 'draw':
    case 'lucky_bag':
      return s.prize;
  }
}

/** Winners' nicknames (their id when they have none), comma separated. */
export function winnersText(winners: readonly Winner[]): string {
  return winners.map((w) => w.nick || w.user_id).join(', ');
}

/** The server's counts in words: taken and left (coupons, sales), entries (draws, bags), people. */
export function countsText(a: Activity): string {
  const people = a.people;
  switch (a.spec.kind) {
    case 'coupon':
      return t('activities.counts_coupon', { taken: a.taken, left: a.remaining ?? 0, people });
    case 'flash_sale':
      return t('activities.counts_sale', { taken: a.taken, left: a.remaining ?? 0, people });
    case 'draw':
    case 'lucky_bag':
      return t('activities.counts_entries', { taken: a.taken, people });
  }
}

/** Time left until `ends_at` as mm:ss (the page's clock; 00:00 once passed). */
export function countdown(a: Pick<Activity, 'ends_at'>, now: number): string {
  return mmss(a.ends_at - now);
}

/** The feed line for a purchase or an activity that started or ended. */
export function feedLine(ev: ActivityEvent, nameOf: NameOf, money: (minor: number, currency: string) => string): string {
  if (ev.type === 'purchase') {
    const o = ev.order;
    return t('activities.feed_bought', {
      nick: ev.sender.nick || ev.sender.id,
      n: o.quantity,
      goods: nameOf(o.goods_id),
      total: money(o.total, o.currency),
    });
  }
  const a = ev.activity;
  const title = activityTitle(a, nameOf);
  const kind = t(KIND_KEYS[a.spec.kind]);
  if (ev.change !== 'ended') {
    if (a.spec.kind === 'draw') return t('activities.feed_draw_started', { title, keyword: a.spec.keyword });
    if (a.spec.kind === 'flash_sale') return t('activities.feed_sale_started', { title });
    return t('activities.feed_started', { kind, title });
  }
  if (a.spec.kind === 'draw' || a.spec.kind === 'lucky_bag') {
    return a.winners.length
      ? t('activities.feed_drawn', { kind, title, winners: winnersText(a.winners) })
      : t('activities.feed_no_winners', { kind, title });
  }
  if (a.spec.kind === 'flash_sale') return t('activities.feed_sale_ended', { title, taken: a.taken });
  return t('activities.feed_ended', { kind, title, taken: a.taken });
}

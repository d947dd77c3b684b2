// Gifts: one row per combo ("Rose x 40"), big gifts animated; the room's
// like total and the session's gift value.

import type { Ctx } from '../ctx';
import { clear, frameBatcher, h, setI18n, setText } from '../lib/dom';
import { int } from '../lib/format';
import { GiftFeed, type GiftRow } from '../lib/giftFeed';
import { eventKind, giftOf, num } from '../lib/roomEvents';
import { Subs, type PanelDef } from './panel';

interface GiftsModel {
  feed: GiftFeed;
  likeTotal: number;
  likeTotalKnown: boolean;
  changed: Set<() => void>;
  /** Rows that just became big: animate them once. */
  flashes: Set<string>;
}
const models = new WeakMap<object, GiftsModel>();

export function giftsModel(ctx: Ctx): GiftsModel {
  let m = models.get(ctx.store);
  if (m) return m;
  const model: GiftsModel = {
    feed: new GiftFeed(),
    likeTotal: 0,
    likeTotalKnown: false,
    changed: new Set(),
    flashes: new Set(),
  };
  m = model;
  models.set(ctx.store, model);
  const notify = () => {
    for (const cb of model.changed) cb();
  };
  let mode = ctx.store.session.mode;
  ctx.store.on('session', (s) => {
    if (s.mode !== mode) {
      mode = s.mode;
      model.feed = new GiftFeed();
      model.likeTotal = 0;
      model.likeTotalKnown = false;
      notify();
    }
  });
  ctx.store.on('room_event', (ev) => {
    const g = giftOf(ev);
    if (g) {
      const r = model.feed.add(g);
      if (r.becameBig) model.flashes.add(r.row.key);
      notify();
      return;
    }
    if (eventKind(ev) === 'like') {
      const total = num(ev.total, -1);
      if (total >= 0) {
        model.likeTotal = total;
      } else {
        model.likeTotal += num(ev.count);
      }
      model.likeTotalKnown = true;
      notify();
    }
  });
  return model;
}

function rowEl(r: GiftRow, flash: boolean): HTMLElement {
  return h(
    'li',
    { class: `gift-row${r.big ? ' big' : ''}${flash ? ' flash' : ''}`, testid: 'gift-row' },
    h('span', { class: 'nick', text: r.nick }),
    h('span', { class: 'gift-name', text: r.giftName }),
    h('span', { class: 'combo', text: `x ${r.combo}` }),
    h('span', { class: 'gift-value', text: int(r.value) }),
  );
}

export const giftsPanel: PanelDef = {
  id: 'gifts',
  title: 'panel.gifts',
  create(ctx) {
    const subs = new Subs();
    const model = giftsModel(ctx);
    const likes = h('span', { class: 'big-number', testid: 'likes-total' });
    const value = h('span', { class: 'big-number', testid: 'gifts-value' });
    const list = h('ol', { class: 'gift-list', testid: 'gift-list' });
    const empty = h('p', { class: 'hint' });
    const el = h(
      'div',
      { class: 'panel-body gifts' },
      h(
        'div',
        { class: 'stat-grid two' },
        h('div', { class: 'stat' }, h('span', { class: 'stat-label', i18n: 'gifts.likes' }), likes),
        h('div', { class: 'stat' }, h('span', { class: 'stat-label', i18n: 'gifts.value' }), value),
      ),
      empty,
      list,
    );
    const render = () => {
      setText(likes, model.likeTotalKnown ? int(model.likeTotal) : '—');
      setText(value, int(model.feed.totalValue));
      clear(list);
      const frag = document.createDocumentFragment();
      for (const r of model.feed.rows) frag.appendChild(rowEl(r, model.flashes.has(r.key)));
      model.flashes.clear();
      list.appendChild(frag);
      const s = ctx.store.session;
      if (model.feed.rows.length === 0) {
        setI18n(empty, s.room.connected || s.mode === 'rehearsal' ? 'gifts.none_yet' : 'gifts.no_room');
        empty.hidden = false;
      } else {
        empty.hidden = true;
      }
    };
    const schedule = frameBatcher(render);
    render();
    model.changed.add(schedule);
    subs.add(() => model.changed.delete(schedule), ctx.store.on('session', schedule));
    return { element: el, dispose: () => subs.dispose() };
  },
};

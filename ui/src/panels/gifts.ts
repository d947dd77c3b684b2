// Gifts: one row per combo ("Rose x 40"), big gifts animated; the room's
// like total and the session's gift value. The feed lives in the room store.

import { clear, frameBatcher, h, setI18n, setText } from '../lib/dom';
import { int } from '../lib/format';
import type { GiftRow } from '../lib/giftFeed';
import type { RoomChange } from '../state/room';
import { Subs, type PanelDef } from './panel';

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
    const { room } = ctx;
    const subs = new Subs();
    /** Rows that became big since the last draw: animated once. */
    const flashes = new Set<string>();
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
      const feed = room.gifts;
      setText(likes, room.likeTotal === null ? '—' : int(room.likeTotal));
      setText(value, int(feed.totalValue));
      clear(list);
      const frag = document.createDocumentFragment();
      for (const r of feed.rows) frag.appendChild(rowEl(r, flashes.has(r.key)));
      flashes.clear();
      list.appendChild(frag);
      const s = ctx.store.session;
      if (feed.rows.length === 0) {
        setI18n(empty, s.room.connected || s.mode === 'rehearsal' ? 'gifts.none_yet' : 'gifts.no_room');
        empty.hidden = false;
      } else {
        empty.hidden = true;
      }
    };
    const schedule = frameBatcher(render);
    const onRoom = (c: RoomChange) => {
      if (!c.reset && !c.gifts) return;
      for (const k of c.bigGifts) flashes.add(k);
      schedule();
    };
    render();
    subs.add(room.subscribe(onRoom), ctx.store.on('session', schedule));
    return { element: el, dispose: () => subs.dispose() };
  },
};

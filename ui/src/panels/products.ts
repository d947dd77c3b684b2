// Products: the lineup (current one highlighted), "next product", the card
// on screen (the room's pop-up: the shell shows each explanation once),
// and shopping activity. The room's part lives in the room store.

import { language, t } from '../i18n';
import { button, clear, frameBatcher, h, setI18n } from '../lib/dom';
import { price } from '../lib/format';
import { cardName } from '../lib/roomEvents';
import type { ActivityEvent, RoomChange } from '../state/room';
import { Subs, type PanelDef } from './panel';

/** Activity lines shown (the store keeps more). */
export const ACTIVITY_SHOWN = 20;

/** The activity line for a shopping event. */
export function activityLine(ev: ActivityEvent): string {
  switch (ev.type) {
    case 'purchase':
      return t('products.bought', { nick: ev.sender.nick || ev.sender.id, goods: ev.goods_id, n: ev.quantity });
    case 'coupon':
      return t('products.coupon', { title: ev.title });
    case 'flash_sale':
      return t('products.flash_sale', { goods: ev.goods_id, price: price(ev.price), stock: ev.stock });
    case 'lucky_draw':
      return ev.phase === 'result'
        ? t('products.draw_result', { title: ev.title, n: ev.winners.length })
        : t('products.draw_started', { title: ev.title, keyword: ev.keyword });
  }
}

export const productsPanel: PanelDef = {
  id: 'products',
  title: 'panel.products',
  create(ctx) {
    const { store, actions, room } = ctx;
    const subs = new Subs();

    const card = h('div', { class: 'product-card', testid: 'product-card' });
    const list = h('ol', { class: 'lineup', testid: 'lineup' });
    const empty = h('p', { class: 'hint notice-inline', testid: 'lineup-empty' });
    const next = button('products.next', () => void actions.nextProduct(), {
      class: 'btn btn-primary',
      testid: 'next-product',
    });
    const reload = button('products.reload', () => void actions.refreshLineup(), { class: 'btn btn-small' });
    const activity = h('ol', { class: 'activity' });
    const el = h(
      'div',
      { class: 'panel-body products' },
      card,
      h('div', { class: 'row spread' }, h('h3', { i18n: 'products.lineup' }), h('div', { class: 'row' }, reload, next)),
      empty,
      list,
      h('h3', { i18n: 'products.activity' }),
      activity,
    );

    const render = () => {
      const c = room.card;
      clear(card);
      card.hidden = !c;
      if (c) {
        card.append(
          h('div', { class: 'card-label', i18n: 'products.on_screen' }),
          h('div', { class: 'card-name', text: cardName(c, language()) }),
          h('div', { class: 'card-price', text: price(c.card.price) }),
        );
      }
      const l = store.lineup;
      clear(list);
      if (!l) {
        const why = actions.lineupError;
        if (why) setI18n(empty, 'products.unavailable', { reason: why });
        else setI18n(empty, 'products.loading');
        empty.hidden = false;
        next.disabled = true;
      } else if (l.products.length === 0) {
        setI18n(empty, 'products.empty');
        empty.hidden = false;
        next.disabled = true;
      } else {
        empty.hidden = true;
        next.disabled = false;
        l.products.forEach((p, i) => {
          const current = l.current === i;
          list.appendChild(
            h(
              'li',
              { class: current ? 'product current' : 'product', testid: 'lineup-item', attrs: { 'aria-current': current ? 'true' : null } },
              h('span', { class: 'idx', text: String(i + 1) }),
              h('span', { class: 'name', text: p.name }),
              h('span', { class: 'price', text: price(p.price_cents) }),
              current ? h('span', { class: 'tag live', i18n: 'products.current' }) : null,
            ),
          );
        });
      }
      clear(activity);
      for (const a of room.activity.slice(0, ACTIVITY_SHOWN)) activity.appendChild(h('li', { text: activityLine(a) }));
      if (room.activity.length === 0) activity.appendChild(h('li', { class: 'dim', i18n: 'products.no_activity' }));
    };
    const schedule = frameBatcher(render);
    const onRoom = (c: RoomChange) => {
      if (c.reset || c.products) schedule();
    };
    render();
    subs.add(room.subscribe(onRoom), store.on('lineup', schedule), store.on('session', schedule));
    return { element: el, dispose: () => subs.dispose() };
  },
};

// Products: the lineup (current one highlighted), "next product", the card
// on screen (`room_popup`, one per explanation), and shopping activity.

import type { Ctx } from '../ctx';
import { language, t } from '../i18n';
import { button, clear, frameBatcher, h, setI18n } from '../lib/dom';
import { price } from '../lib/format';
import { eventKind, identity, num, popupKey, productName, productPriceCents, str } from '../lib/roomEvents';
import type { ProductCard, RoomEvent } from '../types';
import { Subs, type PanelDef } from './panel';

export const ACTIVITY_MAX = 50;

interface ProductsModel {
  card: ProductCard | null;
  seen: Set<string>;
  activity: string[];
  changed: Set<() => void>;
}
const models = new WeakMap<object, ProductsModel>();

/** An activity line for a shopping event, or null. */
export function activityLine(ev: RoomEvent): string | null {
  switch (eventKind(ev)) {
    case 'purchase': {
      const who = identity(ev.sender);
      return t('products.bought', { nick: who?.nick ?? '?', goods: str(ev.goods_id), n: num(ev.quantity, 1) });
    }
    case 'coupon':
      return t('products.coupon', { title: str(ev.title) });
    case 'flash_sale':
      return t('products.flash_sale', { goods: str(ev.goods_id), price: price(num(ev.price)), stock: num(ev.stock) });
    case 'lucky_draw':
      return str(ev.phase) === 'result'
        ? t('products.draw_result', {
            title: str(ev.title),
            n: Array.isArray(ev.winners) ? ev.winners.length : 0,
          })
        : t('products.draw_started', { title: str(ev.title), keyword: str(ev.keyword) });
    default:
      return null;
  }
}

export function productsModel(ctx: Ctx): ProductsModel {
  let m = models.get(ctx.store);
  if (m) return m;
  const model: ProductsModel = { card: null, seen: new Set(), activity: [], changed: new Set() };
  m = model;
  models.set(ctx.store, model);
  const notify = () => {
    for (const cb of model.changed) cb();
  };
  const showCard = (c: ProductCard) => {
    const key = popupKey(c);
    // One pop-up per explanation: whichever of the event and the pop-up arrives first shows it.
    if (model.seen.has(key)) return;
    model.seen.add(key);
    model.card = c;
    notify();
  };
  let mode = ctx.store.session.mode;
  ctx.store.on('session', (s) => {
    if (s.mode !== mode) {
      mode = s.mode;
      model.card = null;
      model.seen.clear();
      model.activity = [];
    }
    notify();
  });
  ctx.store.on('lineup', notify);
  ctx.store.on('room_popup', showCard);
  ctx.store.on('room_event', (ev) => {
    if (eventKind(ev) === 'product_explain') {
      showCard(ev as ProductCard);
      return;
    }
    const line = activityLine(ev);
    if (line) {
      model.activity.unshift(line);
      if (model.activity.length > ACTIVITY_MAX) model.activity.length = ACTIVITY_MAX;
      notify();
    }
  });
  return model;
}

export const productsPanel: PanelDef = {
  id: 'products',
  title: 'panel.products',
  create(ctx) {
    const { store, actions } = ctx;
    const subs = new Subs();
    const model = productsModel(ctx);

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
      const c = model.card;
      clear(card);
      card.hidden = !c;
      if (c) {
        const cents = productPriceCents(c);
        card.append(
          h('div', { class: 'card-label', i18n: 'products.on_screen' }),
          h('div', { class: 'card-name', text: productName(c, language()) }),
          cents !== null ? h('div', { class: 'card-price', text: price(cents) }) : '',
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
      for (const a of model.activity.slice(0, 20)) activity.appendChild(h('li', { text: a }));
      if (model.activity.length === 0) activity.appendChild(h('li', { class: 'dim', i18n: 'products.no_activity' }));
    };
    const schedule = frameBatcher(render);
    render();
    model.changed.add(schedule);
    subs.add(() => model.changed.delete(schedule));
    return { element: el, dispose: () => subs.dispose() };
  },
};

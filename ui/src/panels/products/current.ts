// The product being explained, large at the top of the panel: image, name,
// price (with the struck-through list price), stock and how long it has
// been explained, and a flash sale running on it (price, units left,
// countdown). Next and Stop work for host and assistants alike. Below
// it, the pop-up the room shows viewers now (it comes from the room).

import type { Ctx } from '../../ctx';
import { language, t } from '../../i18n';
import type { Activity } from '../../ipc';
import { button, h, setI18n, setText, show } from '../../lib/dom';
import { countdown } from '../../lib/activityText';
import { mmss, money } from '../../lib/format';
import { cardName } from '../../lib/roomEvents';
import { productName, setThumb, thumb, type Section } from './common';

export function createCurrent(ctx: Ctx): Section {
  const { store, room, actions } = ctx;
  const lineup = store.lineupStore;

  const image = thumb('thumb-lg', null);
  const label = h('div', { class: 'current-label', i18n: 'products.explaining' });
  const name = h('div', { class: 'current-name', testid: 'current-name' });
  const priceEl = h('span', { class: 'current-price' });
  const listPrice = h('s', { class: 'current-list-price' });
  const stock = h('span', { class: 'current-stock' });
  const timer = h('span', { class: 'current-timer mono', testid: 'explain-timer' });
  const saleText = h('span', { class: 'sale-text' });
  const saleClock = h('span', { class: 'sale-countdown mono', testid: 'current-sale-countdown' });
  const sale = h(
    'div',
    { class: 'current-sale', testid: 'current-sale' },
    h('span', { class: 'tag live', i18n: 'activities.kind_flash_sale' }),
    saleText,
    saleClock,
  );
  const idle = h('p', { class: 'hint', i18n: 'products.nothing_explained' });
  const next = button('products.next', () => void actions.nextProduct(), {
    class: 'btn btn-primary',
    testid: 'next-product',
  });
  const stop = button('products.stop', () => void actions.lineup.op({ kind: 'stop_explaining' }), {
    class: 'btn',
    testid: 'stop-explaining',
  });
  const details = h(
    'div',
    { class: 'current-details' },
    label,
    name,
    h('div', { class: 'current-prices' }, priceEl, listPrice),
    h('div', { class: 'current-meta' }, stock, timer),
    sale,
  );
  const box = h(
    'section',
    { class: 'current-product', testid: 'current-product', attrs: { 'aria-live': 'polite' } },
    h('div', { class: 'current-main' }, image, details),
    idle,
    h('div', { class: 'row current-buttons' }, next, stop),
  );

  // The room's pop-up (what viewers see now).
  const popup = h('div', { class: 'product-card', testid: 'product-card' });
  const element = h('div', { class: 'current-wrap' }, box, popup);

  // ---- the explain timer: once a second, only while there is something to time and it is seen ----
  let since: number | null = null;
  /** The flash sale on the product explained now, if one runs. */
  let flash: Activity | null = null;
  let seen = true;
  let tick: ReturnType<typeof setInterval> | null = null;
  const drawTimer = () => {
    const now = Date.now();
    setText(timer, since === null ? '' : mmss(now - since));
    if (flash) setText(saleClock, countdown(flash, now));
  };
  const syncTimer = () => {
    const want = since !== null && seen;
    if (want && tick === null) tick = setInterval(drawTimer, 1000);
    else if (!want && tick !== null) {
      clearInterval(tick);
      tick = null;
    }
  };
  let observer: IntersectionObserver | null = null;
  if (typeof IntersectionObserver === 'function') {
    observer = new IntersectionObserver((entries) => {
      for (const e of entries) seen = e.isIntersecting;
      drawTimer();
      syncTimer();
    });
    observer.observe(box);
  }

  let imageUrl = '';
  const render = () => {
    const lang = language();
    const item = lineup.currentItem();
    const cur = lineup.snapshot?.current ?? null;
    box.classList.toggle('idle', !item);
    show(details, !!item);
    show(idle, !item);
    show(image, !!item);
    stop.disabled = !cur;
    next.disabled = !lineup.snapshot || lineup.snapshot.items.length === 0;
    if (item) {
      setText(name, productName(item, lang, item.goods_id));
      setText(priceEl, money(item.price, item.currency, lang));
      const strike = item.list_price !== null && item.list_price > item.price;
      setText(listPrice, strike ? money(item.list_price as number, item.currency, lang) : '');
      show(listPrice, strike);
      if (item.sold_out || item.stock === 0) setI18n(stock, 'products.sold_out');
      else setI18n(stock, 'products.stock', { n: item.stock });
      stock.classList.toggle('sold-out', item.sold_out || item.stock === 0);
      if (item.image_url !== imageUrl) {
        imageUrl = item.image_url;
        const known = actions.lineup.image(imageUrl);
        setThumb(image, known);
        if (known === undefined) {
          const want = imageUrl;
          void actions.lineup.loadImage(want).then((src) => {
            if (imageUrl === want) setThumb(image, src);
          });
        }
      }
    }
    since = item && cur ? cur.since_ms : null;
    const running = item ? ctx.store.activityStore.saleOn(item.goods_id) : undefined;
    flash = running ?? null;
    show(sale, !!item && !!running);
    if (item && running?.spec.kind === 'flash_sale') {
      setText(
        saleText,
        t('activities.sale_on_card', {
          price: money(running.spec.price, item.currency, lang),
          left: running.remaining ?? 0,
        }),
      );
    }
    drawTimer();
    syncTimer();

    const c = room.card;
    popup.replaceChildren();
    show(popup, !!c);
    if (c) {
      popup.append(
        h('span', { class: 'card-label', i18n: 'products.on_screen' }),
        h('span', { class: 'card-name', text: cardName(c, lang) }),
      );
    }
  };

  return {
    element,
    render,
    dispose() {
      observer?.disconnect();
      since = null;
      if (tick !== null) clearInterval(tick);
      tick = null;
    },
  };
}

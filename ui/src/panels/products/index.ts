// Products: the product being explained (large, at the top), then four
// tabs: the shared lineup with its activity feed, the room's activities
// (coupons, flash sales, draws, lucky bags), this machine's catalogue, and
// the product card on the stream. Host and assistants get
// the same lineup controls (an assistant may manage the lineup).

import { onLanguage, type MessageKey } from '../../i18n';
import { frameBatcher, h } from '../../lib/dom';
import type { RoomChange } from '../../state/room';
import { Subs, type PanelDef } from '../panel';
import { createActivities } from './activities';
import { createActivity } from './activity';
import { createCardOverlay } from './cardOverlay';
import { createCatalogue } from './catalogue';
import type { Section } from './common';
import { createCurrent } from './current';
import { createLineupList } from './lineup';

export { ACTIVITY_SHOWN } from './activity';

type Tab = 'lineup' | 'activities' | 'catalog' | 'card';
const TABS: { id: Tab; label: MessageKey }[] = [
  { id: 'lineup', label: 'products.tab_lineup' },
  { id: 'activities', label: 'products.tab_activities' },
  { id: 'catalog', label: 'products.tab_catalog' },
  { id: 'card', label: 'products.tab_card' },
];

export const productsPanel: PanelDef = {
  id: 'products',
  title: 'panel.products',
  create(ctx) {
    const { store, room } = ctx;
    const subs = new Subs();

    const current = createCurrent(ctx);
    const lineup = createLineupList(ctx);
    const activity = createActivity(ctx);
    const activities = createActivities(ctx);
    const catalogue = createCatalogue(ctx);
    const card = createCardOverlay(ctx);
    const sections: Section[] = [current, lineup, activity, activities, catalogue, card];

    const pages: Record<Tab, HTMLElement> = {
      lineup: h('div', { class: 'tab-page', testid: 'products-lineup' }, lineup.element, activity.element),
      activities: h('div', { class: 'tab-page', testid: 'products-activities' }, activities.element),
      catalog: h('div', { class: 'tab-page', testid: 'products-catalog' }, catalogue.element),
      card: h('div', { class: 'tab-page', testid: 'products-card' }, card.element),
    };
    const tabButtons = TABS.map((tab) =>
      h('button', {
        class: 'tab',
        testid: `products-tab-${tab.id}`,
        i18n: tab.label,
        attrs: { type: 'button', role: 'tab' },
        on: { click: () => select(tab.id) },
      }),
    );
    const select = (id: Tab) => {
      TABS.forEach((tab, i) => {
        const on = tab.id === id;
        pages[tab.id].hidden = !on;
        tabButtons[i]?.setAttribute('aria-selected', String(on));
        tabButtons[i]?.classList.toggle('active', on);
      });
    };
    select('lineup');

    const el = h(
      'div',
      { class: 'panel-body products' },
      current.element,
      h('div', { class: 'tabs', attrs: { role: 'tablist' } }, ...tabButtons),
      pages.lineup,
      pages.activities,
      pages.catalog,
      pages.card,
    );

    // However many lineup events and room batches arrive, one render a frame.
    const render = () => {
      for (const s of sections) s.render();
    };
    const schedule = frameBatcher(render);
    render();
    subs.add(
      room.subscribe((c: RoomChange) => {
        if (c.reset || c.products) schedule();
      }),
      store.lineupStore.subscribe(schedule),
      store.activityStore.subscribe(schedule),
      store.on('session', schedule),
      store.on('settings', schedule),
      // Names and prices follow the window's language.
      onLanguage(() => schedule()),
    );
    return {
      element: el,
      dispose: () => {
        subs.dispose();
        for (const s of sections) s.dispose?.();
      },
    };
  },
};

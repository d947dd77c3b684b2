// The Products panel on a fake api, for the panel's tests. Each test
// file mocks the api module first (vi.mock must be in the file):
//   vi.mock('../../ipc/api', async () => (await import('../../test/apiMock')).apiMock);
import { afterEach, beforeEach, vi } from 'vitest';
import type { LineupSnapshot } from '../ipc';
import type { PanelInstance } from '../panels/panel';
import { productsPanel } from '../panels/products/index';
import { fake } from './apiMock';
import { byTestId, makeCtx } from './ctx';
import { lineupItem, makeFakeApi, snapshot } from './fakeApi';


/** A name that must stay text. */
export const EVIL = '<img src=x onerror=alert(1)>';

/** Waits for what the next frames render. */
export const settled = (check: () => void) => vi.waitFor(check, { timeout: 2000, interval: 10 });

let panel: PanelInstance | null = null;

/** Opens the panel (over `lineup`, if given) in a fresh host element. */
export function setup(lineup: LineupSnapshot | null = null) {
  fake.current = makeFakeApi();
  const host = document.createElement('div');
  document.body.appendChild(host);
  const ctx = makeCtx(host);
  if (lineup) ctx.store.setLineup(lineup);
  const p = productsPanel.create(ctx);
  panel = p;
  host.appendChild(p.element);
  const q = <T extends HTMLElement = HTMLElement>(id: string, root: ParentNode = host) => byTestId<T>(root, id);
  const rows = () => [...host.querySelectorAll<HTMLElement>('[data-testid="lineup-row"]')];
  /** Closes the panel now (the test checks what closing does). */
  const close = () => {
    p.dispose();
    panel = null;
  };
  return { ctx, api: fake.current.api, q, rows, host, close };
}

/** Three lineup rows: one with a hostile name, one pinned, one sold out in yen. */
export const three = () =>
  snapshot({
    version: 7,
    items: [
      lineupItem({ goods_id: 'p1', name_en: EVIL, list_price: 12900 }),
      lineupItem({ goods_id: 'p2', name_en: 'Silk Scarf', pinned: true }),
      lineupItem({ goods_id: 'p3', name_en: 'Matcha', price: 500, currency: 'JPY', sold_out: true, stock: 0, state: 'sold_out' }),
    ],
  });

/** A clean page before each test, the panel closed after. */
export function useProductsPanel(): void {
  beforeEach(() => {
    document.body.innerHTML = '';
  });
  afterEach(() => {
    panel?.dispose();
    panel = null;
    vi.useRealTimers();
  });
}

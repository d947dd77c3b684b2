// The lineup list: one row per product, in the shared order. Rows are
// reordered by dragging their handle (pointer events: HTML5 drag and drop
// does not work in the webview) or with Alt+ArrowUp/Down on a focused row.
// Every change is sent with the version this list showed (`base`).

import type { Ctx } from '../../ctx';
import { language, t } from '../../i18n';
import type { LineupItem, LineupOp } from '../../ipc';
import { button, h, setI18n, show } from '../../lib/dom';
import { dropGap, keyboardTarget, moveTarget } from '../../lib/reorder';
import { productName, refusalBanner, type Section } from './common';
import { LineupRow, type RowHandlers } from './lineupRow';

export function createLineupList(ctx: Ctx): Section {
  const { store, actions, confirm } = ctx;
  const state = store.lineupStore;

  const list = h('ol', { class: 'lineup', testid: 'lineup' });
  const empty = h('p', { class: 'hint notice-inline', testid: 'lineup-empty' });
  const refusal = refusalBanner('lineup-refusal', () => state.setRefusal(null));
  const reload = button('products.reload', () => void actions.refreshLineup(true), { class: 'btn btn-small' });
  const element = h(
    'section',
    { class: 'lineup-section' },
    h('div', { class: 'row spread' }, h('h3', { i18n: 'products.lineup' }), reload),
    refusal.element,
    empty,
    list,
  );

  /** The version on screen: every change is made on it. */
  let base: number | null = null;
  const rows = new Map<string, LineupRow>();
  const send = (op: LineupOp) => {
    if (base !== null) void actions.lineup.op(op, base);
  };
  const indexOf = (goodsId: string) => state.snapshot?.items.findIndex((i) => i.goods_id === goodsId) ?? -1;

  const handlers: RowHandlers = {
    explain: (item) => send({ kind: 'explain', goods_id: item.goods_id }),
    pin: (item, pinned) => send({ kind: 'pin', goods_id: item.goods_id, pinned }),
    soldOut: (item) => send({ kind: 'sold_out', goods_id: item.goods_id }),
    setPrice: (item, price) => send({ kind: 'set_price', goods_id: item.goods_id, price }),
    setStock: (item, stock) => send({ kind: 'set_stock', goods_id: item.goods_id, stock }),
    remove: (item) => void removeItem(item),
    image: (url) => actions.lineup.image(url),
    loadImage: (url) => actions.lineup.loadImage(url),
  };

  async function removeItem(item: LineupItem): Promise<void> {
    const at = base;
    const ok = await confirm.ask({
      title: 'products.remove_title',
      message: 'products.remove_message',
      params: { name: productName(item, language(), item.goods_id) },
      yes: 'products.remove',
      danger: true,
    });
    if (ok && at !== null) void actions.lineup.op({ kind: 'remove', goods_id: item.goods_id }, at);
  }

  // ---- drag with pointer events ----
  let drag: { row: LineupRow; pointerId: number; gap: number | null } | null = null;
  const indicate = (gap: number | null) => {
    for (const el of list.querySelectorAll('.drop-before, .drop-after')) el.classList.remove('drop-before', 'drop-after');
    if (gap === null) return;
    const kids = list.children;
    if (gap < kids.length) kids[gap]?.classList.add('drop-before');
    else kids[kids.length - 1]?.classList.add('drop-after');
  };
  const endDrag = () => {
    if (!drag) return;
    drag.row.el.classList.remove('dragging');
    list.classList.remove('dragging');
    indicate(null);
    drag = null;
  };
  const wire = (row: LineupRow) => {
    const handle = row.handle;
    handle.addEventListener('pointerdown', (e) => {
      if (e.button !== 0 || drag) return;
      e.preventDefault();
      handle.setPointerCapture?.(e.pointerId);
      drag = { row, pointerId: e.pointerId, gap: null };
      row.el.classList.add('dragging');
      list.classList.add('dragging');
    });
    handle.addEventListener('pointermove', (e) => {
      if (!drag || drag.pointerId !== e.pointerId) return;
      const rects = [...list.children].map((el) => el.getBoundingClientRect());
      drag.gap = dropGap(e.clientY, rects);
      indicate(drag.gap);
    });
    handle.addEventListener('pointerup', (e) => {
      if (!drag || drag.pointerId !== e.pointerId) return;
      const { gap } = drag;
      endDrag();
      const from = indexOf(row.item.goods_id);
      const to = gap === null || from < 0 ? null : moveTarget(from, gap);
      if (to !== null) send({ kind: 'move', goods_id: row.item.goods_id, to });
    });
    handle.addEventListener('pointercancel', endDrag);
    handle.addEventListener('lostpointercapture', endDrag);
    // Keyboard reordering for everyone who cannot drag.
    row.el.addEventListener('keydown', (e) => {
      if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') || row.isEditing) return;
      e.preventDefault();
      const count = state.snapshot?.items.length ?? 0;
      const to = keyboardTarget(indexOf(row.item.goods_id), e.key === 'ArrowUp' ? -1 : 1, count);
      if (to !== null) send({ kind: 'move', goods_id: row.item.goods_id, to });
    });
  };

  const render = () => {
    const s = state.snapshot;
    refusal.set(state.refusal === null ? null : t('products.conflict', { reason: state.refusal }));
    if (!s) {
      base = null;
      if (state.error) setI18n(empty, 'products.unavailable', { reason: state.error });
      else setI18n(empty, 'products.loading');
      show(empty, true);
      for (const r of rows.values()) r.el.remove();
      rows.clear();
      return;
    }
    base = s.version;
    if (s.items.length === 0) setI18n(empty, 'products.empty');
    show(empty, s.items.length === 0);
    // Keep the focus (and an edit in progress) where it was across moves.
    const active = document.activeElement;
    const seen = new Set<string>();
    s.items.forEach((item, i) => {
      seen.add(item.goods_id);
      let row = rows.get(item.goods_id);
      if (!row) {
        row = new LineupRow(item, handlers);
        wire(row);
        rows.set(item.goods_id, row);
      }
      row.update(item, i);
      const at = list.children[i];
      if (at !== row.el) list.insertBefore(row.el, at ?? null);
    });
    for (const [id, row] of rows) {
      if (seen.has(id)) continue;
      if (drag?.row === row) endDrag();
      row.el.remove();
      rows.delete(id);
    }
    if (active instanceof HTMLElement && active !== document.activeElement && active.isConnected && list.contains(active)) {
      active.focus();
    }
  };

  return { element, render, dispose: endDrag };
}

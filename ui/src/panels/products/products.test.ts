import { describe, expect, it, vi } from 'vitest';
vi.mock('../../ipc/api', async () => (await import('../../test/apiMock')).apiMock);

import { snapshot, makeFakeApi } from '../../test/fakeApi';
import { fake } from '../../test/apiMock';
import { EVIL, settled, setup, three, useProductsPanel } from '../../test/productsRig';

useProductsPanel();

describe('the lineup list', () => {
  it('renders one row per item, names as literal text', () => {
    const { rows, q } = setup(three());
    expect(rows().map((r) => r.dataset.goodsId)).toEqual(['p1', 'p2', 'p3']);
    const first = rows()[0]!;
    expect(first.querySelector('img')).toBeNull();
    expect(first.querySelector('.name')!.textContent).toBe(EVIL);
    expect(first.querySelector('[data-testid="price"]')!.textContent).toContain('CN¥99.00');
    expect(first.querySelector('s')!.textContent).toBe('CN¥129.00');
    expect(q('drag-handle', first)).not.toBeNull();
    expect(rows()[1]!.querySelector<HTMLElement>('.pinned')!.hidden).toBe(false);
    expect(rows()[2]!.textContent).toContain('¥500');
    expect(rows()[2]!.textContent).toContain('Sold out');
  });

  it('explains a row on the version it showed', async () => {
    const { api, rows, q } = setup(three());
    const after = snapshot({ ...three(), version: 8, current: { goods_id: 'p2', event_id: 'e', since_ms: Date.now() } });
    api.lineupOp.mockResolvedValueOnce(after);
    q('explain', rows()[1]!)!.click();
    expect(api.lineupOp).toHaveBeenCalledWith({ base: 7, op: { kind: 'explain', goods_id: 'p2' } });
    await settled(() => expect(q('current-product')!.textContent).toContain('Silk Scarf'));
  });

  it('shows the server’s reason when it refuses a change', async () => {
    const { api, rows, q, host } = setup(three());
    api.lineupOp.mockRejectedValueOnce({ code: 'conflict', message: 'the product is not in the lineup' });
    q('explain', rows()[0]!)!.click();
    await settled(() => expect(q('lineup-refusal')!.hidden).toBe(false));
    expect(q('lineup-refusal')!.textContent).toContain('the product is not in the lineup');
    expect(host.querySelector('.toast')!.textContent).toContain('the product is not in the lineup');
    // It asks for the current lineup too.
    expect(api.lineup).toHaveBeenCalled();
  });

  it('edits the price in place: Enter sends minor units, Escape cancels, bad input stays', async () => {
    const { api, rows, q } = setup(three());
    q('price', rows()[0]!)!.click();
    const input = q<HTMLInputElement>('price-input', rows()[0]!)!;
    expect(input.value).toBe('99.00');
    input.value = '88.5';
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(api.lineupOp).toHaveBeenLastCalledWith({ base: 7, op: { kind: 'set_price', goods_id: 'p1', price: 8850 } });

    q('price', rows()[2]!)!.click();
    const yen = q<HTMLInputElement>('price-input', rows()[2]!)!;
    yen.value = '5.5';
    yen.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(yen.getAttribute('aria-invalid')).toBe('true');
    expect(rows()[2]!.querySelector('.row-error')!.textContent).toContain('JPY');
    yen.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(q('price-input', rows()[2]!)).toBeNull();
    expect(api.lineupOp).toHaveBeenCalledTimes(1);
  });

  it('edits the stock in place', () => {
    const { api, rows, q } = setup(three());
    q('stock', rows()[1]!)!.click();
    const input = q<HTMLInputElement>('stock-input', rows()[1]!)!;
    input.value = '42';
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(api.lineupOp).toHaveBeenLastCalledWith({ base: 7, op: { kind: 'set_stock', goods_id: 'p2', stock: 42 } });
  });

  it('keeps an edit in progress when the lineup changes around it', async () => {
    const { ctx, rows, q } = setup(three());
    q('price', rows()[1]!)!.click();
    q<HTMLInputElement>('price-input', rows()[1]!)!.value = '12';
    const s = three();
    ctx.store.setLineup({ ...s, version: 9, items: [s.items[1]!, s.items[0]!, s.items[2]!] });
    await settled(() => expect(rows()[0]!.dataset.goodsId).toBe('p2'));
    expect(q<HTMLInputElement>('price-input', rows()[0]!)!.value).toBe('12');
  });

  it('reorders with Alt+Arrow keys on a focused row', () => {
    const { api, rows } = setup(three());
    rows()[0]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', altKey: true, bubbles: true }));
    expect(api.lineupOp).toHaveBeenLastCalledWith({ base: 7, op: { kind: 'move', goods_id: 'p1', to: 1 } });
    rows()[0]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp', altKey: true, bubbles: true }));
    expect(api.lineupOp).toHaveBeenCalledTimes(1);
  });

  it('reorders by dragging the handle with pointer events', () => {
    const { api, rows, q, host } = setup(three());
    rows().forEach((r, i) => {
      r.getBoundingClientRect = () => ({ top: 100 + i * 40, height: 40 }) as DOMRect;
    });
    const handle = q('drag-handle', rows()[0]!)!;
    handle.dispatchEvent(new PointerEvent('pointerdown', { pointerId: 1, button: 0, clientY: 110, bubbles: true }));
    handle.dispatchEvent(new PointerEvent('pointermove', { pointerId: 1, clientY: 185, bubbles: true }));
    expect(rows()[2]!.classList.contains('drop-before')).toBe(true);
    handle.dispatchEvent(new PointerEvent('pointermove', { pointerId: 1, clientY: 300, bubbles: true }));
    expect(rows()[2]!.classList.contains('drop-after')).toBe(true);
    handle.dispatchEvent(new PointerEvent('pointerup', { pointerId: 1, clientY: 300, bubbles: true }));
    expect(api.lineupOp).toHaveBeenLastCalledWith({ base: 7, op: { kind: 'move', goods_id: 'p1', to: 2 } });
    expect(host.querySelector('.drop-before, .drop-after')).toBeNull();
  });

  it('asks before removing', async () => {
    const { api, rows, q } = setup(three());
    q('remove', rows()[1]!)!.click();
    expect(api.lineupOp).not.toHaveBeenCalled();
    expect(q('confirm-dialog')!.textContent).toContain('Silk Scarf');
    q('confirm-yes')!.click();
    await settled(() => expect(api.lineupOp).toHaveBeenCalledWith({ base: 7, op: { kind: 'remove', goods_id: 'p2' } }));
  });

  it('shows why the lineup is missing', async () => {
    fake.current = makeFakeApi();
    const { ctx, q } = setup(null);
    fake.current.api.lineup.mockRejectedValueOnce({ code: 'state', message: 'no room in this mode' });
    await ctx.actions.refreshLineup();
    await settled(() => expect(q('lineup-empty')!.textContent).toContain('no room in this mode'));
  });
});

describe('the current product', () => {
  it('shows the explained product with a ticking mm:ss timer, and stops it', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(1_000_000);
    const s = three();
    const { api, q, close } = setup({
      ...s,
      items: s.items.map((i) => (i.goods_id === 'p1' ? { ...i, state: 'explaining' } : i)),
      current: { goods_id: 'p1', event_id: 'e', since_ms: 1_000_000 - 65_000 },
    });
    const box = q('current-product')!;
    expect(q('current-name', box)!.textContent).toBe(EVIL);
    expect(box.querySelector('img')).toBeNull();
    expect(box.querySelector('s')!.textContent).toBe('CN¥129.00');
    expect(q('explain-timer', box)!.textContent).toBe('01:05');
    vi.advanceTimersByTime(2_000);
    expect(q('explain-timer', box)!.textContent).toBe('01:07');
    q('stop-explaining', box)!.click();
    expect(api.lineupOp).toHaveBeenCalledWith({ base: 7, op: { kind: 'stop_explaining' } });
    close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('Next works through the shared action (the hotkey’s too)', () => {
    const { api, q } = setup(three());
    q('next-product')!.click();
    expect(api.lineupNext).toHaveBeenCalledTimes(1);
  });
});


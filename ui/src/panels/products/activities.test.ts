import { describe, expect, it, vi } from 'vitest';
vi.mock('../../ipc/api', async () => (await import('../../test/apiMock')).apiMock);

import { LIMITS, type Event } from '../../ipc';
import { mmss } from '../../lib/format';
import { activity, drawSpec } from '../../test/commerce';
import { EVIL, settled, setup, three, useProductsPanel } from '../../test/productsRig';
import { batch, identity } from '../../test/room';

useProductsPanel();

const input = (el: HTMLElement | null) => el as HTMLInputElement;
function type(el: HTMLElement | null, value: string): void {
  input(el).value = value;
  el!.dispatchEvent(new Event('input', { bubbles: true }));
}
const submit = (form: HTMLElement) => form.dispatchEvent(new Event('submit', { cancelable: true }));

/**
 * Whether a once-a-second countdown to `endsAt` shows the time left now
 * (it may lag by up to a tick). Waiting for a render moves the fake clock on.
 */
const ticking = (shown: string, endsAt: number) =>
  [mmss(endsAt - Date.now()), mmss(endsAt - Date.now() + 1000)].includes(shown);

/** The lineup with p2 (Silk Scarf, CN¥99.00, 10 in stock) being explained. */
const explainingScarf = () => ({ ...three(), current: { goods_id: 'p2', event_id: 'e', since_ms: Date.now() } });

describe('creating activities', () => {
  it('one click opens a prefilled draw; Start sends it', async () => {
    const { api, q } = setup(three());
    q('products-tab-activities')!.click();
    q('activity-new-draw')!.click();
    const form = q('activity-form')!;
    expect(form.hidden).toBe(false);
    expect(input(q('activity-keyword', form)).value).toBe('666');
    expect(input(q('activity-winners', form)).value).toBe('3');
    expect(input(q('activity-duration_secs', form)).value).toBe('60');
    // Only the draw's fields show.
    expect(q('activity-price', form)!.closest<HTMLElement>('.field')!.hidden).toBe(true);
    q('activity-start', form)!.click();
    submit(form);
    expect(api.activityOp).toHaveBeenCalledWith({
      op: 'create',
      spec: { kind: 'draw', prize: 'Mystery gift', keyword: '666', winners: 3, duration_secs: 60, exclude_muted: true },
    });
    await settled(() => expect(form.hidden).toBe(true));
  });

  it('a flash sale starts on the product being explained, 20% off, at most its stock', () => {
    const { api, q } = setup(explainingScarf());
    q('activity-new-flash_sale')!.click();
    const form = q('activity-form')!;
    expect(input(q('activity-goods_id', form)).value).toBe('p2');
    expect(input(q('activity-price', form)).value).toBe('79.20');
    expect(input(q('activity-quantity', form)).value).toBe('10');
    submit(form);
    expect(api.activityOp).toHaveBeenCalledWith({
      op: 'create',
      spec: { kind: 'flash_sale', goods_id: 'p2', price: 7920, quantity: 10, per_user: 1, duration_secs: 60 },
    });
  });

  it('refuses too many winners and an empty keyword before asking the server', () => {
    const { api, q } = setup(three());
    q('activity-new-draw')!.click();
    const form = q('activity-form')!;
    type(q('activity-winners', form), String(LIMITS.activity_winners.max + 1));
    type(q('activity-keyword', form), '');
    submit(form);
    expect(api.activityOp).not.toHaveBeenCalled();
    expect(q('activity-winners', form)!.getAttribute('aria-invalid')).toBe('true');
    expect(q('activity-winners', form)!.parentElement!.textContent).toContain(`${LIMITS.activity_winners.max}`);
    expect(q('activity-keyword', form)!.parentElement!.textContent).toContain('Required');
  });

  it('shows the server’s reason when it refuses, and keeps the form', async () => {
    const { api, q } = setup(three());
    api.activityOp.mockRejectedValueOnce({ code: 'conflict', message: 'a1 already runs with the keyword "666"' });
    q('activity-new-draw')!.click();
    submit(q('activity-form')!);
    await settled(() => expect(q('activity-refusal')!.hidden).toBe(false));
    expect(q('activity-refusal')!.textContent).toContain('a1 already runs with the keyword "666"');
    expect(q('activity-form')!.hidden).toBe(false);
  });
});

describe('running and ended activities', () => {
  it('counts follow the activities events; the countdown ticks; End asks, then ends', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(1_000_000);
    const { api, ctx, q, close } = setup(three());
    ctx.store.activityStore.apply([activity({ ends_at: 1_000_000 + 95_000, taken: 3, people: 3, remaining: 97 })]);
    await settled(() => expect(q('activity-item')).not.toBeNull());
    const item = q('activity-item')!;
    expect(q('activity-counts', item)!.textContent).toBe('3 claimed · 97 left · 3 people');
    const shown = () => q('activity-countdown', item)!.textContent!;
    const before = shown();
    expect(ticking(before, 1_095_000)).toBe(true);
    expect(before <= '01:35' && before > '01:25').toBe(true);
    vi.advanceTimersByTime(3_000);
    expect(ticking(shown(), 1_095_000)).toBe(true);
    expect(shown()).not.toBe(before);

    ctx.store.activityStore.apply([activity({ ends_at: 1_000_000 + 95_000, taken: 9, people: 7, remaining: 91 })]);
    await settled(() => expect(q('activity-counts', item)!.textContent).toBe('9 claimed · 91 left · 7 people'));
    // The same row, so a focused End keeps its focus.
    expect(q('activity-item')).toBe(item);

    q('activity-end', item)!.click();
    expect(api.activityOp).not.toHaveBeenCalled();
    q('confirm-yes')!.click();
    await settled(() => expect(api.activityOp).toHaveBeenCalledWith({ op: 'end', activity_id: 'a1' }));
    close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ended draws show why, their winners and the proof, all as text', async () => {
    const { ctx, q, host } = setup(three());
    const commitment = 'ab'.repeat(32);
    ctx.store.activityStore.apply([
      activity(
        {
          id: 'a7',
          phase: 'ended',
          ended_at: 5,
          end_reason: 'time',
          remaining: null,
          commitment,
          seed: 'cd'.repeat(32),
          winners: [
            { user_id: 'u1', nick: EVIL, amount: 0 },
            { user_id: 'u2', nick: 'Bo', amount: 0 },
          ],
        },
        drawSpec({ prize: EVIL }),
      ),
    ]);
    await settled(() => expect(q('activity-ended-item')).not.toBeNull());
    const row = q('activity-ended-item')!;
    expect(q('activities-ended')!.hidden).toBe(false);
    expect(row.textContent).toContain('time up');
    expect(q('activity-winners', row)!.textContent).toBe(`Winners: ${EVIL}, Bo`);
    const code = row.querySelector('code')!;
    expect(code.title).toBe(commitment);
    expect(code.textContent!.length).toBeLessThan(commitment.length);
    expect(host.querySelector('img')).toBeNull();
  });

  it('a flash sale on the product explained shows on its card with a countdown and what is left', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(2_000_000);
    const { ctx, q } = setup(explainingScarf());
    expect(q('current-sale')!.hidden).toBe(true);
    const sale = activity(
      { id: 'a3', ends_at: 2_000_000 + 45_000, remaining: 6, taken: 4 },
      { kind: 'flash_sale', goods_id: 'p2', price: 7920, quantity: 10, per_user: 1, duration_secs: 60 },
    );
    ctx.store.activityStore.apply([sale]);
    await settled(() => expect(q('current-sale')!.hidden).toBe(false));
    expect(q('current-sale')!.textContent).toContain('CN¥79.20 · 6 left');
    const shown = () => q('current-sale-countdown')!.textContent!;
    const before = shown();
    expect(ticking(shown(), 2_000_000 + 45_000)).toBe(true);
    expect(before <= '00:45' && before > '00:35').toBe(true);
    vi.advanceTimersByTime(3_000);
    expect(ticking(shown(), 2_000_000 + 45_000)).toBe(true);
    expect(shown()).not.toBe(before);
    // A sale on another product is not this card's.
    ctx.store.activityStore.apply([{ ...sale, spec: { ...sale.spec, goods_id: 'p1' } as typeof sale.spec }]);
    await settled(() => expect(q('current-sale')!.hidden).toBe(true));
  });
});

describe('the feed', () => {
  it('says when activities start and end, and who bought what', async () => {
    const { ctx, q } = setup(three());
    const sale = activity({ id: 'a3' }, { kind: 'flash_sale', goods_id: 'p2', price: 7920, quantity: 10, per_user: 1, duration_secs: 60 });
    const draw = activity(
      { id: 'a4', phase: 'ended', end_reason: 'time', winners: [{ user_id: 'u1', nick: 'Ann', amount: 0 }, { user_id: 'u2', nick: 'Bo', amount: 0 }] },
      drawSpec({ prize: 'Tea set' }),
    );
    const events: Event[] = [
      { seq: 1, ts: 1, type: 'activity', change: 'started', activity: sale },
      { seq: 2, ts: 2, type: 'activity', change: 'updated', activity: sale },
      { seq: 3, ts: 3, type: 'activity', change: 'ended', activity: draw },
      {
        seq: 4,
        ts: 4,
        type: 'purchase',
        sender: identity({ nick: 'Nick' }),
        order: { order_id: 'o1', goods_id: 'p2', quantity: 2, unit_price: 7920, total: 15_840, currency: 'CNY', sale_id: 'a3', ts: 4 },
      },
    ];
    ctx.room.apply(batch(events));
    await settled(() => expect(q('lineup-activity')!.querySelectorAll('.act-shop')).toHaveLength(3));
    const lines = [...q('lineup-activity')!.querySelectorAll('.act-shop .act-text')].map((l) => l.textContent);
    expect(lines).toEqual([
      'Nick bought 2 × Silk Scarf (CN¥158.40)',
      'Lucky draw “Tea set” ended: winners Ann, Bo',
      'Flash sale on Silk Scarf started',
    ]);
  });
});

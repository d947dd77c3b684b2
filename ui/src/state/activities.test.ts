import { describe, expect, it } from 'vitest';
import { activity, drawSpec } from '../test/commerce';
import { ActivityStore, type ActivityChange } from './activities';

const sale = (id: string, goods_id: string, over = {}) =>
  activity({ id, ...over }, { kind: 'flash_sale', goods_id, price: 100, quantity: 5, per_user: 1, duration_secs: 60 });

describe('the activity store', () => {
  it('takes the server’s list whole; running soonest-ending first, ended latest first', () => {
    const s = new ActivityStore();
    const changes: ActivityChange[] = [];
    s.subscribe((c) => changes.push(c));
    s.apply([
      activity({ id: 'a1', ends_at: 300 }),
      activity({ id: 'a2', ends_at: 100 }),
      activity({ id: 'a3', phase: 'ended', ended_at: 50 }, drawSpec()),
      activity({ id: 'a4', phase: 'ended', ended_at: 80 }),
    ]);
    expect(s.running().map((a) => a.id)).toEqual(['a2', 'a1']);
    expect(s.ended().map((a) => a.id)).toEqual(['a4', 'a3']);
    expect(changes).toEqual([{ reset: false, list: true, notice: false }]);
    s.apply([activity({ id: 'a1', ends_at: 300 })]);
    expect(s.ended()).toEqual([]);
  });

  it('finds the flash sale running on a product', () => {
    const s = new ActivityStore();
    s.apply([sale('a1', 'p1', { phase: 'ended' }), sale('a2', 'p2'), activity({ id: 'a3' })]);
    expect(s.saleOn('p2')?.id).toBe('a2');
    expect(s.saleOn('p1')).toBeUndefined();
  });

  it('a load error clears once a list arrives; reset forgets everything', () => {
    const s = new ActivityStore();
    s.setError('no room');
    s.setRefusal('forbidden');
    const changes: ActivityChange[] = [];
    s.subscribe((c) => changes.push(c));
    s.apply([activity()]);
    expect(s.error).toBeNull();
    expect(changes.at(-1)).toMatchObject({ list: true, notice: true });
    s.reset();
    expect([s.list, s.error, s.refusal]).toEqual([[], null, null]);
    expect(changes.at(-1)).toMatchObject({ reset: true });
  });
});

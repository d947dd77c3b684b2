import { describe, expect, it } from 'vitest';
import { identity } from '../test/room';
import { GiftFeed, type GiftEvent } from './giftFeed';

const sender = identity({ id: 'u_1', nick: '小美', level: 3 });
const gift = (over: Partial<GiftEvent>): GiftEvent => ({
  seq: 1,
  ts: 1,
  type: 'gift',
  sender,
  gift_id: 'rose',
  gift_name: 'Rose',
  count: 20,
  value: 1,
  total_value: 20,
  effect_url: '',
  combo_id: 'c1',
  combo_total: 20,
  ...over,
});

describe('GiftFeed', () => {
  it('merges the parts of one combo into one row showing the running total', () => {
    const f = new GiftFeed();
    expect(f.add(gift({})).isNew).toBe(true);
    const second = f.add(gift({ combo_total: 40 }));
    expect(second.isNew).toBe(false);
    expect(f.rows).toHaveLength(1);
    expect(f.rows[0]).toMatchObject({ combo: 40, value: 40, giftName: 'Rose', nick: '小美' });
    expect(f.totalValue).toBe(40);
    expect(f.totalGifts).toBe(40);
  });

  it('keeps separate combos and gifts without a combo id apart, newest first', () => {
    const f = new GiftFeed();
    f.add(gift({ combo_id: 'a' }));
    f.add(gift({ combo_id: 'b', gift_name: 'Lamp' }));
    f.add(gift({ combo_id: '', count: 1, combo_total: 1 }));
    f.add(gift({ combo_id: '', count: 1, combo_total: 1 }));
    expect(f.rows.map((r) => r.combo)).toEqual([1, 1, 20, 20]);
    // A combo that continues moves back to the top.
    f.add(gift({ combo_id: 'a', combo_total: 40 }));
    expect(f.rows[0]).toMatchObject({ key: 'c:a', combo: 40 });
  });

  it('flags big gifts by unit value or combo value', () => {
    const f = new GiftFeed();
    expect(f.add(gift({ combo_id: 'r', gift_id: 'rocket', value: 1000, count: 1, total_value: 1000, combo_total: 1 })).row.big).toBe(true);
    const small = f.add(gift({ combo_id: 's', count: 20, total_value: 20 }));
    expect(small.row.big).toBe(false);
    let r = small;
    for (let total = 40; total <= 520; total += 20) r = f.add(gift({ combo_id: 's', combo_total: total }));
    expect(r.row.big).toBe(true);
  });

  it('keeps at most the configured number of rows', () => {
    const f = new GiftFeed(5);
    for (let i = 0; i < 12; i++) f.add(gift({ combo_id: `c${i}` }));
    expect(f.rows).toHaveLength(5);
    expect(f.rows[0]!.key).toBe('c:c11');
  });
});

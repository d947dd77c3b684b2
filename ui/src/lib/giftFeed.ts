// Gift rows with combos merged: the server sends a combo in parts (every
// 20 hits or 1 s), each with the same `combo_id` and a growing
// `combo_total`; the feed keeps one row per combo showing "x N".

import type { Event } from '../ipc';

export type GiftEvent = Extract<Event, { type: 'gift' }>;

export interface GiftRow {
  key: string;
  senderId: string;
  nick: string;
  giftName: string;
  /** Gifts in this combo so far. */
  combo: number;
  /** Value of the combo so far (sum of the parts' total_value). */
  value: number;
  big: boolean;
}

/** A gift is "big" (animated) from this unit value or combo value on. */
export const BIG_GIFT_UNIT_VALUE = 100;
export const BIG_GIFT_COMBO_VALUE = 520;
export const GIFT_ROWS_MAX = 100;

export class GiftFeed {
  /** Newest first. */
  readonly rows: GiftRow[] = [];
  totalValue = 0;
  totalGifts = 0;
  private serial = 0;

  constructor(private readonly max = GIFT_ROWS_MAX) {}

  /** Adds a gift part; returns its row and whether the row is new. */
  add(g: GiftEvent): { row: GiftRow; isNew: boolean; becameBig: boolean } {
    this.totalValue += g.total_value;
    this.totalGifts += g.count;
    const key = g.combo_id ? `c:${g.combo_id}` : `g:${++this.serial}`;
    const i = this.rows.findIndex((r) => r.key === key);
    if (i >= 0) {
      const row = this.rows[i] as GiftRow;
      const wasBig = row.big;
      row.combo = Math.max(row.combo + g.count, g.combo_total);
      row.value += g.total_value;
      row.big = row.big || this.isBig(g, row.value);
      // A live combo moves to the top.
      this.rows.splice(i, 1);
      this.rows.unshift(row);
      return { row, isNew: false, becameBig: row.big && !wasBig };
    }
    const row: GiftRow = {
      key,
      senderId: g.sender.id,
      nick: g.sender.nick,
      // A gift the catalogue has no name for still shows as something.
      giftName: g.gift_name || g.gift_id,
      combo: Math.max(g.count, g.combo_total),
      value: g.total_value,
      big: false,
    };
    row.big = this.isBig(g, row.value);
    this.rows.unshift(row);
    if (this.rows.length > this.max) this.rows.length = this.max;
    return { row, isNew: true, becameBig: row.big };
  }

  private isBig(g: GiftEvent, comboValue: number): boolean {
    return g.value >= BIG_GIFT_UNIT_VALUE || comboValue >= BIG_GIFT_COMBO_VALUE;
  }
}

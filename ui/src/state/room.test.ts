import { describe, expect, it } from 'vitest';
import type { Event } from '../ipc';
import { BarrageList } from '../panels/barrage';
import { barrage, batch, card, gift, identity } from '../test/room';
import { BARRAGE_LIMIT, RoomStore, type RoomChange } from './room';

function watched(): { room: RoomStore; changes: RoomChange[] } {
  const room = new RoomStore();
  const changes: RoomChange[] = [];
  room.subscribe((c) => changes.push(c));
  return { room, changes };
}

describe('the room store', () => {
  it('takes a batch of barrage, gift, pop-up and skipped, and notifies once', () => {
    const { room, changes } = watched();
    room.apply(
      batch(
        [
          barrage('hello', { nick: 'A' }, 1),
          gift({ seq: 2, gift_name: 'Rose', count: 3, total_value: 3, combo_id: 'c1', combo_total: 3 }),
          barrage('again', { nick: 'B' }, 3),
        ],
        [
          { kind: 'popup', card: card({ goods_name: 'Watch', price: 9900 }) },
          { kind: 'skipped', count: 7 },
        ],
      ),
    );
    expect(changes).toHaveLength(1);
    const c = changes[0]!;
    expect(c).toMatchObject({ reset: false, gifts: true, products: true, audience: false, announcement: false });
    // The skip came before this batch's events, so its line comes first.
    expect(c.barrage.map((e) => e.kind)).toEqual(['skipped', 'barrage', 'barrage']);
    expect(room.barrage.map((e) => (e.kind === 'barrage' ? e.text : e.kind))).toEqual(['skipped', 'hello', 'again']);
    expect(room.skipped).toBe(7);
    expect(room.gifts.rows).toHaveLength(1);
    expect(room.gifts.rows[0]).toMatchObject({ giftName: 'Rose', combo: 3, nick: '小美' });
    expect(room.gifts.totalValue).toBe(3);
    expect(room.card?.card).toMatchObject({ goods_name: 'Watch', price: 9900 });
  });

  it('keeps the barrage bounded, dropping the oldest', () => {
    const { room, changes } = watched();
    for (let b = 0; b < 3; b++) {
      room.apply(batch(Array.from({ length: 150 }, (_, i) => barrage(`m${b * 150 + i}`, {}, b * 150 + i + 1))));
    }
    expect(changes).toHaveLength(3);
    expect(room.barrage).toHaveLength(BARRAGE_LIMIT);
    const texts = room.barrage.map((e) => (e.kind === 'barrage' ? e.text : ''));
    expect(texts[0]).toBe(`m${450 - BARRAGE_LIMIT}`);
    expect(texts.at(-1)).toBe('m449');
    // One batch larger than the limit hands on only what is kept.
    room.apply(batch(Array.from({ length: BARRAGE_LIMIT + 50 }, (_, i) => barrage(`x${i}`, {}, 1000 + i))));
    expect(changes.at(-1)!.barrage).toHaveLength(BARRAGE_LIMIT);
    expect(room.barrage).toHaveLength(BARRAGE_LIMIT);
  });

  it('tracks likes, audience, announcements and shopping activity', () => {
    const { room, changes } = watched();
    const ev = (e: Event) => e;
    room.apply(
      batch(
        [
          ev({ ts: 1, type: 'like', count: 5, total: 120, likers: 3, sender: null }),
          ev({ ts: 1, type: 'online_count', online: 42 }),
          ev({ seq: 4, ts: 1, type: 'join', user: identity({ nick: 'J' }) }),
          ev({ seq: 5, ts: 1, type: 'room_status', status: 'live' }),
          ev({ seq: 6, ts: 1, type: 'announcement', text: 'Sale at 8' }),
          ev({
            seq: 7,
            ts: 1,
            type: 'purchase',
            sender: identity(),
            order: { order_id: 'o1', goods_id: 'p1', quantity: 2, unit_price: 9900, total: 19800, currency: 'CNY', sale_id: null, ts: 1 },
          }),
          ev({ seq: 8, ts: 1, type: 'mute', user_id: 'u_6', until: 9, by: 'host_1' }),
        ],
        [{ kind: 'audience_list', online: 43, users: [identity({ nick: 'V' })] }],
      ),
    );
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ gifts: true, audience: true, announcement: true, products: true });
    expect(room.likeTotal).toBe(120);
    expect(room.online).toBe(43);
    expect(room.status).toBe('live');
    expect(room.joins.map((j) => [j.kind, j.user.nick])).toEqual([['join', 'J']]);
    expect(room.users?.map((u) => u.nick)).toEqual(['V']);
    expect(room.announcement).toBe('Sale at 8');
    expect(room.activity.map((a) => a.type)).toEqual(['purchase']);
    expect(room.barrage.map((e) => e.kind)).toEqual(['system']);
  });

  it('gives the pop-up the localized names of its explanation', () => {
    const { room } = watched();
    room.apply(
      batch([
        {
          seq: 1,
          ts: 1,
          type: 'product_explain',
          sender: identity({ role: 'host' }),
          event_id: 'evt_p1_5',
          goods_id: 'p1',
          goods_name: 'Watch',
          goods_name_zh: '手表',
          goods_name_en: 'Smart watch',
          price: 9900,
          price_usd: 1400,
          price_cny: 9900,
          image_url: '',
          server_ts: 5,
          start_timestamp: 5,
        },
      ]),
    );
    expect(room.card).toBeNull();
    room.apply(batch([], [{ kind: 'popup', card: card({ goods_id: 'p1', start_timestamp: 5 }) }]));
    expect(room.card).toMatchObject({ name_zh: '手表', name_en: 'Smart watch' });
  });

  it('says nothing for a batch nothing on screen uses, and empties on reset', () => {
    const { room, changes } = watched();
    room.apply(batch([{ seq: 1, ts: 1, type: 'metadata', version: 1, key: 'k', value: null }]));
    expect(changes).toHaveLength(0);
    room.apply(batch([barrage('x')]));
    room.reset();
    expect(changes.at(-1)).toMatchObject({ reset: true });
    expect(room.barrage).toEqual([]);
    expect(room.card).toBeNull();
    expect(room.online).toBeNull();
  });

  it('lets subscribers go', () => {
    const room = new RoomStore();
    const off = room.subscribe(() => {});
    expect(room.subscriberCount).toBe(1);
    off();
    off();
    expect(room.subscriberCount).toBe(0);
  });

  it('hands strings on as data: HTML in a nickname or text is drawn as text', () => {
    const { room, changes } = watched();
    const evil = '<img src=x onerror=alert(1)>';
    room.apply(batch([barrage(evil, { nick: '<b>nick</b>' })]));
    const list = new BarrageList();
    for (const e of changes[0]!.barrage) list.push(e);
    list.flush();
    const item = list.element.querySelector('.barrage-item')!;
    expect(item.querySelector('img, b')).toBeNull();
    expect(item.querySelector('.text')!.textContent).toBe(evil);
    expect(item.querySelector('.nick')!.textContent).toBe('<b>nick</b>');
  });
});

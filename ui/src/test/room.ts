// Room data for tests, typed as the shell sends it.

import type { Event, Identity, ProductCard, RoomBatch } from '../ipc';

export function identity(over: Partial<Identity> = {}): Identity {
  return {
    id: 'u_1',
    nick: '小美',
    avatar: '',
    role: 'audience',
    level: 3,
    level_name: '',
    badges: [],
    ...over,
  };
}

export function barrage(text: string, sender: Partial<Identity> = {}, seq = 1): Event {
  return { seq, ts: seq, type: 'barrage', sender: identity(sender), text };
}

export function gift(over: Partial<Extract<Event, { type: 'gift' }>> = {}): Event {
  return {
    seq: 1,
    ts: 1,
    type: 'gift',
    sender: identity(),
    gift_id: 'rose',
    gift_name: 'Rose',
    count: 1,
    value: 1,
    total_value: 1,
    effect_url: '',
    combo_id: 'c1',
    combo_total: 1,
    ...over,
  };
}

export function card(over: Partial<ProductCard> = {}): ProductCard {
  return {
    event_id: 'evt_p1_1',
    goods_id: 'p1',
    goods_name: 'Watch',
    price: 9900,
    image_url: '',
    start_timestamp: 1,
    via: 'custom_message',
    ...over,
  };
}

export function batch(events: Event[], notices: RoomBatch['notices'] = []): RoomBatch {
  return { events, notices };
}

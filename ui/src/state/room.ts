// The live room as the page knows it: fed once per `room` batch from the
// shell, read by the Barrage, Gifts, Audience and Products panels. It
// outlives the panels (closing Barrage keeps the messages) and tells its
// subscribers once per batch what changed, never once per event.
//
// Everything here is data from the room; the panels render every string
// of it as text.

import type { Event, Identity, ProductCard, RoomBatch, RoomNotice, RoomStatus } from '../ipc';
import { GiftFeed } from '../lib/giftFeed';

/** Barrage lines kept (and shown): one screen's worth, newest last. */
export const BARRAGE_LIMIT = 200;
export const JOIN_FEED_MAX = 100;
export const ACTIVITY_MAX = 50;
/** Explanations whose localized names are remembered for their pop-up. */
const EXPLAIN_NAMES_MAX = 20;

export type EventOf<K extends Event['type']> = Extract<Event, { type: K }>;
/** Room events that show as a line in the barrage list. */
export type SystemEvent = EventOf<'mute' | 'kick' | 'broadcast' | 'follow'>;
/**
 * Shopping events for the Products panel's feed: purchases, and activities
 * starting or ending (their count updates only change the Activities list).
 */
export type ActivityEvent = EventOf<'purchase' | 'activity'>;

export type BarrageEntry =
  | { kind: 'barrage'; sender: Identity; text: string; ts: number }
  | { kind: 'system'; event: SystemEvent }
  /** The server dropped this many events before the next ones (overload). */
  | { kind: 'skipped'; count: number };

export interface JoinLine {
  kind: 'join' | 'leave';
  user: Identity;
  ts: number;
}

/** The pop-up on screen, with the localized names its explanation carried. */
export interface ShownCard {
  card: ProductCard;
  name_zh: string;
  name_en: string;
}

/** What one batch changed; subscribers re-render only their part. */
export interface RoomChange {
  /** Everything was cleared (another mode). */
  reset: boolean;
  /** Barrage entries this batch added, oldest first (already in `barrage`). */
  barrage: BarrageEntry[];
  announcement: boolean;
  /** The gift feed or the like total. */
  gifts: boolean;
  /** Gift rows (by key) that became big in this batch: animate them once. */
  bigGifts: Set<string>;
  /** Online count, room status, joins, viewer list. */
  audience: boolean;
  /** The card on screen or the shopping activity. */
  products: boolean;
}

function noChange(): RoomChange {
  return {
    reset: false,
    barrage: [],
    announcement: false,
    gifts: false,
    bigGifts: new Set(),
    audience: false,
    products: false,
  };
}

function changed(c: RoomChange): boolean {
  return c.reset || c.barrage.length > 0 || c.announcement || c.gifts || c.audience || c.products;
}

export type RoomListener = (change: RoomChange) => void;

export class RoomStore {
  /** Oldest first, at most BARRAGE_LIMIT. */
  barrage: BarrageEntry[] = [];
  announcement = '';
  gifts = new GiftFeed();
  /** The room's like total; null until a like arrived. */
  likeTotal: number | null = null;
  /** From `online_count` or the viewer list; null until one arrived. */
  online: number | null = null;
  status: RoomStatus | null = null;
  /** Newest first. */
  joins: JoinLine[] = [];
  /** The last viewer list (`get_audience`); null until asked. */
  users: Identity[] | null = null;
  card: ShownCard | null = null;
  /** Newest first. */
  activity: ActivityEvent[] = [];
  /** Events the server skipped under load, in total. */
  skipped = 0;

  private explainNames = new Map<string, { zh: string; en: string }>();
  private readonly listeners = new Set<RoomListener>();

  subscribe(cb: RoomListener): () => void {
    // A wrapper, so subscribing one function twice needs two unsubscribes.
    const wrapped: RoomListener = (c) => cb(c);
    this.listeners.add(wrapped);
    return () => {
      this.listeners.delete(wrapped);
    };
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  /** Takes one batch from the shell; subscribers hear of it once. */
  apply(batch: RoomBatch): void {
    const c = noChange();
    // The client reports a server skip before that batch's events.
    for (const n of batch.notices) if (n.kind === 'skipped') this.onNotice(n, c);
    for (const ev of batch.events) this.onEvent(ev, c);
    for (const n of batch.notices) if (n.kind !== 'skipped') this.onNotice(n, c);
    if (this.barrage.length > BARRAGE_LIMIT) this.barrage.splice(0, this.barrage.length - BARRAGE_LIMIT);
    if (c.barrage.length > BARRAGE_LIMIT) c.barrage.splice(0, c.barrage.length - BARRAGE_LIMIT);
    if (changed(c)) this.notify(c);
  }

  /** Forgets the room (a new mode starts with an empty one). */
  reset(): void {
    this.barrage = [];
    this.announcement = '';
    this.gifts = new GiftFeed();
    this.likeTotal = null;
    this.online = null;
    this.status = null;
    this.joins = [];
    this.users = null;
    this.card = null;
    this.activity = [];
    this.skipped = 0;
    this.explainNames.clear();
    this.notify({ ...noChange(), reset: true });
  }

  private notify(c: RoomChange): void {
    for (const cb of [...this.listeners]) cb(c);
  }

  private addBarrage(e: BarrageEntry, c: RoomChange): void {
    this.barrage.push(e);
    c.barrage.push(e);
  }

  private addActivity(ev: ActivityEvent, c: RoomChange): void {
    this.activity.unshift(ev);
    if (this.activity.length > ACTIVITY_MAX) this.activity.length = ACTIVITY_MAX;
    c.products = true;
  }

  private onEvent(ev: Event, c: RoomChange): void {
    switch (ev.type) {
      case 'barrage':
        this.addBarrage({ kind: 'barrage', sender: ev.sender, text: ev.text, ts: ev.ts }, c);
        return;
      case 'mute':
      case 'kick':
      case 'broadcast':
      case 'follow':
        this.addBarrage({ kind: 'system', event: ev }, c);
        return;
      case 'announcement':
        this.announcement = ev.text;
        c.announcement = true;
        return;
      case 'gift': {
        const r = this.gifts.add(ev);
        if (r.becameBig) c.bigGifts.add(r.row.key);
        c.gifts = true;
        return;
      }
      case 'like':
        this.likeTotal = ev.total;
        c.gifts = true;
        return;
      case 'online_count':
        this.online = ev.online;
        c.audience = true;
        return;
      case 'room_status':
        this.status = ev.status;
        c.audience = true;
        return;
      case 'join':
      case 'leave':
        this.joins.unshift({ kind: ev.type, user: ev.user, ts: ev.ts });
        if (this.joins.length > JOIN_FEED_MAX) this.joins.length = JOIN_FEED_MAX;
        c.audience = true;
        return;
      case 'activity':
        // A busy coupon sends an update per claim: the feed says only start and end.
        if (ev.change === 'updated') return;
        this.addActivity(ev, c);
        return;
      case 'purchase':
        this.addActivity(ev, c);
        return;
      case 'product_explain':
        // The pop-up itself comes as a notice (the shell shows each
        // explanation once); its card has one name, the event all three.
        this.explainNames.set(cardKey(ev), { zh: ev.goods_name_zh, en: ev.goods_name_en });
        if (this.explainNames.size > EXPLAIN_NAMES_MAX) {
          const oldest = this.explainNames.keys().next().value;
          if (oldest !== undefined) this.explainNames.delete(oldest);
        }
        return;
      default:
        // metadata, gift_list_changed: nothing on screen uses them.
        return;
    }
  }

  private onNotice(n: RoomNotice, c: RoomChange): void {
    switch (n.kind) {
      case 'skipped':
        this.skipped += n.count;
        this.addBarrage({ kind: 'skipped', count: n.count }, c);
        return;
      case 'audience_list':
        this.users = n.users;
        this.online = n.online;
        c.audience = true;
        return;
      case 'popup': {
        const names = this.explainNames.get(cardKey(n.card));
        this.card = { card: n.card, name_zh: names?.zh ?? '', name_en: names?.en ?? '' };
        c.products = true;
        return;
      }
    }
  }
}

/** One explanation: `(goods_id, start_timestamp)`. */
function cardKey(p: { goods_id: string; start_timestamp: number }): string {
  return `${p.goods_id}@${p.start_timestamp}`;
}

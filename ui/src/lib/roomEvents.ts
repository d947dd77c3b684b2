// Reading room events (docs/protocol.md) defensively: every field is
// checked, every string stays a string (rendered as text only).

import type { Identity, ProductCard, RoomEvent } from '../types';

/** The event's kind: the desktop API calls it `kind`, the wire protocol `type`. */
export function eventKind(ev: RoomEvent): string {
  if (typeof ev.kind === 'string') return ev.kind;
  if (typeof ev.type === 'string') return ev.type;
  return '';
}

export function str(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : fallback;
}

export function num(v: unknown, fallback = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

export function identity(v: unknown): Identity | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  const id = str(o.id);
  if (!id) return null;
  const badges = Array.isArray(o.badges)
    ? o.badges
        .filter((b): b is Record<string, unknown> => !!b && typeof b === 'object')
        .map((b) => ({ type: str(b.type), name: str(b.name), color: str(b.color) || undefined }))
    : [];
  return {
    id,
    nick: str(o.nick, id) || id,
    role: str(o.role, 'audience'),
    level: typeof o.level === 'number' ? o.level : undefined,
    level_name: typeof o.level_name === 'string' ? o.level_name : undefined,
    badges,
  };
}

export interface BarrageItem {
  seq: number | null;
  ts: number;
  sender: Identity;
  text: string;
}

export function barrageOf(ev: RoomEvent): BarrageItem | null {
  if (eventKind(ev) !== 'barrage') return null;
  const sender = identity(ev.sender);
  if (!sender) return null;
  return { seq: typeof ev.seq === 'number' ? ev.seq : null, ts: num(ev.ts), sender, text: str(ev.text) };
}

export interface GiftEvent {
  sender: Identity;
  gift_id: string;
  gift_name: string;
  count: number;
  value: number;
  total_value: number;
  combo_id: string;
  combo_total: number;
  ts: number;
}

export function giftOf(ev: RoomEvent): GiftEvent | null {
  if (eventKind(ev) !== 'gift') return null;
  const sender = identity(ev.sender);
  if (!sender) return null;
  const count = Math.max(1, num(ev.count, 1));
  const value = num(ev.value);
  const giftId = str(ev.gift_id);
  return {
    sender,
    gift_id: giftId,
    gift_name: str(ev.gift_name, giftId) || giftId,
    count,
    value,
    total_value: num(ev.total_value, value * count),
    combo_id: str(ev.combo_id),
    combo_total: Math.max(count, num(ev.combo_total, count)),
    ts: num(ev.ts),
  };
}

/** A product's display name from any of the protocol's name fields. */
export function productName(p: ProductCard, lang: string): string {
  const zh = str(p.goods_name_zh);
  const en = str(p.goods_name_en);
  if (lang.startsWith('zh') && zh) return zh;
  if (lang === 'en' && en) return en;
  return str(p.goods_name) || str(p.name) || en || zh || str(p.goods_id);
}

/** A product card's price in cents, if it has one. */
export function productPriceCents(p: ProductCard): number | null {
  if (typeof p.price_cents === 'number') return p.price_cents;
  if (typeof p.price === 'number') return p.price;
  return null;
}

/** The one-pop-up-per-explanation key: `(goods_id, start_timestamp)`. */
export function popupKey(p: ProductCard): string {
  return `${str(p.goods_id)}@${str(p.start_timestamp)}`;
}

/** A safe CSS colour for a badge (hex only), or null. */
export function safeColor(c: string | undefined): string | null {
  return c && /^#[0-9a-fA-F]{3,8}$/.test(c) ? c : null;
}

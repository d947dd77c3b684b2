// Formatting helpers for room data. The events are typed by the shell's
// contract; what stays here is how the page shows them. Every string they
// return is still rendered as text.

import type { Language } from '../ipc';
import type { ShownCard } from '../state/room';

/** A product card's name in the window's language, when the explanation carried one. */
export function cardName(c: ShownCard, lang: Language): string {
  if (lang === 'zh-CN' && c.name_zh) return c.name_zh;
  if (lang === 'en' && c.name_en) return c.name_en;
  return c.card.goods_name || c.name_en || c.name_zh || c.card.goods_id;
}

/** A safe CSS colour for a badge (hex only), or null. */
export function safeColor(c: string | undefined): string | null {
  return c && /^#[0-9a-fA-F]{3,8}$/.test(c) ? c : null;
}

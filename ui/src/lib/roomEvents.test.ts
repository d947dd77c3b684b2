import { describe, expect, it } from 'vitest';
import { card } from '../test/room';
import { cardName, safeColor } from './roomEvents';

describe('room formatting', () => {
  it('names a card in the window’s language when the explanation carried it', () => {
    const shown = { card: card({ goods_name: 'Watch', goods_id: 'p1' }), name_zh: '手表', name_en: 'Smart watch' };
    expect(cardName(shown, 'zh-CN')).toBe('手表');
    expect(cardName(shown, 'en')).toBe('Smart watch');
    expect(cardName(shown, 'ko')).toBe('Watch');
    expect(cardName({ card: card({ goods_name: '', goods_id: 'p1' }), name_zh: '', name_en: '' }, 'en')).toBe('p1');
  });

  it('takes only hex badge colours', () => {
    expect(safeColor('#FF69B4')).toBe('#FF69B4');
    expect(safeColor('red;background:url(x)')).toBeNull();
    expect(safeColor(undefined)).toBeNull();
  });
});

import { describe, expect, it, vi } from 'vitest';
import type { Identity } from '../ipc';
import { identity } from '../test/room';
import { BARRAGE_LIMIT, BarrageList, moderatable, systemLine } from './barrage';

const sender = (over: Partial<Identity> = {}) =>
  identity({ badges: [{ type: 'fan', name: 'Iron Fan', color: '#FF69B4', icon_url: '' }], ...over });

describe('BarrageList rendering', () => {
  it('renders a hostile barrage as text: no element is created from it', () => {
    const list = new BarrageList();
    document.body.appendChild(list.element);
    const evil = '<img src=x onerror=alert(1)>';
    list.push({ kind: 'barrage', sender: sender({ nick: '<b>nick</b>' }), text: evil, ts: 1 });
    list.flush();
    const item = list.element.querySelector('.barrage-item')!;
    expect(item.querySelector('img')).toBeNull();
    expect(item.querySelector('b')).toBeNull();
    expect(item.querySelector('.text')!.textContent).toBe(evil);
    expect(item.querySelector('.nick')!.textContent).toBe('<b>nick</b>');
    expect(list.element.innerHTML).toContain('&lt;img src=x onerror=alert(1)&gt;');
    list.element.remove();
  });

  it('ignores a badge colour that is not a hex colour', () => {
    const list = new BarrageList();
    list.push({
      kind: 'barrage',
      sender: sender({ badges: [{ type: 'x', name: 'B', color: 'red;background:url(http://x)', icon_url: '' }] }),
      text: 'hi',
      ts: 1,
    });
    list.flush();
    const badge = list.element.querySelector<HTMLElement>('.badge')!;
    expect(badge.textContent).toBe('B');
    expect(badge.style.borderColor).toBe('');
  });

  it('keeps at most 200 items, dropping the oldest', () => {
    const list = new BarrageList();
    for (let i = 0; i < 250; i++) {
      list.push({ kind: 'barrage', sender: sender(), text: `m${i}`, ts: i });
      if (i % 60 === 0) list.flush();
    }
    list.flush();
    expect(BARRAGE_LIMIT).toBe(200);
    const items = list.element.querySelectorAll('.barrage-item');
    expect(items).toHaveLength(200);
    expect(items[0]!.querySelector('.text')!.textContent).toBe('m50');
    expect(items[199]!.querySelector('.text')!.textContent).toBe('m249');
  });

  it('batches DOM updates into one per animation frame', () => {
    const frames: (() => void)[] = [];
    vi.stubGlobal('requestAnimationFrame', (cb: () => void) => {
      frames.push(cb);
      return frames.length;
    });
    try {
      const list = new BarrageList();
      for (let i = 0; i < 5; i++) list.push({ kind: 'barrage', sender: sender(), text: `m${i}`, ts: i });
      expect(frames).toHaveLength(1);
      expect(list.size).toBe(0);
      frames.shift()!();
      expect(list.size).toBe(5);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('offers moderation for audience senders only and reports who was picked', () => {
    const list = new BarrageList();
    const picked: [string, string][] = [];
    list.onModerate = (kind, who) => picked.push([kind, who.id]);
    list.push({ kind: 'barrage', sender: sender({ id: 'u_9' }), text: 'spam', ts: 1 });
    list.push({ kind: 'barrage', sender: sender({ id: 'host_1', role: 'host' }), text: 'welcome', ts: 2 });
    list.flush();
    const [audienceItem, hostItem] = list.element.querySelectorAll('.barrage-item');
    expect(hostItem!.querySelector('button')).toBeNull();
    audienceItem!.querySelector<HTMLButtonElement>('button[data-act="mute"]')!.click();
    audienceItem!.querySelector<HTMLButtonElement>('button[data-act="kick"]')!.click();
    expect(picked).toEqual([
      ['mute', 'u_9'],
      ['kick', 'u_9'],
    ]);
    expect(moderatable(sender({ id: 'a', role: 'admin' }))).toBe(false);
  });
});

describe('system lines', () => {
  it('describes mutes, kicks and follows as text', () => {
    expect(systemLine({ ts: 1, type: 'mute', user_id: 'u_6', until: 5, by: 'host_1' })).toContain('u_6');
    expect(systemLine({ ts: 1, type: 'mute', user_id: 'u_6', until: 0, by: 'host_1' })).toContain('unmuted');
    expect(systemLine({ ts: 1, type: 'kick', user_id: 'u_6', reason: 'spam', by: 'host_1' })).toContain('host_1');
    expect(systemLine({ ts: 1, type: 'follow', sender: sender() })).toContain('小美');
  });
});

import { describe, expect, it } from 'vitest';
import type { Event, LineupActor, LineupOp, LineupSnapshot } from '../ipc';
import { lineupActivityText } from '../panels/products/activity';
import { lineupItem, snapshot } from '../test/fakeApi';
import { batch } from '../test/room';
import { LINEUP_ACTIVITY_MAX, LineupStore, type LineupChange } from './lineup';

const host: LineupActor = { id: 'h1', nick: '', role: 'host' };
const helper: LineupActor = { id: 'a1', nick: '小助手', role: 'assistant' };
const tea = lineupItem({ goods_id: 'tea', name_zh: '龙井茶', name_en: 'Longjing Tea' });
const scarf = lineupItem({ goods_id: 'scarf', name_zh: '丝巾', name_en: 'Silk Scarf' });

function lineupEvent(version: number, op: LineupOp, after: LineupSnapshot, by = host, resolved?: string): Event {
  return {
    seq: version,
    ts: 1_000 * version,
    type: 'lineup',
    record: { version, ts: 1_000 * version, by, op_id: `op${version}`, op, resolved: resolved ?? null },
    lineup: { ...after, version },
  };
}

function watch(s: LineupStore): LineupChange[] {
  const seen: LineupChange[] = [];
  s.subscribe((c) => seen.push(c));
  return seen;
}

describe('the lineup store', () => {
  it('takes newer snapshots and ignores older or equal versions', () => {
    const s = new LineupStore();
    const seen = watch(s);
    expect(s.applySnapshot(snapshot({ version: 2, items: [tea] }))).toBe(true);
    expect(s.applySnapshot(snapshot({ version: 1, items: [] }))).toBe(false);
    expect(s.applySnapshot(snapshot({ version: 2, items: [] }))).toBe(false);
    expect(s.snapshot?.items).toHaveLength(1);
    expect(seen).toHaveLength(1);
    // After a reconnect the server may have started over.
    expect(s.applySnapshot(snapshot({ version: 0, items: [] }), true)).toBe(true);
    expect(s.snapshot?.version).toBe(0);
  });

  it('seeds the feed from the room history once, merging with live events', () => {
    const s = new LineupStore();
    s.applySnapshot(snapshot({ version: 3, items: [scarf, tea] }));
    const rec = (e: Event) => (e.type === 'lineup' ? e.record : null)!;
    const add = lineupEvent(1, { kind: 'add', product: tea }, snapshot({ items: [tea] }));
    const add2 = lineupEvent(2, { kind: 'add', product: scarf }, snapshot({ items: [tea, scarf] }), helper);
    const move = lineupEvent(3, { kind: 'move', goods_id: 'scarf', to: 0 }, snapshot({ items: [scarf, tea] }), helper);
    s.applyBatch(batch([move]));
    const seen = watch(s);
    s.applyHistory([rec(add), rec(add2), rec(move)]);
    expect(s.activity.map((a) => a.version)).toEqual([3, 2, 1]);
    expect(s.activity[1]!.by.nick).toBe('小助手');
    expect(s.activity[2]!.names?.name_en).toBe('Longjing Tea');
    expect(seen).toHaveLength(1);
    s.applyHistory([rec(add)]);
    expect(s.activity).toHaveLength(3);
    expect(seen).toHaveLength(1);
  });

  it('clears a load error when a lineup arrives', () => {
    const s = new LineupStore();
    s.setError('room not connected');
    s.applySnapshot(snapshot({ version: 1 }));
    expect(s.error).toBeNull();
  });

  it('builds the activity feed from room lineup events, newest first', () => {
    const s = new LineupStore();
    s.applySnapshot(snapshot({ version: 1, items: [tea] }));
    const seen = watch(s);
    s.applyBatch(
      batch([
        lineupEvent(2, { kind: 'add', product: scarf }, snapshot({ items: [tea, scarf] }), helper),
        lineupEvent(3, { kind: 'move', goods_id: 'scarf', to: 0 }, snapshot({ items: [scarf, tea] }), helper),
        lineupEvent(4, { kind: 'explain', goods_id: 'tea' }, snapshot({ items: [scarf, tea] })),
        lineupEvent(5, { kind: 'set_price', goods_id: 'tea', price: 8800 }, snapshot({ items: [scarf, tea] })),
        lineupEvent(6, { kind: 'remove', goods_id: 'scarf' }, snapshot({ items: [tea] }), helper),
        lineupEvent(7, { kind: 'next' }, snapshot({ items: [tea] }), host, 'tea'),
      ]),
    );
    expect(seen).toEqual([{ reset: false, snapshot: true, activity: true, notice: false }]);
    expect(s.snapshot?.version).toBe(7);
    expect(s.activity.map((a) => lineupActivityText(a, 'en'))).toEqual([
      'Host moved on to Longjing Tea',
      // The removed scarf keeps its name.
      '小助手 removed Silk Scarf',
      'Host set the price of Longjing Tea to CN¥88.00',
      'Host explained Longjing Tea',
      '小助手 moved Silk Scarf to #1',
      '小助手 added Silk Scarf',
    ]);
    expect(lineupActivityText(s.activity[4]!, 'zh-CN')).toContain('丝巾');
  });

  it('counts each operation once, even when replayed', () => {
    const s = new LineupStore();
    const ev = lineupEvent(2, { kind: 'pin', goods_id: 'tea', pinned: true }, snapshot({ items: [tea] }));
    s.applyBatch(batch([ev]));
    s.applyBatch(batch([ev]));
    expect(s.activity).toHaveLength(1);
  });

  it('keeps at most LINEUP_ACTIVITY_MAX entries, dropping the oldest', () => {
    const s = new LineupStore();
    const events = Array.from({ length: LINEUP_ACTIVITY_MAX + 25 }, (_, i) =>
      lineupEvent(i + 1, { kind: 'set_stock', goods_id: 'tea', stock: i }, snapshot({ items: [tea] })),
    );
    s.applyBatch(batch(events));
    expect(s.activity).toHaveLength(LINEUP_ACTIVITY_MAX);
    expect(s.activity[0]!.version).toBe(LINEUP_ACTIVITY_MAX + 25);
    expect(s.activity.at(-1)!.version).toBe(26);
  });

  it('ignores other room events and tells nobody about them', () => {
    const s = new LineupStore();
    const seen = watch(s);
    s.applyBatch(batch([{ seq: 1, ts: 1, type: 'announcement', text: 'hi' }]));
    expect(seen).toHaveLength(0);
  });

  it('forgets everything on reset, and lets subscribers go', () => {
    const s = new LineupStore();
    const off = s.subscribe(() => {});
    s.applyBatch(batch([lineupEvent(2, { kind: 'sold_out', goods_id: 'tea' }, snapshot({ items: [tea] }))]));
    s.setRefusal('conflict');
    s.reset();
    expect(s.snapshot).toBeNull();
    expect(s.activity).toEqual([]);
    expect(s.refusal).toBeNull();
    expect(s.subscriberCount).toBe(1);
    off();
    expect(s.subscriberCount).toBe(0);
  });
});

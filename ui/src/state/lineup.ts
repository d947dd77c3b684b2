// The shared lineup as the page knows it: the newest snapshot (from the
// shell's `lineup` events, the `lineup` command and every lineup command's
// answer) and the activity feed built from the room's `lineup` events
// ("小助手 moved Silk Scarf to #1"). Host and assistants see the same one.
//
// Every string here comes from the room or a catalogue: the panels render
// it as text.

import type { LineupActor, LineupItem, LineupOp, LineupRecord, LineupSnapshot, RoomBatch } from '../ipc';

/** Activity entries kept, newest first. */
export const LINEUP_ACTIVITY_MAX = 200;
/** Product names remembered for the feed (a removed product keeps its name). */
const NAMES_MAX = 1000;

export interface ProductNames {
  name_zh: string;
  name_en: string;
  currency: string;
}

/** One accepted lineup operation, with what the feed needs to say it. */
export interface LineupActivity {
  /** `version:op_id`, unique per operation. */
  key: string;
  version: number;
  /** Unix ms, server clock. */
  ts: number;
  by: LineupActor;
  op: LineupOp;
  /** The product it was about (for `next`: the one it explained), if any. */
  goods_id: string | null;
  /** That product's names when known. */
  names: ProductNames | null;
}

export interface LineupChange {
  /** Everything was cleared (another mode). */
  reset: boolean;
  snapshot: boolean;
  activity: boolean;
  /** The load error or the last refusal changed. */
  notice: boolean;
}

export type LineupListener = (c: LineupChange) => void;

/** The product an operation names (for `next`: the one the server resolved). */
export function opGoodsId(op: LineupOp, resolved?: string | null): string | null {
  switch (op.kind) {
    case 'add':
      return op.product.goods_id;
    case 'next':
      return resolved ?? null;
    case 'stop_explaining':
      return null;
    default:
      return op.goods_id;
  }
}

export class LineupStore {
  snapshot: LineupSnapshot | null = null;
  /** Newest first, at most LINEUP_ACTIVITY_MAX. */
  activity: LineupActivity[] = [];
  /** Why the lineup could not be loaded; null when it was. */
  error: string | null = null;
  /** The server's reason for the last refused change; null once cleared. */
  refusal: string | null = null;

  private readonly names = new Map<string, ProductNames>();
  private readonly keys = new Set<string>();
  private readonly listeners = new Set<LineupListener>();

  subscribe(cb: LineupListener): () => void {
    const wrapped: LineupListener = (c) => cb(c);
    this.listeners.add(wrapped);
    return () => {
      this.listeners.delete(wrapped);
    };
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  item(goodsId: string): LineupItem | undefined {
    return this.snapshot?.items.find((i) => i.goods_id === goodsId);
  }

  /** A product's names as the lineup had them (also after it was removed). */
  namesOf(goodsId: string): ProductNames | null {
    return this.names.get(goodsId) ?? null;
  }

  /** The item being explained now, if it is still in the lineup. */
  currentItem(): LineupItem | undefined {
    const c = this.snapshot?.current;
    return c ? this.item(c.goods_id) : undefined;
  }

  /**
   * Takes a snapshot unless an equal or newer one is already shown.
   * `force` takes it anyway (a fresh `lineup()` after a reconnect: the
   * server may have started over). Returns whether it was taken.
   */
  applySnapshot(s: LineupSnapshot, force = false): boolean {
    const taken = this.take(s, force);
    const hadError = this.error !== null;
    this.error = null;
    if (taken || hadError) this.notify({ ...none(), snapshot: taken, notice: hadError });
    return taken;
  }

  /** Takes the room's `lineup` events of one batch; subscribers hear once. */
  applyBatch(batch: RoomBatch): void {
    const c = none();
    for (const ev of batch.events) {
      if (ev.type !== 'lineup') continue;
      if (this.addRecord(ev.record, ev.lineup)) c.activity = true;
      if (this.take(ev.lineup, false)) c.snapshot = true;
    }
    if (c.activity || c.snapshot) this.notify(c);
  }

  /** Takes the room's recent operations (a window that joined late). */
  applyHistory(records: LineupRecord[]): void {
    const after = this.snapshot ?? { version: 0, items: [], current: null };
    let added = false;
    for (const r of records) if (this.addRecord(r, after)) added = true;
    if (added) this.notify({ ...none(), activity: true });
  }

  setError(message: string | null): void {
    if (message === this.error) return;
    this.error = message;
    this.notify({ ...none(), notice: true });
  }

  setRefusal(message: string | null): void {
    if (message === this.refusal) return;
    this.refusal = message;
    this.notify({ ...none(), notice: true });
  }

  /** Forgets the lineup and its feed (a new mode starts empty). */
  reset(): void {
    this.snapshot = null;
    this.activity = [];
    this.error = null;
    this.refusal = null;
    this.names.clear();
    this.keys.clear();
    this.notify({ ...none(), reset: true });
  }

  private take(s: LineupSnapshot, force: boolean): boolean {
    if (!force && this.snapshot && s.version <= this.snapshot.version) return false;
    this.snapshot = s;
    this.remember(s);
    return true;
  }

  private remember(s: LineupSnapshot): void {
    for (const i of s.items) this.names.set(i.goods_id, { name_zh: i.name_zh, name_en: i.name_en, currency: i.currency });
    if (this.names.size > NAMES_MAX) {
      const keep = new Set(s.items.map((i) => i.goods_id));
      for (const k of this.names.keys()) {
        if (this.names.size <= NAMES_MAX / 2) break;
        if (!keep.has(k)) this.names.delete(k);
      }
    }
  }

  private addRecord(r: LineupRecord, after: LineupSnapshot): boolean {
    const key = `${r.version}:${r.op_id}`;
    if (this.keys.has(key)) return false;
    const goodsId = opGoodsId(r.op, r.resolved);
    let names: ProductNames | null = null;
    if (r.op.kind === 'add') {
      const p = r.op.product;
      names = { name_zh: p.name_zh, name_en: p.name_en, currency: p.currency };
    } else if (goodsId !== null) {
      const i = after.items.find((it) => it.goods_id === goodsId);
      names = i ? { name_zh: i.name_zh, name_en: i.name_en, currency: i.currency } : (this.names.get(goodsId) ?? null);
    }
    const entry: LineupActivity = { key, version: r.version, ts: r.ts, by: r.by, op: r.op, goods_id: goodsId, names };
    // Newest first by version; a late replay goes where it belongs.
    let at = 0;
    while (at < this.activity.length && (this.activity[at] as LineupActivity).version > r.version) at++;
    this.activity.splice(at, 0, entry);
    this.keys.add(key);
    while (this.activity.length > LINEUP_ACTIVITY_MAX) {
      const dropped = this.activity.pop();
      if (dropped) this.keys.delete(dropped.key);
    }
    return true;
  }

  private notify(c: LineupChange): void {
    for (const cb of [...this.listeners]) cb(c);
  }
}

function none(): LineupChange {
  return { reset: false, snapshot: false, activity: false, notice: false };
}

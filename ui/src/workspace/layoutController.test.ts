import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SerializedDockview } from 'dockview-core';
import { wrapLayout, type StoredLayout } from '../lib/layout';
import { LAYOUT_SAVE_MS, LayoutController, type DockLike } from './layoutController';

const DEFAULT: SerializedDockview = {
  grid: { root: { type: 'leaf', data: { views: ['preview'], id: '1' }, size: 100 } as never, width: 100, height: 100, orientation: 'HORIZONTAL' as never },
  panels: { preview: { id: 'preview', contentComponent: 'preview' } },
};
const CUSTOM: SerializedDockview = {
  ...DEFAULT,
  panels: { preview: { id: 'preview', contentComponent: 'preview' }, stats: { id: 'stats', contentComponent: 'stats' } },
};

class FakeDock implements DockLike {
  state: SerializedDockview | null = null;
  listeners: (() => void)[] = [];
  fromJSONCalls = 0;
  rejectFromJSON = false;
  toJSON() {
    return this.state as SerializedDockview;
  }
  fromJSON(d: SerializedDockview) {
    this.fromJSONCalls++;
    this.change();
    if (this.rejectFromJSON) throw new Error('bad layout');
    this.state = d;
  }
  clear() {
    this.state = null;
    this.change();
  }
  onDidLayoutChange(cb: () => void) {
    this.listeners.push(cb);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== cb)) };
  }
  change() {
    for (const l of this.listeners) l();
  }
}

function setup() {
  const dock = new FakeDock();
  const saved: StoredLayout[] = [];
  const defaults = vi.fn(() => {
    dock.state = DEFAULT;
    dock.change();
  });
  const c = new LayoutController(dock, defaults, (l) => saved.push(l));
  return { dock, saved, defaults, c };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('LayoutController', () => {
  it('restores a saved version-1 layout without saving it again', () => {
    const t = setup();
    expect(t.c.restore(wrapLayout(CUSTOM))).toEqual({ restored: true });
    expect(t.dock.state).toEqual(CUSTOM);
    expect(t.defaults).not.toHaveBeenCalled();
    vi.advanceTimersByTime(LAYOUT_SAVE_MS * 2);
    expect(t.saved).toEqual([]);
  });

  it('falls back to the default on a version mismatch', () => {
    const t = setup();
    expect(t.c.restore({ version: 7, dockview: CUSTOM })).toEqual({ restored: false, reason: 'version' });
    expect(t.dock.state).toEqual(DEFAULT);
    expect(t.dock.fromJSONCalls).toBe(0);
  });

  it('falls back to the default on invalid JSON', () => {
    const t = setup();
    expect(t.c.restore('{not json')).toEqual({ restored: false, reason: 'json' });
    expect(t.dock.state).toEqual(DEFAULT);
  });

  it('falls back to the default when dockview refuses the snapshot', () => {
    const t = setup();
    t.dock.rejectFromJSON = true;
    expect(t.c.restore(wrapLayout(CUSTOM))).toEqual({ restored: false, reason: 'rejected' });
    expect(t.defaults).toHaveBeenCalledTimes(1);
    expect(t.dock.state).toEqual(DEFAULT);
  });

  it('builds the default when nothing was saved', () => {
    const t = setup();
    expect(t.c.restore(null)).toEqual({ restored: false, reason: 'empty' });
    expect(t.dock.state).toEqual(DEFAULT);
  });

  it('saves changes debounced, as {version: 1, dockview}', () => {
    const t = setup();
    t.c.restore(null);
    t.dock.state = CUSTOM;
    t.dock.change();
    t.dock.change();
    vi.advanceTimersByTime(LAYOUT_SAVE_MS - 1);
    expect(t.saved).toEqual([]);
    t.dock.change();
    vi.advanceTimersByTime(LAYOUT_SAVE_MS);
    expect(t.saved).toEqual([{ version: 1, dockview: CUSTOM }]);
  });

  it('reset rebuilds the default and saves it at once', () => {
    const t = setup();
    t.c.restore(wrapLayout(CUSTOM));
    t.dock.change(); // a pending change is superseded by the reset
    t.c.reset();
    expect(t.dock.state).toEqual(DEFAULT);
    expect(t.saved).toEqual([{ version: 1, dockview: DEFAULT }]);
    vi.advanceTimersByTime(LAYOUT_SAVE_MS * 2);
    expect(t.saved).toHaveLength(1);
  });

  it('stops listening once disposed', () => {
    const t = setup();
    t.c.dispose();
    t.dock.change();
    vi.advanceTimersByTime(LAYOUT_SAVE_MS * 2);
    expect(t.saved).toEqual([]);
    expect(t.dock.listeners).toEqual([]);
  });
});

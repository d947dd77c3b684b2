import { describe, expect, it } from 'vitest';
import { isDockviewSnapshot, LAYOUT_VERSION, PANEL_IDS, readLayout, wrapLayout } from './layout';

const snapshot = () => ({
  grid: {
    root: {
      type: 'branch',
      data: [
        { type: 'leaf', data: { views: ['sources'], activeView: 'sources', id: '2' }, size: 300 },
        { type: 'leaf', data: { views: ['preview'], activeView: 'preview', id: '1' }, size: 900 },
      ],
      size: 800,
    },
    width: 1200,
    height: 800,
    orientation: 'HORIZONTAL',
  },
  panels: {
    preview: { id: 'preview', contentComponent: 'preview', title: 'Preview' },
    sources: { id: 'sources', contentComponent: 'sources', title: 'Sources' },
  },
  activeGroup: '1',
});

describe('layout persistence format', () => {
  it('wraps a dockview snapshot with the version', () => {
    const s = snapshot() as never;
    expect(wrapLayout(s)).toEqual({ version: 1, dockview: s });
    expect(LAYOUT_VERSION).toBe(1);
  });

  it('reads back what it wrote (object or JSON string)', () => {
    const stored = wrapLayout(snapshot() as never);
    expect(readLayout(stored)).toEqual({ ok: true, dockview: snapshot() });
    expect(readLayout(JSON.stringify(stored))).toEqual({ ok: true, dockview: snapshot() });
  });

  it('treats nothing stored as empty', () => {
    expect(readLayout(null)).toEqual({ ok: false, reason: 'empty' });
    expect(readLayout(undefined)).toEqual({ ok: false, reason: 'empty' });
    expect(readLayout('')).toEqual({ ok: false, reason: 'empty' });
  });

  it('refuses invalid JSON', () => {
    expect(readLayout('{"version":1,"dockview":')).toEqual({ ok: false, reason: 'json' });
  });

  it('refuses another version, or none', () => {
    expect(readLayout({ version: 2, dockview: snapshot() })).toEqual({ ok: false, reason: 'version' });
    expect(readLayout({ version: '1', dockview: snapshot() })).toEqual({ ok: false, reason: 'version' });
    // A bare dockview snapshot (no wrapper) is not version 1.
    expect(readLayout(snapshot())).toEqual({ ok: false, reason: 'version' });
  });

  it('refuses shapes dockview could not restore', () => {
    const cases: unknown[] = [
      [1, 2],
      { version: 1 },
      { version: 1, dockview: { grid: {}, panels: {} } },
      { version: 1, dockview: { ...snapshot(), panels: {} } },
      { version: 1, dockview: { ...snapshot(), grid: { ...snapshot().grid, orientation: 'DIAGONAL' } } },
      { version: 1, dockview: { ...snapshot(), panels: { evil: { id: 'evil', contentComponent: 'evil' } } } },
      { version: 1, dockview: { ...snapshot(), panels: { preview: { id: 'sources', contentComponent: 'preview' } } } },
      { version: 1, dockview: { ...snapshot(), floatingGroups: 'x' } },
    ];
    for (const c of cases) expect(readLayout(c), JSON.stringify(c)).toMatchObject({ ok: false, reason: 'shape' });
  });

  it('knows all ten panels', () => {
    expect([...PANEL_IDS].sort()).toEqual(
      ['audience', 'audio', 'barrage', 'beauty', 'gifts', 'output', 'preview', 'products', 'sources', 'stats'],
    );
    expect(isDockviewSnapshot(snapshot())).toBe(true);
  });
});

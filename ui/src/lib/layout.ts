// The saved dock layout: `Settings.layout = {version: 1, dockview: <toJSON()>}`.
// Pure: serialize, validate and migrate. The dock itself is in workspace/.

import type { SerializedDockview } from 'dockview-core';
import type { MessageKey } from '../i18n';

export const LAYOUT_VERSION = 1;

export const PANEL_IDS = [
  'preview',
  'sources',
  'audio',
  'beauty',
  'output',
  'stats',
  'barrage',
  'gifts',
  'audience',
  'products',
] as const;
export type PanelId = (typeof PANEL_IDS)[number];

/** A panel's title key: every panel's title is `panel.<id>`. */
export function panelTitle(id: PanelId): MessageKey {
  return `panel.${id}`;
}

export function isPanelId(s: unknown): s is PanelId {
  return typeof s === 'string' && (PANEL_IDS as readonly string[]).includes(s);
}

export interface StoredLayout {
  version: typeof LAYOUT_VERSION;
  dockview: SerializedDockview;
}

export function wrapLayout(dockview: SerializedDockview): StoredLayout {
  return { version: LAYOUT_VERSION, dockview };
}

export type LayoutRead =
  | { ok: true; dockview: SerializedDockview }
  | { ok: false; reason: 'empty' | 'json' | 'version' | 'shape' };

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Upgrades an older stored layout to the current version. There is only
 * version 1 so far: anything else is a mismatch and the default is used.
 * A future version 2 adds its step here.
 */
export function migrateLayout(stored: Record<string, unknown>): Record<string, unknown> | null {
  return stored.version === LAYOUT_VERSION ? stored : null;
}

/** Checks the parts of a dockview snapshot that `fromJSON` relies on. */
export function isDockviewSnapshot(v: unknown): v is SerializedDockview {
  if (!isObject(v)) return false;
  const grid = v.grid;
  if (!isObject(grid)) return false;
  if (!isObject(grid.root)) return false;
  if (typeof grid.width !== 'number' || typeof grid.height !== 'number') return false;
  if (grid.orientation !== 'HORIZONTAL' && grid.orientation !== 'VERTICAL') return false;
  const panels = v.panels;
  if (!isObject(panels)) return false;
  const entries = Object.entries(panels);
  if (entries.length === 0) return false;
  for (const [id, p] of entries) {
    if (!isObject(p)) return false;
    if (!isPanelId(id) || p.id !== id) return false;
    const component = p.contentComponent ?? id;
    if (!isPanelId(component)) return false;
  }
  if (v.floatingGroups !== undefined && !Array.isArray(v.floatingGroups)) return false;
  return true;
}

/**
 * Reads `Settings.layout` (an object, or a JSON string of one). Anything
 * unreadable, of another version, or naming unknown panels is refused, and
 * the caller falls back to the default layout.
 */
export function readLayout(stored: unknown): LayoutRead {
  if (stored === null || stored === undefined || stored === '') return { ok: false, reason: 'empty' };
  let v: unknown = stored;
  if (typeof stored === 'string') {
    try {
      v = JSON.parse(stored);
    } catch {
      return { ok: false, reason: 'json' };
    }
  }
  if (!isObject(v)) return { ok: false, reason: 'shape' };
  const migrated = migrateLayout(v);
  if (!migrated) return { ok: false, reason: 'version' };
  if (!isDockviewSnapshot(migrated.dockview)) return { ok: false, reason: 'shape' };
  return { ok: true, dockview: migrated.dockview };
}

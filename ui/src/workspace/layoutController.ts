// Saving and restoring the dock layout: changes are saved (debounced) as
// `{version: 1, dockview}`; a stored layout is restored at start, falling
// back to the default when it is unreadable, of another version, or
// refused by dockview; "Reset layout" rebuilds the default and saves it.

import type { SerializedDockview } from 'dockview-core';
import { readLayout, wrapLayout, type LayoutRead, type StoredLayout } from '../lib/layout';
import { debounce, type Throttled } from '../lib/timing';

/** The part of DockviewComponent this needs (tests pass a fake). */
export interface DockLike {
  toJSON(): SerializedDockview;
  fromJSON(data: SerializedDockview): void;
  clear(): void;
  onDidLayoutChange(cb: () => void): { dispose(): void };
}

export const LAYOUT_SAVE_MS = 800;

export type RestoreResult = { restored: true } | { restored: false; reason: Exclude<LayoutRead, { ok: true }>['reason'] | 'rejected' };

export class LayoutController {
  private muted = 0;
  private readonly saveLater: Throttled<[]>;
  private readonly sub: { dispose(): void };

  constructor(
    private readonly dock: DockLike,
    private readonly buildDefault: () => void,
    private readonly persist: (layout: StoredLayout) => void,
    saveMs = LAYOUT_SAVE_MS,
  ) {
    this.saveLater = debounce(() => this.saveNow(), saveMs);
    this.sub = dock.onDidLayoutChange(() => {
      if (this.muted === 0) this.saveLater();
    });
  }

  /** Applies a stored layout, or the default. Restoring does not save. */
  restore(stored: unknown): RestoreResult {
    const read = readLayout(stored);
    let result: RestoreResult;
    this.quietly(() => {
      if (read.ok) {
        try {
          this.dock.fromJSON(read.dockview);
          result = { restored: true };
          return;
        } catch {
          result = { restored: false, reason: 'rejected' };
        }
      } else {
        result = { restored: false, reason: read.reason };
      }
      this.dock.clear();
      this.buildDefault();
    });
    return result!;
  }

  /** Rebuilds the default layout and saves it at once. */
  reset(): void {
    this.saveLater.cancel();
    this.quietly(() => {
      this.dock.clear();
      this.buildDefault();
    });
    this.saveNow();
  }

  /** Serialises the dock now. */
  snapshot(): StoredLayout {
    return wrapLayout(this.dock.toJSON());
  }

  saveNow(): void {
    this.saveLater.cancel();
    this.persist(this.snapshot());
  }

  flush(): void {
    this.saveLater.flush();
  }

  dispose(): void {
    this.saveLater.cancel();
    this.sub.dispose();
  }

  private quietly(fn: () => void): void {
    this.muted++;
    try {
      fn();
    } finally {
      this.muted--;
    }
    // Changes fired during the rebuild may still be queued.
    this.saveLater.cancel();
  }
}

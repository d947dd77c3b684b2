// What the user does to the shared lineup: every change goes to the shell
// with the version the user was looking at (`base`); the answer (or the
// next `lineup` event) is the new lineup. A refusal is never silent: a
// conflict says the server's reason in a toast and next to the list.

import type { Toaster } from '../components/toast';
import { t } from '../i18n';
import type { CommandError, LineupOp, LineupSnapshot } from '../ipc';
import { api, isApiError } from '../ipc/api';
import type { Store } from './store';

/** Lineup images kept as `data:` URLs (the lineup holds at most a few dozen). */
const IMAGE_CACHE_MAX = 300;

export class LineupActions {
  private readonly images = new Map<string, string | null>();
  private readonly pending = new Map<string, Promise<string | null>>();

  constructor(
    private readonly store: Store,
    private readonly toast: Toaster,
  ) {}

  private get state() {
    return this.store.lineupStore;
  }

  /** Loads the lineup; `force` takes the answer even over a newer version (after a reconnect). */
  async refresh(force = false): Promise<void> {
    try {
      this.state.applySnapshot(await api.lineup(), force);
    } catch (e) {
      this.state.setError(isApiError(e) ? e.message : String(e));
      return;
    }
    // The feed of what happened before this window joined; without a
    // room (or with an audience token) there is none, and that is fine.
    try {
      this.state.applyHistory(await api.lineupHistory());
    } catch {
      /* no history to show */
    }
  }

  /**
   * Sends one operation made on lineup version `base` (by default the one
   * on screen). Resolves the new lineup, or undefined when refused.
   */
  async op(op: LineupOp, base?: number): Promise<LineupSnapshot | undefined> {
    const version = base ?? this.state.snapshot?.version;
    if (version === undefined) return undefined;
    return this.answer(api.lineupOp({ base: version, op }), t('products.lineup'));
  }

  /** Adds a catalogue product to the shared lineup. */
  add(goodsId: string): Promise<LineupSnapshot | undefined> {
    return this.answer(api.lineupAdd(goodsId), t('products.add_to_lineup'));
  }

  /** Explains the next product (the hotkey and the Next button). */
  next(): Promise<LineupSnapshot | undefined> {
    return this.answer(api.lineupNext(), t('products.next'));
  }

  /** A lineup image as a `data:` URL: undefined while unknown (then `loadImage`). */
  image(url: string): string | null | undefined {
    return this.images.get(url);
  }

  loadImage(url: string): Promise<string | null> {
    if (url === '') return Promise.resolve(null);
    if (this.images.has(url)) return Promise.resolve(this.images.get(url) ?? null);
    let p = this.pending.get(url);
    if (!p) {
      p = api.lineupImage(url).then(
        (data) => {
          this.pending.delete(url);
          this.images.set(url, data);
          if (this.images.size > IMAGE_CACHE_MAX) {
            const oldest = this.images.keys().next().value;
            if (oldest !== undefined) this.images.delete(oldest);
          }
          return data;
        },
        () => {
          // Not cached: the next render may ask again.
          this.pending.delete(url);
          return null;
        },
      );
      this.pending.set(url, p);
    }
    return p;
  }

  private async answer(p: Promise<LineupSnapshot>, context: string): Promise<LineupSnapshot | undefined> {
    try {
      const s = await p;
      this.state.applySnapshot(s);
      this.state.setRefusal(null);
      return s;
    } catch (e) {
      this.refused(e, context);
      return undefined;
    }
  }

  private refused(e: unknown, context: string): void {
    const err: CommandError | null = isApiError(e) ? e : null;
    this.state.setRefusal(err ? err.message : String(e));
    if (err?.code === 'conflict') {
      this.toast.show(t('products.conflict', { reason: err.message }), 'error');
      // The `lineup` event shows the server's lineup; ask too, in case it was missed.
      void this.refresh();
    } else {
      this.toast.error(e, context);
    }
  }
}

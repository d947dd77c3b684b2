// What the host does to scenes: switch (click or hotkey), move a layer
// with the pointer (live while dragging, saved when the pointer lets
// go), and edit the scene list. The store's copy follows at once, so the
// preview's boxes never lag the pointer; the session has the last word.

import type { Toaster } from '../components/toast';
import { t } from '../i18n';
import type { CropSides, LayerBox, LayerSource, Scenes, SessionView } from '../ipc';
import { api } from '../ipc/api';
import { throttle, type Throttled } from '../lib/timing';
import type { Store } from './store';

/** Moves while dragging reach the program at most this often. */
export const DRAG_SEND_MS = 33;

type Move = [scene: string, layer: string, rect: LayerBox, crop: CropSides];

export class SceneActions {
  private readonly sendMove: Throttled<Move>;
  /** Moves go out one after another, so the last one sent is the last applied. */
  private moves: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly toast: Toaster,
  ) {
    this.sendMove = throttle((scene, layer, rect, crop) => this.queueMove(scene, layer, rect, crop, false), DRAG_SEND_MS);
  }

  private async run<T>(p: Promise<T>): Promise<T | undefined> {
    try {
      return await p;
    } catch (e) {
      this.toast.error(e, t('scenes.title'));
      return undefined;
    }
  }

  private queueMove(scene: string, layer: string, rect: LayerBox, crop: CropSides, save: boolean): Promise<unknown> {
    this.moves = this.moves.then(() => this.run(api.setLayerBox(scene, layer, rect, crop, save)));
    return this.moves;
  }

  private setScenes(scenes: Scenes): void {
    this.store.setSettings({ ...this.store.settings, scenes });
  }

  /** Puts scene `id` on the program. */
  async switchTo(id: string): Promise<boolean> {
    const view: SessionView | undefined = await this.run(api.switchScene(id));
    if (!view) return false;
    this.store.setSession(view);
    this.setScenes({ ...this.store.settings.scenes, active: id });
    return true;
  }

  /** The n-th scene (1-based), for the hotkeys Alt+1 … Alt+9. */
  async switchToNth(n: number): Promise<boolean> {
    const scene = this.store.settings.scenes.list[n - 1];
    return scene ? this.switchTo(scene.id) : false;
  }

  /** A layer's new box while the pointer drags it (`done` when it lets go). */
  moveLayer(scene: string, layer: string, rect: LayerBox, done: boolean): void {
    const scenes = this.store.settings.scenes;
    const current = scenes.list.find((s) => s.id === scene)?.layers.find((l) => l.id === layer);
    if (!current) return;
    const crop = current.crop;
    const list = scenes.list.map((s) =>
      s.id !== scene ? s : { ...s, layers: s.layers.map((l) => (l.id === layer ? { ...l, box: rect } : l)) },
    );
    this.setScenes({ ...scenes, list });
    if (done) {
      this.sendMove.cancel();
      void this.queueMove(scene, layer, rect, crop, true);
    } else {
      this.sendMove(scene, layer, rect, crop);
    }
  }

  /** Adds a layer on top of scene `scene`; the session picks its id and box. */
  async addLayer(scene: string, source: LayerSource): Promise<boolean> {
    const view = await this.run(api.addLayer(scene, source));
    if (!view) return false;
    this.store.setSession(view);
    const settings = await this.run(api.getSettings());
    if (settings) this.setScenes(settings.scenes);
    return true;
  }

  private families: Promise<string[]> | null = null;

  /** The installed font families a text may use, asked once; an error
   *  is toasted and leaves only the default (asked again next time). */
  fontFamilies(): Promise<string[]> {
    this.families ??= this.run(api.fontFamilies()).then((f) => {
      if (!f) this.families = null;
      return f ?? [];
    });
    return this.families;
  }

  /** Replaces the scene list (layers added, removed, restyled). */
  async save(scenes: Scenes): Promise<boolean> {
    const view = await this.run(api.setScenes(scenes));
    if (!view) return false;
    this.store.setSession(view);
    this.setScenes(scenes);
    return true;
  }
}

// The docked workspace: dockview-core with pointer-driven drag and drop
// (HTML5 DnD does not work in the Tauri webview), the ten panels, the
// default layout, and layout persistence through LayoutController.

import {
  DockviewComponent,
  themeDark,
  type ContextMenuItem,
  type IContentRenderer,
  type IWatermarkRenderer,
} from 'dockview-core';
import type { Ctx } from '../ctx';
import { onLanguage, t } from '../i18n';
import { h } from '../lib/dom';
import { isPanelId, PANEL_IDS, type PanelId } from '../lib/layout';
import { audiencePanel } from '../panels/audience';
import { audioPanel } from '../panels/audio';
import { barragePanel } from '../panels/barrage';
import { beautyPanel } from '../panels/beauty';
import { giftsPanel } from '../panels/gifts';
import { outputPanel } from '../panels/output';
import type { PanelDef, PanelInstance } from '../panels/panel';
import { previewPanel } from '../panels/preview';
import { productsPanel } from '../panels/products';
import { sourcesPanel } from '../panels/sources';
import { statsPanel } from '../panels/stats';
import type { StoredLayout } from '../lib/layout';
import { LayoutController } from './layoutController';

export const PANELS: Record<PanelId, PanelDef> = {
  preview: previewPanel,
  sources: sourcesPanel,
  audio: audioPanel,
  beauty: beautyPanel,
  output: outputPanel,
  stats: statsPanel,
  barrage: barragePanel,
  gifts: giftsPanel,
  audience: audiencePanel,
  products: productsPanel,
};

/** Wraps a panel into dockview's renderer; the root carries `data-panel`. */
class PanelRenderer implements IContentRenderer {
  readonly element: HTMLElement;
  private instance: PanelInstance | null = null;

  constructor(
    private readonly def: PanelDef,
    private readonly ctx: Ctx,
  ) {
    this.element = h('div', { class: `panel-root panel-${def.id}` });
    this.element.dataset.panel = def.id;
  }

  init(): void {
    if (this.instance) return;
    this.instance = this.def.create(this.ctx);
    this.element.appendChild(this.instance.element);
  }

  dispose(): void {
    this.instance?.dispose();
    this.instance = null;
  }
}

class Watermark implements IWatermarkRenderer {
  readonly element = h('div', { class: 'dock-watermark' }, h('p', { i18n: 'workspace.empty' }));
  init(): void {}
}

export interface Workspace {
  dock: DockviewComponent;
  layout: LayoutController;
  open(id: PanelId): void;
  isOpen(id: PanelId): boolean;
  dispose(): void;
}

/**
 * The default: Sources/Audio and Beauty on the left, Preview (the largest)
 * in the centre above Stats/Products, Output and Barrage/Gifts/Audience on
 * the right.
 */
export function buildDefaultLayout(dock: DockviewComponent): void {
  const add = (id: PanelId, position?: Parameters<DockviewComponent['addPanel']>[0]['position'], inactive = false) =>
    dock.addPanel({ id, component: id, title: t(PANELS[id].title), position, inactive });
  const preview = add('preview');
  add('sources', { referencePanel: 'preview', direction: 'left' });
  add('audio', { referencePanel: 'sources', direction: 'within' }, true);
  add('beauty', { referencePanel: 'sources', direction: 'below' });
  add('output', { referencePanel: 'preview', direction: 'right' });
  add('barrage', { referencePanel: 'output', direction: 'below' });
  add('gifts', { referencePanel: 'barrage', direction: 'within' }, true);
  add('audience', { referencePanel: 'barrage', direction: 'within' }, true);
  // The lineup is what a live-commerce host works from: its panel is
  // open under the preview, stats a tab beside it.
  add('products', { referencePanel: 'preview', direction: 'below' });
  add('stats', { referencePanel: 'products', direction: 'within' }, true);

  // Sizes: side columns narrow, the preview dominant.
  const size = (id: PanelId, s: { width?: number; height?: number }) => {
    try {
      dock.getGroupPanel(id)?.group.api.setSize(s);
    } catch {
      // A zero-sized container (before the first layout) cannot be sized.
    }
  };
  const w = dock.width || 1600;
  const hgt = dock.height || 900;
  size('sources', { width: Math.round(Math.max(260, w * 0.2)) });
  size('output', { width: Math.round(Math.max(300, w * 0.24)) });
  size('products', { height: Math.round(Math.max(300, hgt * 0.4)) });
  size('beauty', { height: Math.round(hgt * 0.5) });
  size('barrage', { height: Math.round(hgt * 0.55) });
  preview.api.setActive();
}

export function createWorkspace(
  container: HTMLElement,
  ctx: Ctx,
  persist: (layout: StoredLayout) => void,
): Workspace {
  const dock = new DockviewComponent(container, {
    createComponent: ({ name }) => {
      const id: PanelId = isPanelId(name) ? name : 'preview';
      return new PanelRenderer(PANELS[id], ctx);
    },
    createWatermarkComponent: () => new Watermark(),
    // HTML5 drag and drop is unreliable in the Tauri webview: pointer events only.
    dndStrategy: 'pointer',
    theme: themeDark,
    className: 'shopcast-dock',
    getTabContextMenuItems: (): ContextMenuItem[] => ['float', 'maximize', 'separator', 'close', 'closeOthers'],
  });

  const layout = new LayoutController(dock, () => buildDefaultLayout(dock), persist);

  const offLang = onLanguage(() => {
    for (const p of dock.panels) {
      if (isPanelId(p.id)) p.api.setTitle(t(PANELS[p.id].title));
    }
  });

  const isOpen = (id: PanelId) => dock.getGroupPanel(id) !== undefined;
  const open = (id: PanelId) => {
    const existing = dock.getGroupPanel(id);
    if (existing) {
      existing.api.setActive();
      return;
    }
    const anchor = dock.activePanel ?? dock.panels[0];
    dock.addPanel({
      id,
      component: id,
      title: t(PANELS[id].title),
      position: anchor ? { referencePanel: anchor.id, direction: 'within' } : undefined,
    });
  };

  return {
    dock,
    layout,
    open,
    isOpen,
    dispose() {
      offLang();
      layout.dispose();
      dock.dispose();
    },
  };
}

export { PANEL_IDS };

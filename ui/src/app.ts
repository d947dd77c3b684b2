// The page: builds the context, subscribes to the shell's events, loads
// the session and settings, and lays out toolbar, start screen, workspace,
// dialogs and status bar.

import { DEFAULT_SETTINGS, type Settings } from './ipc';
import { api, inShell, on, setListenErrorSink, type Unlisten } from './ipc/api';
import { ConfirmDialog } from './components/confirm';
import { openReportDialog } from './components/reportDialog';
import { openReportsList } from './components/reportsList';
import { openSettingsDialog } from './components/settingsDialog';
import { createStartScreen } from './components/startScreen';
import { Toaster } from './components/toast';
import { createRehearsalBanner, createSummary, createToolbar } from './components/toolbar';
import type { Ctx } from './ctx';
import { onLanguage, pickLanguage, setLanguage, t } from './i18n';
import { h, retranslate, setText } from './lib/dom';
import { actionFor, isTypingTarget } from './lib/hotkeys';
import { noticeText } from './lib/notice';
import type { PreviewStats } from './lib/previewMeter';
import { recordStats } from './panels/stats';
import { PreviewClient } from './preview/previewClient';
import { Actions } from './state/actions';
import { RoomStore } from './state/room';
import { Store } from './state/store';
import type { Workspace } from './workspace/workspace';

export interface AppHandle {
  ctx: Ctx;
  workspace: Workspace;
  dispose(): void;
}

declare global {
  interface Window {
    __shopcast?: {
      dock: Workspace['dock'];
      previewStats(): Pick<PreviewStats, 'fps' | 'latency_ms' | 'frames'> & {
        /** Epoch ms of the first frame drawn, for the cold-start benchmark. */
        first_frame_at_ms: number | null;
      };
    };
  }
}

/** Settings from the shell, with any missing part filled from the defaults. */
export function completeSettings(s: Partial<Settings> | undefined): Settings {
  const d = DEFAULT_SETTINGS;
  if (!s || typeof s !== 'object') return { ...d };
  return {
    ...d,
    ...s,
    canvas: { ...d.canvas, ...s.canvas },
    beauty: { ...d.beauty, ...s.beauty },
    lut: { ...d.lut, ...s.lut },
    audio: { ...d.audio, ...s.audio },
    hotkeys: { ...d.hotkeys, ...s.hotkeys },
    rehearsal: { ...d.rehearsal, ...s.rehearsal },
    product_card: { ...d.product_card, ...s.product_card },
    video: s.video ?? d.video,
  };
}

export interface StartOptions {
  preview?: PreviewClient;
}

/** How long the start screen waits for the camera check's first frame
 *  before building the dock anyway (no camera, a slow source). */
const FIRST_FRAME_WAIT_MS = 400;

export async function startApp(root: HTMLElement, opts: StartOptions = {}): Promise<AppHandle> {
  const store = new Store();
  const room = new RoomStore();
  const toast = new Toaster();
  const confirm = new ConfirmDialog(root);
  const actions = new Actions(store, toast, confirm);
  const preview = opts.preview ?? new PreviewClient();
  const ctx: Ctx = { store, room, actions, toast, confirm, preview };
  const subs: Unlisten[] = [];

  setListenErrorSink((name, err) => toast.error(err, name));

  // Events first, so nothing between app_info and here is missed.
  let lastNotice = 0;
  const shell = inShell();
  if (shell) subs.push(
    on('session', (s) => store.setSession(s)),
    on('stats', (s) => {
      recordStats(s);
      store.setStats(s);
    }),
    on('audio_level', (l) => store.emit('audio_level', l)),
    // About ten batches a second; the room store tells the panels once each.
    on('room', (b) => {
      room.apply(b);
      store.lineupStore.applyBatch(b);
    }),
    // The shared lineup, whoever changed it (host or an assistant).
    on('lineup', (l) => store.setLineup(l)),
    // The room's activities, whole, whenever one starts, changes or ends.
    on('activities', (l) => store.activityStore.apply(l)),
    // A session ended and its report is in: show it.
    on('report_ready', (s) => void openReportDialog(ctx, root, s.id)),
    on('devices', (d) => store.setDevices(d)),
    // The shell closes the window itself on `close_approved`.
    on('close_requested', () => void actions.closeRequested()),
    // Only when the host turned the check on in Settings.
    on('update_available', (version) => toast.show(t('app.update_available', { version }), 'info')),
  );
  let mode = store.session.mode;
  let roomConnected = store.session.room.connected;
  subs.push(
    store.on('session', (s) => {
      // Each notice once, by its number: the same words may come again.
      for (const w of s.warnings) {
        if (w.id <= lastNotice) continue;
        toast.show(noticeText(w), 'warn');
      }
      lastNotice = Math.max(lastNotice, ...s.warnings.map((w) => w.id));
      // Each mode starts with an empty room (and lineup feed).
      if (s.mode !== mode) {
        mode = s.mode;
        room.reset();
        store.lineupStore.reset();
        store.activityStore.reset();
      } else if (s.mode && s.room.connected && !roomConnected) {
        // Back in the room: what changed while away is in its lineup and activities.
        void actions.refreshLineup(true);
        void actions.activities.refresh();
      }
      roomConnected = s.room.connected;
    }),
  );

  // ---- load ----
  const [info, settings] = await Promise.allSettled([api.appInfo(), api.getSettings()]);
  // Startup marks, read by the desktop benchmark (tests/e2e/bench.mjs).
  performance.mark('shopcast:loaded');
  // The socket's handshake (through WebKit's network process) overlaps
  // building the page.
  if (info.status === 'fulfilled') preview.start(info.value.preview_url);
  if (settings.status === 'fulfilled') {
    store.setSettings(completeSettings(settings.value));
    store.settingsLoaded = true;
  }
  setLanguage(
    pickLanguage(settings.status === 'fulfilled' ? settings.value.language : undefined, navigator.language),
  );

  // ---- page ----
  const workspaceHost = h('div', { class: 'workspace', testid: 'workspace' });
  const start = createStartScreen(ctx);
  let workspace: Workspace | null = null;
  const toolbar = createToolbar(ctx, {
    workspace: () => workspace,
    openSettings: () => openSettingsDialog(ctx, root),
    openReports: (from) => void openReportsList(ctx, root, from),
  });
  const version = h('span', { class: 'version' });
  const statusBar = h('footer', { class: 'statusbar' }, toast.statusLine, version);
  const main = h('main', { class: 'main' }, workspaceHost, start.element);
  root.classList.add('app', 'dark');
  root.append(toolbar, createRehearsalBanner(ctx), main, statusBar, createSummary(ctx), toast.element);

  if (info.status === 'fulfilled') {
    const i = info.value;
    store.version = i.version;
    store.previewUrl = i.preview_url;
    setText(version, `v${i.version}`);
    store.setSession(i.session);
    start.setResume(i.session.phase === 'choosing' ? i.resume : null);
    // The shell warms the preview up while the page loads. On the start
    // screen its camera check gets the first frame before the dock is
    // built behind it (that build holds the page for a few hundred ms).
    // The setup check lists GPU adapters and GStreamer's registry, CPU
    // that the first frame needs on a small machine: it runs after that
    // frame. Opened straight into a mode (`--rehearsal`), the dock is
    // built meanwhile and the check waits in the background.
    if (i.session.phase === 'choosing') {
      await preview.whenFirstDrawn(FIRST_FRAME_WAIT_MS);
      void start.checkSetup();
    } else {
      void preview.whenFirstDrawn(FIRST_FRAME_WAIT_MS).then(() => start.checkSetup());
    }
  } else {
    toast.error(info.reason, t('start.title'));
  }

  // The dock (dockview and the ten panels) is its own chunk, loaded
  // after the start screen is up.
  const { createWorkspace } = await import('./workspace/workspace');
  workspace = createWorkspace(workspaceHost, ctx, (layout) =>
    actions.updateSettings((s) => ({ ...s, layout })),
  );
  const restored = workspace.layout.restore(store.settings.layout);
  performance.mark('shopcast:workspace');
  if (!restored.restored && restored.reason !== 'empty') toast.status(t('workspace.layout_reset'), 'warn');
  if (info.status === 'fulfilled' && info.value.session.mode) void actions.afterModeEntered();
  if (settings.status === 'rejected') toast.error(settings.reason, t('settings.title'));
  // In a plain browser (e.g. `vite dev`) nothing works: say so plainly.
  if (!shell) toast.show(t('app.no_shell'), 'error');

  // ---- hotkeys ----
  const onKey = (e: KeyboardEvent) => {
    if (e.repeat || e.defaultPrevented || isTypingTarget(e.target)) return;
    // No hotkey acts behind a dialog.
    if (root.querySelector('[data-testid="settings-dialog"], [data-testid="report-dialog"], [data-testid="reports-list"]')) return;
    const action = actionFor(e, store.settings.hotkeys);
    if (!action) return;
    if (store.session.phase === 'choosing') return;
    e.preventDefault();
    void actions.hotkey(action);
  };
  window.addEventListener('keydown', onKey);

  const offLang = onLanguage(() => retranslate(root));
  const onUnload = () => {
    workspace?.layout.flush();
    actions.flushSettings();
  };
  window.addEventListener('beforeunload', onUnload);

  const dock = workspace.dock;
  window.__shopcast = {
    dock,
    previewStats: () => {
      const s = preview.stats();
      return { fps: s.fps, latency_ms: s.latency_ms, frames: s.frames, first_frame_at_ms: preview.firstDrawnAt };
    },
  };

  return {
    ctx,
    workspace,
    dispose() {
      for (const u of subs) u();
      setListenErrorSink(null);
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('beforeunload', onUnload);
      offLang();
      preview.stop();
      workspace?.dispose();
      delete window.__shopcast;
    },
  };
}

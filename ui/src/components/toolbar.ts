// The top bar (mode, ON AIR, live timer, room, panels, reset layout,
// session reports, settings), the rehearsal banner, and the
// end-of-broadcast summary.

import type { Ctx } from '../ctx';
import { t } from '../i18n';
import { button, clear, h, setI18n, setText } from '../lib/dom';
import { hms } from '../lib/format';
import { noticeText } from '../lib/notice';
import { PANEL_IDS, panelTitle } from '../lib/layout';
import { isOnAirPhase } from '../panels/sources';
import type { Workspace } from '../workspace/workspace';

export interface ToolbarHooks {
  workspace: () => Workspace | null;
  openSettings: () => void;
  /** Opens the sessions list; the focus comes back to `from` when it closes. */
  openReports: (from: HTMLElement) => void;
}

export function createToolbar(ctx: Ctx, hooks: ToolbarHooks): HTMLElement {
  const { store, actions } = ctx;
  const modeChip = h('span', { class: 'mode-chip', testid: 'mode-chip' });
  const onAir = h('span', { class: 'on-air', testid: 'on-air', i18n: 'toolbar.on_air' });
  const timer = h('span', { class: 'live-timer', testid: 'live-timer', text: '00:00:00' });
  const room = h('span', { class: 'room-chip', testid: 'room-chip' });

  const panelsMenu = h('div', { class: 'menu-list', attrs: { role: 'menu' } });
  const panels = h(
    'details',
    { class: 'menu' },
    h('summary', { class: 'btn btn-small', i18n: 'toolbar.panels' }),
    panelsMenu,
  );
  panels.addEventListener('toggle', () => {
    if (!panels.open) return;
    clear(panelsMenu);
    const ws = hooks.workspace();
    for (const id of PANEL_IDS) {
      const open = ws?.isOpen(id) ?? false;
      const item = h(
        'button',
        { class: open ? 'menu-item open' : 'menu-item', attrs: { type: 'button', role: 'menuitem' } },
        h('span', { class: 'check-mark', text: open ? '✓' : '' }),
        h('span', { i18n: panelTitle(id) }),
      );
      item.addEventListener('click', () => {
        hooks.workspace()?.open(id);
        panels.open = false;
      });
      panelsMenu.appendChild(item);
    }
  });

  const reset = button('toolbar.reset_layout', () => hooks.workspace()?.layout.reset(), {
    class: 'btn btn-small',
    testid: 'reset-layout',
  });
  const leave = button('toolbar.leave', () => void actions.leaveMode(), { class: 'btn btn-small', testid: 'leave-mode' });
  // Saved reports open without a room, so the button is always there.
  const reports = h('button', {
    class: 'btn btn-small',
    testid: 'reports-button',
    i18n: 'toolbar.reports',
    attrs: { type: 'button' },
    on: { click: () => hooks.openReports(reports) },
  });
  const gear = h('button', {
    class: 'btn btn-small btn-icon-only',
    testid: 'open-settings',
    text: '⚙',
    title: 'settings.title',
    attrs: { type: 'button', 'aria-label': t('settings.title') },
    on: { click: () => hooks.openSettings() },
  });

  const bar = h(
    'header',
    { class: 'toolbar' },
    h('div', { class: 'brand' }, h('span', { class: 'logo' }), h('span', { i18n: 'app.name' })),
    modeChip,
    onAir,
    timer,
    room,
    h('div', { class: 'spacer' }),
    panels,
    reset,
    reports,
    leave,
    gear,
  );

  const render = () => {
    const s = store.session;
    modeChip.hidden = !s.mode;
    if (s.mode) setI18n(modeChip, `mode.${s.mode}`);
    modeChip.className = `mode-chip mode-${s.mode ?? 'none'}`;
    // A red ON AIR only when really live.
    onAir.hidden = !(s.mode === 'live' && s.phase === 'on_air');
    timer.hidden = s.on_air_since_ms === null;
    timer.classList.toggle('rehearsal', s.mode === 'rehearsal');
    tick();
    room.hidden = !s.mode || (!s.room.url && !s.room.connected);
    if (s.room.connected) setI18n(room, 'toolbar.room_connected', { online: s.room.online });
    else setI18n(room, 'toolbar.room_disconnected');
    room.classList.toggle('ok', s.room.connected);
    leave.hidden = !s.mode;
    leave.disabled = isOnAirPhase(s.phase);
    reset.hidden = !s.mode;
    panels.hidden = !s.mode;
  };
  const tick = () => {
    const since = store.session.on_air_since_ms;
    if (since !== null) setText(timer, hms(Date.now() - since));
  };
  render();
  store.on('session', render);
  setInterval(tick, 250);
  return bar;
}

export function createRehearsalBanner(ctx: Ctx): HTMLElement {
  const text = h('span', { i18n: 'rehearsal.banner' });
  const state = h('span', { class: 'banner-state' });
  const el = h('div', { class: 'rehearsal-banner', testid: 'rehearsal-banner', attrs: { role: 'status' } }, text, state);
  const render = () => {
    const s = ctx.store.session;
    el.hidden = s.mode !== 'rehearsal';
    setI18n(state, s.phase === 'on_air' ? 'rehearsal.banner_running' : 'rehearsal.banner_ready');
  };
  render();
  ctx.store.on('session', render);
  return el;
}

/** After ending: the summary with the recording path, until dismissed. */
export function createSummary(ctx: Ctx): HTMLElement {
  const { store, actions } = ctx;
  const title = h('h2', {});
  const path = h('code', { class: 'mono path', testid: 'last-recording' });
  const noRec = h('p', { class: 'hint', i18n: 'summary.no_recording' });
  const warnings = h('ul', { class: 'warnings' });
  const dismiss = button('summary.dismiss', () => void actions.dismissSummary(), {
    class: 'btn btn-primary',
    testid: 'dismiss-summary',
  });
  const box = h(
    'div',
    { class: 'dialog summary', attrs: { role: 'dialog', 'aria-modal': 'true' } },
    title,
    h('p', { i18n: 'summary.recording' }),
    path,
    noRec,
    warnings,
    h('div', { class: 'dialog-buttons' }, dismiss),
  );
  const el = h('div', { class: 'modal-backdrop', testid: 'summary' }, box);
  const render = () => {
    const s = store.session;
    el.hidden = s.phase !== 'ended';
    if (el.hidden) return;
    setI18n(title, s.mode === 'rehearsal' ? 'summary.title_rehearsal' : 'summary.title');
    const rec = s.last_recording ?? '';
    setText(path, rec);
    path.hidden = !rec;
    noRec.hidden = !!rec;
    clear(warnings);
    for (const w of s.warnings) warnings.appendChild(h('li', { text: noticeText(w) }));
  };
  render();
  store.on('session', render);
  return el;
}

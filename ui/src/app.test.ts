import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionEvent } from './ipc';
import { lineupItem, makeFakeApi, snapshot } from './test/fakeApi';
import { activity, report, summary } from './test/commerce';
import { barrage, batch, card } from './test/room';

const fake = vi.hoisted(() => ({
  current: null as unknown as ReturnType<typeof import('./test/fakeApi').makeFakeApi>,
  handlers: new Map<string, ((p: unknown) => void)[]>(),
}));
vi.mock('./ipc/api', () => ({
  get api() {
    return fake.current.api;
  },
  on: (name: string, cb: (p: unknown) => void) => {
    fake.handlers.set(name, [...(fake.handlers.get(name) ?? []), cb]);
    return () => {};
  },
  setListenErrorSink: () => {},
  inShell: () => true,
  isApiError: (e: unknown) => !!e && typeof e === 'object' && 'code' in (e as object),
}));

import { startApp, type AppHandle } from './app';
import { PreviewClient } from './preview/previewClient';
import { solidFrame } from './lib/frameHeader';

/** What the shell's one `studio` event would deliver. */
function emit(ev: SessionEvent): void {
  const payload = 'payload' in ev ? ev.payload : null;
  for (const cb of fake.handlers.get(ev.type) ?? []) cb(payload);
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const q = <T extends HTMLElement = HTMLElement>(id: string) => document.querySelector<T>(`[data-testid="${id}"]`);
const visible = (el: HTMLElement | null) => {
  for (let e = el; e; e = e.parentElement) if (e.hidden) return false;
  return !!el;
};

let app: AppHandle | null = null;
function quietPreview(): PreviewClient {
  return new PreviewClient({
    createSocket: () => ({ close() {} }) as unknown as WebSocket,
    paint: () => {},
    // jsdom has no animation frames; a timer stands in for one.
    requestFrame: (fn) => void setTimeout(fn, 0),
    // Real timers: the start screen waits (briefly) for a first frame.
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  });
}
async function boot(preview = quietPreview()): Promise<AppHandle> {
  const root = document.createElement('div');
  root.id = 'app';
  document.body.appendChild(root);
  app = await startApp(root, { preview });
  app.workspace.dock.layout(1600, 900);
  return app;
}

beforeEach(() => {
  fake.current = makeFakeApi();
  fake.handlers.clear();
  document.body.innerHTML = '';
});
afterEach(() => {
  app?.dispose();
  app = null;
});

describe('the page', () => {
  it('starts on the start screen with the docked workspace behind it', async () => {
    const a = await boot();
    expect(visible(q('start-screen'))).toBe(true);
    expect(q('mode-live')).not.toBeNull();
    expect(q('mode-rehearsal')).not.toBeNull();
    expect(q('mode-assistant')).not.toBeNull();
    expect(a.workspace.dock.panels.map((p) => p.id).sort()).toEqual(
      ['audience', 'audio', 'barrage', 'beauty', 'gifts', 'output', 'preview', 'products', 'sources', 'stats'],
    );
    expect(window.__shopcast?.dock).toBe(a.workspace.dock);
    expect(window.__shopcast?.previewStats()).toEqual({ fps: 0, latency_ms: 0, frames: 0, first_frame_at_ms: null });
    expect(document.querySelector('[data-panel="preview"] [data-testid="preview-canvas"]')).not.toBeNull();
    expect(q('rehearsal-banner')!.hidden).toBe(true);
  });

  it('shows the warmed-up preview as a camera check on the start screen only', async () => {
    const preview = quietPreview();
    await boot(preview);
    const check = q<HTMLCanvasElement>('start-preview')!;
    expect(visible(check)).toBe(true);
    preview.handleMessage(solidFrame({ seq: 1, capturedUs: Date.now() * 1000, width: 640, height: 360 }));
    await tick();
    await tick();
    expect(check.width).toBe(640);
    expect(window.__shopcast?.previewStats().first_frame_at_ms).toBeGreaterThan(0);
    q('mode-rehearsal')!.click();
    await tick();
    check.width = 1;
    preview.handleMessage(solidFrame({ seq: 2, capturedUs: Date.now() * 1000, width: 640, height: 360 }));
    await tick();
    await tick();
    expect(check.width).toBe(1);
    expect(preview.stats().frames).toBe(2);
  });

  it('runs a rehearsal: banner, confirmation, timer, summary with the recording', async () => {
    await boot();
    q('mode-rehearsal')!.click();
    await tick();
    expect(fake.current.api.enterMode).toHaveBeenCalledWith('rehearsal', null, null);
    expect(visible(q('start-screen'))).toBe(false);
    expect(visible(q('rehearsal-banner'))).toBe(true);
    expect(q('rehearsal-banner')!.textContent).toContain('not on air');
    expect(q('go-live')).toBeNull();
    expect(q('on-air')!.hidden).toBe(true);

    q('start-rehearsal')!.click();
    expect(q('confirm-dialog')).not.toBeNull();
    q('confirm-yes')!.click();
    await tick();
    expect(fake.current.api.startRehearsal).toHaveBeenCalledWith(true);
    expect(visible(q('live-timer'))).toBe(true);
    expect(q('live-timer')!.textContent).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(q('on-air')!.hidden).toBe(true); // a rehearsal is never ON AIR

    q('end-live')!.click();
    q('confirm-yes')!.click();
    await tick();
    expect(fake.current.api.endLive).toHaveBeenCalledWith(true);
    expect(visible(q('summary'))).toBe(true);
    expect(q('last-recording')!.textContent).toBe('/tmp/r.mkv');
    q('dismiss-summary')!.click();
    await tick();
    expect(fake.current.api.dismissSummary).toHaveBeenCalled();
    expect(visible(q('summary'))).toBe(false);
  });

  it('shows a red ON AIR only when live and on air', async () => {
    await boot();
    q('mode-live')!.click();
    await tick();
    await tick();
    expect(q('on-air')!.hidden).toBe(true);
    expect(q('go-live')).not.toBeNull();
    q('go-live')!.click();
    q('confirm-yes')!.click();
    await tick();
    expect(fake.current.api.goLive).toHaveBeenCalledWith(['main'], true);
    expect(q('on-air')!.hidden).toBe(false);
    expect(document.querySelector('[data-testid="output-state"]')!.textContent).toContain('main');
  });

  it('assistant mode needs a URL and token, and has no stream controls at all', async () => {
    await boot();
    q('mode-assistant')!.click();
    await tick();
    expect(fake.current.api.enterMode).not.toHaveBeenCalled();
    q<HTMLInputElement>('assistant-room-url')!.value = 'http://room.example.com:8787/r/demo';
    q<HTMLInputElement>('assistant-token')!.value = 'tok';
    q('mode-assistant')!.click();
    await tick();
    expect(fake.current.api.enterMode).toHaveBeenCalledWith('assistant', 'http://room.example.com:8787/r/demo', 'tok');
    for (const id of ['go-live', 'start-rehearsal', 'end-live']) expect(q(id)).toBeNull();
    expect(q('output-unavailable')).not.toBeNull();
    expect(q<HTMLInputElement>('assistant-token')!.value).toBe('');
  });

  it('renders room batches into the panels, as text', async () => {
    const a = await boot();
    // Products sits behind Stats in the default layout: bring it up.
    a.workspace.open('products');
    emit({
      type: 'room',
      payload: batch(
        [barrage('<img src=x onerror=alert(1)>', { nick: '<b>x</b>' })],
        [{ kind: 'popup', card: card({ goods_name: '<i>Watch</i>' }) }],
      ),
    });
    await new Promise((r) => setTimeout(r, 40));
    const item = document.querySelector('[data-testid="barrage-list"] .barrage-item');
    expect(item).not.toBeNull();
    expect(item!.querySelector('img, b')).toBeNull();
    expect(item!.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(item!.textContent).toContain('<b>x</b>');
    const shown = q('product-card')!;
    expect(shown.querySelector('i')).toBeNull();
    expect(shown.textContent).toContain('<i>Watch</i>');
  });

  it('empties the room when another mode starts', async () => {
    const a = await boot();
    q('mode-rehearsal')!.click();
    await tick();
    emit({ type: 'room', payload: batch([barrage('hello')]) });
    expect(a.ctx.room.barrage).toHaveLength(1);
    q('leave-mode')!.click();
    await tick();
    expect(a.ctx.room.barrage).toHaveLength(0);
  });

  it('loads the activities when a mode starts, follows activities events, and forgets them on leaving', async () => {
    const a = await boot();
    fake.current.api.activities.mockResolvedValueOnce([activity({ id: 'a1' })]);
    q('mode-rehearsal')!.click();
    await vi.waitFor(() => expect(a.ctx.store.activityStore.list.map((x) => x.id)).toEqual(['a1']));
    emit({ type: 'activities', payload: [activity({ id: 'a1', taken: 5 }), activity({ id: 'a2' })] });
    expect(a.ctx.store.activityStore.list.map((x) => [x.id, x.taken])).toEqual([
      ['a1', 5],
      ['a2', 0],
    ]);
    q('leave-mode')!.click();
    await tick();
    expect(a.ctx.store.activityStore.list).toEqual([]);
  });

  it('opens the report when the session’s report is ready', async () => {
    await boot();
    fake.current.api.sessionReport.mockResolvedValueOnce(report());
    emit({ type: 'report_ready', payload: summary({ id: 's42' }) });
    expect(q('report-dialog')).not.toBeNull();
    await vi.waitFor(() => expect(q('report-headline')).not.toBeNull());
    expect(fake.current.api.sessionReport).toHaveBeenCalledWith('s42');
    expect(q('report-chart')).not.toBeNull();
  });

  it('the Reports button lists the sessions and opens one', async () => {
    await boot();
    fake.current.api.sessionReports.mockResolvedValueOnce([summary({ id: 's7' })]);
    fake.current.api.sessionReport.mockResolvedValueOnce(report());
    q('reports-button')!.click();
    await vi.waitFor(() => expect(q('report-row')).not.toBeNull());
    q('report-row')!.querySelector('button')!.click();
    await vi.waitFor(() => expect(q('report-headline')).not.toBeNull());
    expect(fake.current.api.sessionReport).toHaveBeenCalledWith('s7');
  });

  it('saves the layout on reset and restores a saved one at start', async () => {
    const a = await boot();
    q('mode-rehearsal')!.click();
    await tick();
    fake.current.api.saveSettings.mockClear();
    q('reset-layout')!.click();
    await new Promise((r) => setTimeout(r, 500));
    const saved = fake.current.api.saveSettings.mock.calls.at(-1)![0];
    expect(saved.layout).toMatchObject({ version: 1 });
    const layout = saved.layout as { version: number; dockview: { panels: Record<string, unknown> } };
    expect(Object.keys(layout.dockview.panels)).toHaveLength(10);

    // Close a panel, save that layout, start again: it comes back as saved.
    a.workspace.dock.getGroupPanel('gifts')!.api.close();
    a.workspace.layout.saveNow();
    await new Promise((r) => setTimeout(r, 500));
    const withoutGifts = fake.current.api.saveSettings.mock.calls.at(-1)![0].layout;
    a.dispose();
    app = null;
    document.body.innerHTML = '';
    fake.current.api.getSettings.mockResolvedValueOnce({ ...(await fake.current.api.getSettings()), layout: withoutGifts });
    const b = await boot();
    expect(b.workspace.isOpen('gifts')).toBe(false);
    expect(b.workspace.isOpen('preview')).toBe(true);
  });

  it('falls back to the default layout when the saved one is of another version', async () => {
    fake.current.api.getSettings.mockResolvedValueOnce({
      ...(await fake.current.api.getSettings()),
      layout: { version: 99, dockview: {} },
    });
    const a = await boot();
    expect(a.workspace.dock.panels).toHaveLength(10);
  });

  it('offers to resume a session that did not end cleanly', async () => {
    fake.current.api.appInfo.mockResolvedValueOnce({
      version: '0.1.0',
      session: fake.current.session,
      preview_url: 'ws://x',
      resume: { mode: 'live', started_ms: Date.now() - 60_000, recording: '/tmp/live.mkv', destinations: ['main'] },
    });
    await boot();
    expect(visible(q('resume-offer'))).toBe(true);
    expect(q('resume-offer')!.textContent).toContain('/tmp/live.mkv');
    q('resume-no')!.click();
    await tick();
    expect(fake.current.api.resumeSession).toHaveBeenCalledWith(false);
  });

  it('asks before closing while on air', async () => {
    await boot();
    emit({ type: 'close_requested' });
    expect(q('confirm-dialog')).not.toBeNull();
    q('confirm-yes')!.click();
    await tick();
    expect(fake.current.api.confirmClose).toHaveBeenCalled();
  });

  it('listens to the shell events it needs, and no hotkey event', async () => {
    await boot();
    expect([...fake.handlers.keys()].sort()).toEqual([
      'activities',
      'audio_level',
      'close_requested',
      'devices',
      'lineup',
      'report_ready',
      'room',
      'session',
      'stats',
      'update_available',
    ]);
  });

  it('the update check is off until the host turns it on in Settings', async () => {
    await boot();
    q('open-settings')!.click();
    const box = q<HTMLInputElement>('settings-updates')!;
    expect(box.checked).toBe(false);
    box.checked = true;
    fake.current.api.saveSettings.mockClear();
    q('settings-save')!.click();
    await vi.waitFor(() => expect(fake.current.api.saveSettings).toHaveBeenCalled());
    expect(fake.current.api.saveSettings.mock.calls.at(-1)![0].check_for_updates).toBe(true);
  });

  it('says when a newer version is out (the shell only checks when the host turned it on)', async () => {
    await boot();
    emit({ type: 'update_available', payload: '0.2.0' });
    await tick();
    expect(document.body.textContent).toContain('Shopcast Studio 0.2.0 is available.');
  });

  it('shows the shared lineup from lineup events and who changed it from room batches', async () => {
    const a = await boot();
    a.workspace.open('products');
    q('mode-rehearsal')!.click();
    await tick();
    const scarf = lineupItem({ goods_id: 's1', name_en: 'Silk Scarf', name_zh: '丝巾' });
    emit({ type: 'lineup', payload: snapshot({ version: 4, items: [lineupItem(), scarf] }) });
    const moved = snapshot({ version: 5, items: [scarf, lineupItem()] });
    emit({
      type: 'room',
      payload: batch([
        {
          seq: 9,
          ts: Date.now(),
          type: 'lineup',
          record: {
            version: 5,
            ts: Date.now(),
            by: { id: 'a1', nick: '小助手', role: 'assistant' },
            op_id: 'op1',
            op: { kind: 'move', goods_id: 's1', to: 0 },
          },
          lineup: moved,
        },
      ]),
    });
    await new Promise((r) => setTimeout(r, 40));
    const rows = [...document.querySelectorAll<HTMLElement>('[data-testid="lineup-row"]')];
    expect(rows.map((r) => r.dataset.goodsId)).toEqual(['s1', 'p1']);
    expect(q('lineup-activity')!.textContent).toContain('小助手 moved Silk Scarf to #1');
    // An older snapshot arriving late changes nothing.
    emit({ type: 'lineup', payload: snapshot({ version: 4, items: [lineupItem(), scarf] }) });
    expect(a.ctx.store.lineup?.version).toBe(5);
  });

  it('the beauty switch and hotkey ask the session to bypass beauty', async () => {
    const levels = { smoothing: 4, whitening: 3, ruddy: 2, sharpen: 1 };
    fake.current.api.getSettings.mockResolvedValueOnce({ ...(await fake.current.api.getSettings()), beauty: levels });
    const a = await boot();
    q('mode-live')!.click();
    await new Promise((r) => setTimeout(r, 80));
    const box = q<HTMLInputElement>('beauty-enabled')!;
    expect(box.checked).toBe(true);
    box.checked = false;
    box.dispatchEvent(new Event('change'));
    await tick();
    expect(fake.current.api.setBeautyBypass).toHaveBeenLastCalledWith(true);
    expect(box.checked).toBe(false);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'B', code: 'KeyB', ctrlKey: true, shiftKey: true }));
    await tick();
    expect(fake.current.api.setBeautyBypass).toHaveBeenLastCalledWith(false);
    expect(a.ctx.store.session.beauty_bypass).toBe(false);
    expect(box.checked).toBe(true);
    // The bypass never goes through the levels: only the saved ones are sent.
    await new Promise((r) => setTimeout(r, 80));
    expect(fake.current.api.setBeauty).toHaveBeenCalled();
    for (const [b] of fake.current.api.setBeauty.mock.calls as unknown as [unknown][]) expect(b).toEqual(levels);
  });

  it('handles hotkeys in the page, but not while typing', async () => {
    const a = await boot();
    q('mode-rehearsal')!.click();
    await new Promise((r) => setTimeout(r, 80));
    const input = q<HTMLInputElement>('barrage-input')!;
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'M', code: 'KeyM', ctrlKey: true, shiftKey: true, bubbles: true }));
    const micMuted = () => a.ctx.store.settings.mixer.find((i) => i.source.kind === 'microphone')?.muted;
    expect(fake.current.api.setMixerInput).not.toHaveBeenCalled();
    expect(micMuted()).toBe(false);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'M', code: 'KeyM', ctrlKey: true, shiftKey: true }));
    expect(micMuted()).toBe(true);
    await new Promise((r) => setTimeout(r, 80));
    expect(fake.current.api.setMixerInput).toHaveBeenLastCalledWith(expect.objectContaining({ muted: true }));
  });
});

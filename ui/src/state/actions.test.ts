import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEST_OPTIONS, lineupItem, makeFakeApi, session, snapshot } from '../test/fakeApi';

const fake = vi.hoisted(() => ({ current: null as unknown as ReturnType<typeof import('../test/fakeApi').makeFakeApi> }));
vi.mock('../ipc/api', () => ({
  get api() {
    return fake.current.api;
  },
  isApiError: (e: unknown) => !!e && typeof e === 'object' && 'code' in (e as object) && 'message' in (e as object),
}));

import { ConfirmDialog } from '../components/confirm';
import { Toaster } from '../components/toast';
import { Actions } from './actions';
import { Store } from './store';

function setup(over: Parameters<typeof session>[0]) {
  fake.current = makeFakeApi();
  fake.current.session = session(over);
  const store = new Store();
  store.settingsLoaded = true;
  store.setSession(fake.current.session);
  const host = document.createElement('div');
  document.body.appendChild(host);
  const toast = new Toaster();
  host.appendChild(toast.element);
  const confirm = new ConfirmDialog(host);
  const actions = new Actions(store, toast, confirm);
  const dialog = () => host.querySelector<HTMLElement>('[data-testid="confirm-dialog"]');
  const click = (id: string) => host.querySelector<HTMLButtonElement>(`[data-testid="${id}"]`)!.click();
  return { api: fake.current.api, store, actions, host, toast, dialog, click };
}

beforeEach(() => {
  document.body.innerHTML = '';
});

describe('go live confirmation', () => {
  it('opens the dialog and calls go_live with confirmed: true on yes', async () => {
    const t = setup({ mode: 'live', phase: 'preview', role: 'host', can_stream: true });
    t.store.setDestinations([
      { name: 'main', kind: 'custom', summary: 'rtmp://h/app/***', has_secret: true, options: DEST_OPTIONS },
      { name: 'backup', kind: 'srt', summary: 'srt://h:9000?***', has_secret: false, options: DEST_OPTIONS },
    ]);
    const p = t.actions.requestGoLive();
    expect(t.dialog()).not.toBeNull();
    expect(t.api.goLive).not.toHaveBeenCalled();
    expect(t.dialog()!.textContent).toContain('main');
    t.click('confirm-yes');
    await expect(p).resolves.toBe(true);
    expect(t.api.goLive).toHaveBeenCalledTimes(1);
    expect(t.api.goLive).toHaveBeenCalledWith(['main', 'backup'], true);
    expect(t.store.session.phase).toBe('on_air');
    expect(t.dialog()).toBeNull();
  });

  it('does nothing on no', async () => {
    const t = setup({ mode: 'live', phase: 'preview', role: 'host', can_stream: true });
    t.store.setDestinations([{ name: 'main', kind: 'custom', summary: '', has_secret: true, options: DEST_OPTIONS }]);
    const p = t.actions.requestGoLive();
    t.click('confirm-no');
    await expect(p).resolves.toBe(false);
    expect(t.api.goLive).not.toHaveBeenCalled();
    expect(t.dialog()).toBeNull();
  });

  it('sends only the destinations the user kept selected', async () => {
    const t = setup({ mode: 'live', phase: 'preview', role: 'host', can_stream: true });
    t.store.setDestinations([
      { name: 'a', kind: 'custom', summary: '', has_secret: true, options: DEST_OPTIONS },
      { name: 'b', kind: 'custom', summary: '', has_secret: true, options: DEST_OPTIONS },
    ]);
    t.store.selectedDestinations = new Set(['b']);
    const p = t.actions.requestGoLive();
    t.click('confirm-yes');
    await p;
    expect(t.api.goLive).toHaveBeenCalledWith(['b'], true);
  });

  it('refuses without a destination, and outside live preview, without asking', async () => {
    const t = setup({ mode: 'live', phase: 'preview', role: 'host', can_stream: true });
    await expect(t.actions.requestGoLive()).resolves.toBe(false);
    expect(t.dialog()).toBeNull();
    expect(t.toast.element.textContent).toMatch(/destination/);

    const a = setup({ mode: 'assistant', phase: 'preview', role: 'assistant', can_stream: false });
    await expect(a.actions.requestGoLive()).resolves.toBe(false);
    expect(a.dialog()).toBeNull();
    expect(a.api.goLive).not.toHaveBeenCalled();
  });

  it('shows a refused go_live as an error, never swallows it', async () => {
    const t = setup({ mode: 'live', phase: 'preview', role: 'host', can_stream: true });
    t.store.setDestinations([{ name: 'main', kind: 'custom', summary: '', has_secret: true, options: DEST_OPTIONS }]);
    t.api.goLive.mockImplementationOnce(() => Promise.reject({ code: 'push', message: 'connection refused' }));
    const p = t.actions.requestGoLive();
    t.click('confirm-yes');
    await expect(p).resolves.toBe(false);
    expect(t.toast.element.textContent).toContain('connection refused');
    expect(t.toast.statusLine.textContent).toContain('connection refused');
  });
});

describe('rehearsal and ending', () => {
  it('start rehearsal asks first, then passes confirmed: true', async () => {
    const t = setup({ mode: 'rehearsal', phase: 'preview', role: 'host', can_stream: true });
    const p = t.actions.requestStartRehearsal();
    t.click('confirm-yes');
    await expect(p).resolves.toBe(true);
    expect(t.api.startRehearsal).toHaveBeenCalledWith(true);
  });

  it('the go_live hotkey in rehearsal opens the start-rehearsal confirmation', async () => {
    const t = setup({ mode: 'rehearsal', phase: 'preview', role: 'host', can_stream: true });
    const p = t.actions.hotkey('go_live');
    expect(t.dialog()).not.toBeNull();
    t.click('confirm-no');
    await p;
    expect(t.api.startRehearsal).not.toHaveBeenCalled();
    expect(t.api.goLive).not.toHaveBeenCalled();
  });

  it('end asks first, then passes confirmed: true and shows the summary state', async () => {
    const t = setup({ mode: 'live', phase: 'on_air', role: 'host', can_stream: true, on_air_since_ms: 1 });
    const p = t.actions.requestEnd();
    expect(t.api.endLive).not.toHaveBeenCalled();
    t.click('confirm-yes');
    await expect(p).resolves.toBe(true);
    expect(t.api.endLive).toHaveBeenCalledWith(true);
    expect(t.store.session.phase).toBe('ended');
    expect(t.store.session.last_recording).toBe('/tmp/r.mkv');
  });

  it('closing while on air asks, then confirm_close', async () => {
    const t = setup({ mode: 'live', phase: 'on_air', role: 'host', can_stream: true });
    const p = t.actions.closeRequested();
    t.click('confirm-yes');
    await p;
    expect(t.api.confirmClose).toHaveBeenCalledTimes(1);

    const n = setup({ mode: 'live', phase: 'on_air', role: 'host', can_stream: true });
    const q = n.actions.closeRequested();
    n.click('confirm-no');
    await q;
    expect(n.api.confirmClose).not.toHaveBeenCalled();
  });
});

describe('live controls and hotkeys', () => {
  it("mute_mic toggles the microphone's strip (the session saves it), not the master", async () => {
    vi.useFakeTimers();
    try {
      const t = setup({ mode: 'live', phase: 'preview', role: 'host', can_stream: true });
      const mic = t.store.settings.mixer.find((i) => i.source.kind === 'microphone')!;
      await t.actions.hotkey('mute_mic');
      expect(t.api.setMixerInput).toHaveBeenLastCalledWith({ ...mic, muted: true });
      expect(t.store.settings.mixer.find((i) => i.id === mic.id)!.muted).toBe(true);
      expect(t.store.settings.audio.muted, 'the master is untouched').toBe(false);
      expect(t.toast.statusLine.textContent).toBe('Microphone muted');
      vi.advanceTimersByTime(100);
      await t.actions.hotkey('mute_mic');
      expect(t.api.setMixerInput).toHaveBeenLastCalledWith({ ...mic, muted: false });
      expect(t.api.setAudio).not.toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });

  it('mute_mic mutes the master when the mixer has no microphone', async () => {
    vi.useFakeTimers();
    try {
      const t = setup({ mode: 'live', phase: 'preview', role: 'host', can_stream: true });
      t.store.setSettings({ ...t.store.settings, mixer: [] });
      await t.actions.hotkey('mute_mic');
      expect(t.api.setAudio).toHaveBeenLastCalledWith({ gain_db: 0, muted: true, monitor: false });
      vi.advanceTimersByTime(1000);
      expect(t.api.saveSettings.mock.calls[0]![0].audio.muted).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('never saves defaults over settings it could not load', () => {
    vi.useFakeTimers();
    try {
      const t = setup({ mode: 'live', phase: 'preview', role: 'host', can_stream: true });
      t.store.settingsLoaded = false;
      t.actions.setAudio({ ...t.store.settings.audio, muted: true });
      vi.advanceTimersByTime(1000);
      expect(t.api.saveSettings).not.toHaveBeenCalled();
      expect(t.toast.statusLine.textContent).toMatch(/not saved/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('beauty_toggle asks the session to bypass beauty, never sends zero levels', async () => {
    vi.useFakeTimers();
    try {
      const t = setup({ mode: 'live', phase: 'preview', role: 'host', can_stream: true });
      const levels = { smoothing: 5, whitening: 3, ruddy: 2, sharpen: 1 };
      t.actions.setBeauty(levels);
      vi.advanceTimersByTime(1000);
      expect(t.api.setBeauty).toHaveBeenLastCalledWith(levels);
      const beautyCalls = t.api.setBeauty.mock.calls.length;
      t.api.saveSettings.mockClear();

      await t.actions.hotkey('beauty_toggle');
      expect(t.api.setBeautyBypass).toHaveBeenLastCalledWith(true);
      expect(t.store.session.beauty_bypass).toBe(true);
      expect(t.toast.statusLine.textContent).toBe('Beauty off');
      await t.actions.hotkey('beauty_toggle');
      expect(t.api.setBeautyBypass).toHaveBeenLastCalledWith(false);
      expect(t.store.session.beauty_bypass).toBe(false);
      expect(t.toast.statusLine.textContent).toBe('Beauty on');

      vi.advanceTimersByTime(1000);
      // The levels were neither sent nor saved as zeros.
      expect(t.api.setBeauty).toHaveBeenCalledTimes(beautyCalls);
      expect(t.api.saveSettings).not.toHaveBeenCalled();
      expect(t.store.settings.beauty).toEqual(levels);
    } finally {
      vi.useRealTimers();
    }
  });

  it('the toggle follows the session: bypass set elsewhere is toggled off', async () => {
    const t = setup({ mode: 'live', phase: 'preview', role: 'host', can_stream: true, beauty_bypass: true });
    await expect(t.actions.toggleBeauty()).resolves.toBe(false);
    expect(t.api.setBeautyBypass).toHaveBeenCalledWith(false);
  });

  it('a refused toggle leaves the state as the session says', async () => {
    const t = setup({ mode: 'live', phase: 'preview', role: 'host', can_stream: true });
    t.api.setBeautyBypass.mockImplementationOnce(() => Promise.reject({ code: 'state', message: 'no media' }));
    await expect(t.actions.toggleBeauty()).resolves.toBe(false);
    expect(t.store.session.beauty_bypass).toBe(false);
    expect(t.toast.statusLine.textContent).toContain('no media');
  });

  it('moving a level while bypassed turns beauty back on, once', async () => {
    const t = setup({ mode: 'live', phase: 'preview', role: 'host', can_stream: true, beauty_bypass: true });
    for (let i = 1; i <= 5; i++) t.actions.setBeauty({ smoothing: i, whitening: 0, ruddy: 0, sharpen: 0 });
    await new Promise((r) => setTimeout(r, 0));
    expect(t.api.setBeautyBypass).toHaveBeenCalledTimes(1);
    expect(t.api.setBeautyBypass).toHaveBeenCalledWith(false);
    expect(t.store.session.beauty_bypass).toBe(false);
  });

  it('throttles slider bursts to ~20/s but always sends the last value', () => {
    vi.useFakeTimers();
    try {
      const t = setup({ mode: 'live', phase: 'preview', role: 'host', can_stream: true });
      for (let i = 0; i <= 9; i++) t.actions.setBeauty({ smoothing: i, whitening: 0, ruddy: 0, sharpen: 0 });
      expect(t.api.setBeauty).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(60);
      expect(t.api.setBeauty).toHaveBeenCalledTimes(2);
      expect(t.api.setBeauty).toHaveBeenLastCalledWith({ smoothing: 9, whitening: 0, ruddy: 0, sharpen: 0 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('next_product calls lineup_next and stores the answer', async () => {
    const t = setup({ mode: 'live', phase: 'on_air', role: 'host', can_stream: true });
    t.api.lineupNext.mockResolvedValueOnce(
      snapshot({
        version: 3,
        items: [lineupItem({ goods_id: 'p1', state: 'explaining' })],
        current: { goods_id: 'p1', event_id: 'evt_p1_1', since_ms: 1 },
      }),
    );
    await t.actions.hotkey('next_product');
    expect(t.api.lineupNext).toHaveBeenCalledTimes(1);
    expect(t.store.lineup?.current?.goods_id).toBe('p1');
    expect(t.store.lineup?.version).toBe(3);
  });

  it('next_product with nothing left says the server’s reason', async () => {
    const t = setup({ mode: 'live', phase: 'on_air', role: 'host', can_stream: true });
    t.api.lineupNext.mockRejectedValueOnce({ code: 'conflict', message: 'no product to explain after p1' });
    await t.actions.hotkey('next_product');
    expect(t.host.textContent).toContain('no product to explain after p1');
    expect(t.store.lineupStore.refusal).toBe('no product to explain after p1');
  });

  it('kick asks first; mute does not and uses 600 s', async () => {
    const t = setup({ mode: 'assistant', phase: 'preview', role: 'assistant', can_stream: false });
    await t.actions.moderate('mute', 'u_6', 'spammer');
    expect(t.api.roomSend).toHaveBeenLastCalledWith({ type: 'mute', user_id: 'u_6', duration_secs: 600 });
    const p = t.actions.moderate('kick', 'u_6', '<b>spammer</b>');
    expect(t.dialog()!.querySelector('b')).toBeNull();
    expect(t.dialog()!.textContent).toContain('<b>spammer</b>');
    t.click('confirm-yes');
    await p;
    expect(t.api.roomSend).toHaveBeenLastCalledWith({ type: 'kick', user_id: 'u_6', reason: 'moderator' });
  });
});

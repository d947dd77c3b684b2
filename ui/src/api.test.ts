import { beforeEach, describe, expect, it, vi } from 'vitest';

const ipc = vi.hoisted(() => ({
  invoke: vi.fn(),
  listen: vi.fn(),
}));
vi.mock('@tauri-apps/api/core', () => ({ invoke: ipc.invoke, isTauri: () => true }));
vi.mock('@tauri-apps/api/event', () => ({ listen: ipc.listen }));

import { api, on, toApiError } from './api';

beforeEach(() => {
  ipc.invoke.mockReset();
  ipc.invoke.mockResolvedValue(undefined);
  ipc.listen.mockReset();
});

describe('commands follow docs/desktop-api.md', () => {
  it('sends the contract names and snake_case arguments', async () => {
    const settings = { version: 1 } as never;
    const calls: [() => Promise<unknown>, string, unknown][] = [
      [() => api.appInfo(), 'app_info', undefined],
      [() => api.getSettings(), 'get_settings', undefined],
      [() => api.saveSettings(settings), 'save_settings', { settings }],
      [() => api.enterMode('rehearsal'), 'enter_mode', { mode: 'rehearsal' }],
      [() => api.leaveMode(), 'leave_mode', undefined],
      [() => api.listDevices(), 'list_devices', undefined],
      [() => api.listLuts(), 'list_luts', undefined],
      [() => api.setVideo({ kind: 'camera', id: 'v4l2:/dev/video0' }), 'set_video', { video: { kind: 'camera', id: 'v4l2:/dev/video0' } }],
      [() => api.setCanvas({ width: 720, height: 1280, fps: 30, video_kbps: 2500 }), 'set_canvas', { canvas: { width: 720, height: 1280, fps: 30, video_kbps: 2500 } }],
      [() => api.setBeauty({ smoothing: 1, whitening: 2, ruddy: 3, sharpen: 4 }), 'set_beauty', { beauty: { smoothing: 1, whitening: 2, ruddy: 3, sharpen: 4 } }],
      [() => api.setLut({ name: null, strength: 100 }), 'set_lut', { lut: { name: null, strength: 100 } }],
      [() => api.setAudio({ gain_db: -3, muted: true, monitor: false }), 'set_audio', { audio: { gain_db: -3, muted: true, monitor: false } }],
      [() => api.listDestinations(), 'list_destinations', undefined],
      [
        () => api.saveDestination({ kind: 'srt', name: 's', url: 'srt://h:1', passphrase: null }),
        'save_destination',
        { input: { kind: 'srt', name: 's', url: 'srt://h:1', passphrase: null } },
      ],
      [() => api.removeDestination('s'), 'remove_destination', { name: 's' }],
      [() => api.goLive(['a', 'b'], true), 'go_live', { destinations: ['a', 'b'], confirmed: true }],
      [() => api.startRehearsal(true), 'start_rehearsal', { confirmed: true }],
      [() => api.endLive(true), 'end_live', { confirmed: true }],
      [() => api.dismissSummary(), 'dismiss_summary', undefined],
      [() => api.setAudience({ viewers: 1, barrage_per_s: 2, gifts_per_s: 3 }), 'set_audience', { audience: { viewers: 1, barrage_per_s: 2, gifts_per_s: 3 } }],
      [() => api.roomSend({ type: 'barrage', text: 'hi' }), 'room_send', { msg: { type: 'barrage', text: 'hi' } }],
      [() => api.lineup(), 'lineup', undefined],
      [() => api.lineupNext(), 'lineup_next', undefined],
      [() => api.resumeSession(false), 'resume_session', { accept: false }],
      [() => api.confirmClose(), 'confirm_close', undefined],
    ];
    for (const [fn, cmd, args] of calls) {
      ipc.invoke.mockClear();
      await fn();
      expect(ipc.invoke, cmd).toHaveBeenCalledWith(cmd, args);
    }
  });

  it('enter_mode passes the room and token only when given', async () => {
    await api.enterMode('assistant', 'http://room:8787', 'tok');
    expect(ipc.invoke).toHaveBeenCalledWith(
      'enter_mode',
      expect.objectContaining({ mode: 'assistant', room_url: 'http://room:8787', token: 'tok' }),
    );
  });

  it('rejects with {code, message}', async () => {
    ipc.invoke.mockRejectedValueOnce({ code: 'forbidden', message: 'host only' });
    await expect(api.goLive([], true)).rejects.toEqual({ code: 'forbidden', message: 'host only' });
    ipc.invoke.mockRejectedValueOnce('command go_live not found');
    await expect(api.goLive([], true)).rejects.toEqual({ code: 'internal', message: 'command go_live not found' });
  });
});

describe('toApiError', () => {
  it('keeps known codes and maps anything else to internal', () => {
    expect(toApiError({ code: 'push', message: 'x' })).toEqual({ code: 'push', message: 'x' });
    expect(toApiError({ code: 'weird', message: 'x' })).toEqual({ code: 'internal', message: 'x' });
    expect(toApiError(new Error('boom'))).toEqual({ code: 'internal', message: 'boom' });
    expect(toApiError(42)).toEqual({ code: 'internal', message: '42' });
  });
});

describe('events', () => {
  it('delivers payloads and unsubscribes even before listen resolved', async () => {
    const un = vi.fn();
    let handler: ((e: { payload: unknown }) => void) | null = null;
    let resolve: (u: () => void) => void = () => {};
    ipc.listen.mockImplementation((_name: string, cb: (e: { payload: unknown }) => void) => {
      handler = cb;
      return new Promise((r) => (resolve = r));
    });
    const got: unknown[] = [];
    const off = on('stats', (p) => got.push(p));
    expect(ipc.listen).toHaveBeenCalledWith('stats', expect.any(Function));
    handler!({ payload: { fps: 30 } });
    expect(got).toEqual([{ fps: 30 }]);
    off();
    handler!({ payload: { fps: 1 } });
    expect(got).toHaveLength(1);
    resolve(un);
    await new Promise((r) => setTimeout(r, 0));
    expect(un).toHaveBeenCalledTimes(1);
  });
});
